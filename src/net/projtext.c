#include "config.h"

#include "projtext.h"
#include "calltext.h"
#include "demotext.h"
#include "run.h"
#include "core/i18n.h"
#include "core/text.h"
#include "core/util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

const char *project_title(project_kind k)
{
	switch (k) {
	case PROJECT_ECHO: return _("An echo server");
	case PROJECT_HTTP: return _("A tiny HTTP server");
	default: return "?";
	}
}

/* "127.0.0.1", or "[::1]" where a URL needs brackets */
static char *url_host(const project *p, bool brackets)
{
	const char *h = project_host(p);
	return brackets && strchr(h, ':') ? xasprintf("[%s]", h) : xstrdup(h);
}

size_t project_client_lines(const project *p, char ***out)
{
	char **l = xcalloc(12, sizeof *l);
	size_t n = 0;
	unsigned port = project_port(p);
	char *h = url_host(p, false), *hb = url_host(p, true);
	if (project_get_kind(p) == PROJECT_HTTP) {
		l[n++] = xasprintf("curl -v http://%s:%u/hello", hb, port);
		l[n++] = xasprintf("printf 'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' | nc %s %u", h, port);
	} else {
		l[n++] = xasprintf("nc %s %u", h, port);
		l[n++] = xasprintf("telnet %s %u", h, port);
	}
	l[n++] = xstrdup("python3 -c \"");
	l[n++] = xstrdup("import socket");
	l[n++] = xasprintf("s = socket.create_connection(('%s', %u))", h, port);
	if (project_get_kind(p) == PROJECT_HTTP)
		l[n++] = xstrdup("s.sendall(b'GET /hello HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')");
	else
		l[n++] = xstrdup("s.sendall('你好, echo\\n'.encode())");
	l[n++] = xstrdup("print(s.recv(4096).decode())");
	l[n++] = xstrdup("s.close()\"");
	free(h);
	free(hb);
	*out = l;
	return n;
}

char *project_sock_label(const project_sock *s)
{
	switch (s->role) {
	case PR_LISTENER:
		return xstrdup(_("server l"));
	case PR_CONN:
		return xasprintf(_("server c%d"), s->client);
	case PR_QUEUED:
		return xstrdup(_("server (in the accept queue)"));
	case PR_CLOSED:
		return xasprintf(_("server c%d (closed)"), s->client);
	case PR_CLIENT:
	default:
		return s->client ? xasprintf(_("client %d"), s->client) :
				   xstrdup(_("client (not accepted yet)"));
	}
}

char *project_event_summary(const project_event *ev)
{
	char addr[80];
	switch (ev->kind) {
	case PE_SETUP:
		if (ev->ret < 0 && ev->err == EADDRINUSE)
			return xstrdup(_("That port is taken by another socket: trying the next one."));
		return NULL;
	case PE_POLL:
		return xasprintf(ngettext("poll() returns: %ld descriptor is ready",
					  "poll() returns: %ld descriptors are ready", (unsigned long)ev->ret),
				 ev->ret);
	case PE_ACCEPT:
		run_format_addr(&ev->peer, addr, sizeof addr);
		return xasprintf(_("client %d connected from %s"), ev->client, addr);
	case PE_RECV:
		if (ev->ret == 0)
			return xasprintf(_("client %d closed its side (its FIN arrived): recv() returns 0, the end of the stream"),
					 ev->client);
		return xasprintf(ngettext("%ld byte from client %d", "%ld bytes from client %d",
					  (unsigned long)ev->ret), ev->ret, ev->client);
	case PE_SEND:
		return xasprintf(ngettext("%ld byte to client %d", "%ld bytes to client %d",
					  (unsigned long)ev->ret), ev->ret, ev->client);
	case PE_CLOSE:
		return xasprintf(_("the server closes its connection to client %d"), ev->client);
	case PE_ERROR:
	default:
		return xstrdup(demo_errno_explain(ev->err));
	}
}

/* ---- plain --------------------------------------------------------------------------------- */

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	stop = sig;
}

size_t project_bytes_lines(const project_event *ev, size_t hexmax, char ***out)
{
	*out = NULL;
	if (!ev->datalen)
		return 0;
	char **l = xcalloc(3, sizeof *l);
	size_t n = 0;
	strbuf hex = { 0 };
	ct_hex(&hex, ev->data, ev->datalen, hexmax);
	l[n++] = xasprintf("%s %s", _("hex:"), hex.buf);
	strbuf_free(&hex);
	char *u, *g;
	project_text_views(ev->data, ev->datalen, &u, &g);
	if (u)
		l[n++] = xasprintf("%s %s", _("as UTF-8:"), u);
	if (g)
		l[n++] = xasprintf("%s %s", _("as GBK:"), g);
	if (!u && !g)
		l[n++] = xstrdup(_("(neither UTF-8 nor GBK text)"));
	free(u);
	free(g);
	*out = l;
	return n;
}

static void print_event(FILE *out, const project_event *ev)
{
	char who[32];
	if (ev->client > 0)
		snprintf(who, sizeof who, "%s %d", _("client"), ev->client);
	else
		snprintf(who, sizeof who, "%s", _("server"));
	int w = text_width(who, strlen(who));
	fprintf(out, "%7.3f %s%*s %s %s\n", ev->at / 1000.0, who, w < 10 ? 10 - w : 0, "", ev->c,
		ev->c_ret ? ev->c_ret : "");
	fprintf(out, "%-18s %s%s%s\n", "", ev->py, ev->py_ret ? "  -> " : "", ev->py_ret ? ev->py_ret : "");
	char *sum = project_event_summary(ev);
	if (sum)
		fprintf(out, "%-18s %s\n", "", sum);
	free(sum);
	char **bl;
	size_t nb = project_bytes_lines(ev, 32, &bl);
	for (size_t i = 0; i < nb; i++) {
		fprintf(out, "%-18s %s\n", "", bl[i]);
		free(bl[i]);
	}
	free(bl);
	strbuf sb = { 0 };
	for (size_t i = 0; i < ev->nsocks; i++) {
		char *label = project_sock_label(&ev->socks[i]);
		strbuf_addf(&sb, "%s%s %s", i ? "; " : "", label,
			    observe_entry_state_name(&ev->socks[i].e));
		free(label);
	}
	if (sb.len)
		fprintf(out, "%-18s %s %s\n", "", _("kernel:"), sb.buf);
	strbuf_free(&sb);
}

int project_run_plain(FILE *out, project *p)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	fprintf(out, _("== %s, listening on %s port %u\n"), project_title(project_get_kind(p)),
		project_host(p), project_port(p));
	if (project_moved(p))
		fprintf(out, _("   (port %u was taken, so the server took the next free one: %u)\n"),
			project_asked_port(p), project_port(p));
	fprintf(out, "%s\n", _("   Connect from another terminal with any of these; Ctrl-C stops the server:"));
	char **lines;
	size_t n = project_client_lines(p, &lines);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "     %s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	size_t shown = 0;
	while (!stop) {
		for (; shown < project_nevents(p); shown++)
			print_event(out, project_event_at(p, shown));
		fflush(out);
		struct pollfd fds[40];
		size_t nf = project_pollfds(p, fds, 40);
		if (poll(fds, nf, -1) < 0 && errno != EINTR)
			break;
		if (!stop)
			project_progress(p);
	}
	fprintf(out, ngettext("== stopped after %zu client\n", "== stopped after %zu clients\n",
			      project_clients_total(p)), project_clients_total(p));
	fflush(out);
	return 0;
}
