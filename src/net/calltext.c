#include "config.h"

#include "calltext.h"
#include "observe.h"
#include "run.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

socklen_t ct_sa_len(const struct sockaddr_storage *a)
{
	return a->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

void ct_host_of(const struct sockaddr_storage *a, char *host, size_t len)
{
	if (a->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, host, (socklen_t)len);
	else
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, host, (socklen_t)len);
}

/* {AF_INET, 127.0.0.1:40123} */
void ct_sa_c(strbuf *sb, const struct sockaddr_storage *a)
{
	char buf[80];
	run_format_addr(a, buf, sizeof buf);
	strbuf_addf(sb, "{%s, %s}", a->ss_family == AF_INET6 ? "AF_INET6" : "AF_INET", buf);
}

/* The address argument closing a C call: "{AF_INET, 127.0.0.1:40123}, 16)"; "?)" when a
 * referenced socket has no address. */
void ct_sa_in_c(strbuf *sb, const struct sockaddr_storage *a, bool known)
{
	if (!known) {
		strbuf_adds(sb, "?)");
		return;
	}
	ct_sa_c(sb, a);
	strbuf_addf(sb, ", %u)", (unsigned)ct_sa_len(a));
}

/* The address a call returns, closing a C call: "{AF_INET, ...}, [16])"; before it
 * returned, "&addr, &len)". */
void ct_sa_out_c(strbuf *sb, const struct sockaddr_storage *a, bool known)
{
	if (!known) {
		strbuf_adds(sb, "&addr, &len)");
		return;
	}
	ct_sa_c(sb, a);
	strbuf_addf(sb, ", [%u])", (unsigned)ct_sa_len(a));
}

/* ('127.0.0.1', 40123); an IPv6 address Python returns is a 4-tuple */
void ct_sa_py(strbuf *sb, const struct sockaddr_storage *a, bool returned)
{
	char host[INET6_ADDRSTRLEN];
	ct_host_of(a, host, sizeof host);
	strbuf_addf(sb, "('%s', %u%s)", host, observe_port(a),
		    returned && a->ss_family == AF_INET6 ? ", 0, 0" : "");
}

/* Binary data (a zero-filled block) is previewed shorter than text. */
static size_t preview_len(const char *d, size_t n)
{
	return n && d[0] == 0 ? 4 : CT_DATA_PREVIEW;
}

/* Bytes as a C string literal ("...", zero bytes as \0) or a Python bytes literal
 * (b'...', as Python's repr writes it), cut after max bytes. */
static void data_upto(strbuf *sb, const char *d, size_t n, bool python, size_t max)
{
	char quote = python ? '\'' : '"';
	strbuf_adds(sb, python ? "b'" : "\"");
	for (size_t i = 0; i < n && i < max; i++) {
		unsigned char c = (unsigned char)d[i];
		if (c == 0 && !python)
			strbuf_adds(sb, "\\0");
		else if (c == quote || c == '\\')
			strbuf_addf(sb, "\\%c", c);
		else if (c == '\n')
			strbuf_adds(sb, "\\n");
		else if (c == '\r')
			strbuf_adds(sb, "\\r");
		else if (c == '\t')
			strbuf_adds(sb, "\\t");
		else if (c < 0x20 || c >= 0x7f)
			strbuf_addf(sb, "\\x%02x", c);
		else
			strbuf_addc(sb, (char)c);
	}
	strbuf_addc(sb, quote);
	if (n > max && python)
		strbuf_addf(sb, "... (%zu bytes)", n);
	else if (n > max)
		strbuf_adds(sb, "...");
}

void ct_data(strbuf *sb, const char *d, size_t n, bool python)
{
	data_upto(sb, d, n, python, preview_len(d, n));
}

void ct_data_py_all(strbuf *sb, const char *d, size_t n)
{
	data_upto(sb, d, n, true, n);
}

void ct_hex(strbuf *sb, const char *d, size_t n, size_t max)
{
	for (size_t i = 0; i < n && i < max; i++)
		strbuf_addf(sb, "%s%02x", i ? " " : "", (unsigned char)d[i]);
	if (n > max)
		strbuf_adds(sb, " ...");
}

void ct_data_c(strbuf *sb, const char *d, size_t n)
{
	ct_data(sb, d, n, false);
}

void ct_data_py(strbuf *sb, const char *d, size_t n)
{
	ct_data(sb, d, n, true);
}

