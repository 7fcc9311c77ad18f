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
#include <unistd.h>

const char *project_title(project_kind k)
{
	switch (k) {
	case PROJECT_ECHO: return _("An echo server");
	case PROJECT_HTTP: return _("A tiny HTTP server");
	case PROJECT_CHAT: return _("A two-way TCP chat");
	case PROJECT_FILES: return _("A file server");
	case PROJECT_UDPCHAT: return _("A UDP chat");
	case PROJECT_CLIENT: return _("A client for your server");
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
	project_kind k = project_get_kind(p);
	switch (k) {
	case PROJECT_HTTP:
		l[n++] = xasprintf("curl -v http://%s:%u/hello", hb, port);
		l[n++] = xasprintf("printf 'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' | nc %s %u", h, port);
		break;
	case PROJECT_FILES:
		l[n++] = xasprintf("printf 'hello.txt\\n' | nc -N %s %u", h, port);
		l[n++] = xasprintf("nc %s %u", h, port);
		break;
	case PROJECT_UDPCHAT: {
		unsigned theirs = observe_port(project_udp_peer(p));
		l[n++] = xasprintf("nc -u -p %u %s %u", theirs, h, port);
		l[n++] = xasprintf("nc -u %s %u", h, port);
		break;
	}
	case PROJECT_CLIENT:
		/* the student runs the server: these are servers */
		l[n++] = xasprintf("nc -l %s %u", h, port);
		l[n++] = xasprintf("python3 -m http.server -b %s %u", h, port);
		break;
	default:
		l[n++] = xasprintf("nc %s %u", h, port);
		l[n++] = xasprintf("telnet %s %u", h, port);
		break;
	}
	l[n++] = xstrdup("python3 -c \"");
	l[n++] = xstrdup("import socket");
	switch (k) {
	case PROJECT_HTTP:
		l[n++] = xasprintf("s = socket.create_connection(('%s', %u))", h, port);
		l[n++] = xstrdup("s.sendall(b'GET /hello HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')");
		l[n++] = xstrdup("print(s.recv(4096).decode())");
		l[n++] = xstrdup("s.close()\"");
		break;
	case PROJECT_FILES:
		l[n++] = xasprintf("s = socket.create_connection(('%s', %u)); f = s.makefile('rb')", h, port);
		l[n++] = xstrdup("s.sendall(b'big.txt\\n'); head = f.readline().split()");
		l[n++] = xstrdup("data = f.read(int(head[1])) if head[0] == b'OK' else head");
		l[n++] = xstrdup("print(len(data), data[:70])\"");
		break;
	case PROJECT_UDPCHAT: {
		unsigned theirs = observe_port(project_udp_peer(p));
		l[n++] = xasprintf("s = socket.socket(socket.%s, socket.SOCK_DGRAM); s.bind(('%s', %u))",
				   strchr(h, ':') ? "AF_INET6" : "AF_INET", h, theirs);
		l[n++] = xasprintf("s.sendto('你好\\n'.encode(), ('%s', %u))", h, port);
		l[n++] = xstrdup("print(s.recvfrom(4096))");
		l[n++] = xstrdup("s.close()\"");
		break;
	}
	case PROJECT_CLIENT:
		l[n++] = xasprintf("l = socket.create_server(('%s', %u))", h, port);
		l[n++] = xstrdup("c, addr = l.accept(); print(addr)");
		l[n++] = xstrdup("c.sendall(c.recv(4096).upper())");
		l[n++] = xstrdup("c.close(); l.close()\"");
		break;
	default:
		l[n++] = xasprintf("s = socket.create_connection(('%s', %u))", h, port);
		l[n++] = xstrdup(k == PROJECT_CHAT ? "s.sendall('你好\\n'.encode())" :
				 "s.sendall('你好, echo\\n'.encode())");
		l[n++] = xstrdup("print(s.recv(4096).decode())");
		l[n++] = xstrdup("s.close()\"");
		break;
	}
	free(h);
	free(hb);
	*out = l;
	return n;
}

char *project_sock_label(project_kind k, const project_sock *s)
{
	if (k == PROJECT_UDPCHAT)
		return xstrdup(s->role == PR_LISTENER ? _("endpoint A (socktutor)") : _("endpoint B"));
	if (k == PROJECT_CLIENT)
		return xstrdup(s->role == PR_LISTENER ? _("your server (listening)") :
			       s->role == PR_CONN ? _("your server's connection") :
			       _("client s (socktutor)"));
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

const char *project_actor(const project_event *ev, char *buf, size_t size)
{
	if (ev->project == PROJECT_UDPCHAT)
		snprintf(buf, size, "%s", _("endpoint A"));
	else if (ev->project == PROJECT_CLIENT)
		snprintf(buf, size, "%s", _("client"));
	else if (ev->client > 0)
		snprintf(buf, size, _("client %d"), ev->client);
	else
		snprintf(buf, size, "%s", _("server"));
	return buf;
}

static char *file_summary(const project_event *ev)
{
	switch (ev->file_why) {
	case PF_SENT:
		return xasprintf(_("'%s' is in the sandbox: the header line \"OK size\" tells the client how many bytes follow"),
				 ev->name);
	case PF_NOT_NAME:
		return xasprintf(_("'%s' is refused without opening anything: only the plain name of a file in the sandbox is served, never a path (/ or ..)"),
				 ev->name);
	case PF_MISSING:
		return xasprintf(_("'%s': no such file in the sandbox (ENOENT), so the answer is \"ERR ...\""), ev->name);
	case PF_SYMLINK:
		return xasprintf(_("'%s' is a symbolic link: O_NOFOLLOW makes openat() fail with ELOOP, so no link can lead out of the sandbox"),
				 ev->name);
	case PF_NOT_FILE:
		return xasprintf(_("'%s' is not a regular file: refused"), ev->name);
	case PF_TOO_BIG:
		return xasprintf(_("'%s' is too large to be served"), ev->name);
	case PF_ERROR:
	default:
		return xstrdup(demo_errno_explain(ev->err));
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
	case PE_CONNECT:
		if (ev->ret < 0)
			return xstrdup(demo_errno_explain(ev->err));
		run_format_addr(&ev->peer, addr, sizeof addr);
		return xasprintf(_("connected to your server at %s"), addr);
	case PE_SHUTDOWN:
		return xstrdup(_("the input ended: the client sends its FIN (it will send nothing more) and still reads what the server sends"));
	case PE_FILE:
		return file_summary(ev);
	case PE_RECV:
		if (ev->project == PROJECT_UDPCHAT) {
			run_format_addr(&ev->peer, addr, sizeof addr);
			return xasprintf(ngettext("a datagram of %ld byte from %s", "a datagram of %ld bytes from %s",
						  (unsigned long)ev->ret), ev->ret, addr);
		}
		if (ev->project == PROJECT_CLIENT)
			return ev->ret == 0 ?
				xstrdup(_("your server closed its side (its FIN arrived): recv() returns 0, the end of the stream")) :
				xasprintf(ngettext("%ld byte from your server", "%ld bytes from your server",
						   (unsigned long)ev->ret), ev->ret);
		if (ev->ret == 0)
			return xasprintf(_("client %d closed its side (its FIN arrived): recv() returns 0, the end of the stream"),
					 ev->client);
		return xasprintf(ngettext("%ld byte from client %d", "%ld bytes from client %d",
					  (unsigned long)ev->ret), ev->ret, ev->client);
	case PE_SEND:
		if (ev->project == PROJECT_UDPCHAT) {
			run_format_addr(&ev->peer, addr, sizeof addr);
			return xasprintf(ngettext("a datagram of %ld byte to %s", "a datagram of %ld bytes to %s",
						  (unsigned long)ev->ret), ev->ret, addr);
		}
		if (ev->project == PROJECT_CLIENT)
			return xasprintf(ngettext("%ld byte to your server", "%ld bytes to your server",
						  (unsigned long)ev->ret), ev->ret);
		return xasprintf(ngettext("%ld byte to client %d", "%ld bytes to client %d",
					  (unsigned long)ev->ret), ev->ret, ev->client);
	case PE_CLOSE:
		if (ev->project == PROJECT_CLIENT)
			return xstrdup(_("the client closes its socket"));
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
	char who[48];
	project_actor(ev, who, sizeof who);
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
		char *label = project_sock_label(ev->project, &ev->socks[i]);
		strbuf_addf(&sb, "%s%s %s", i ? "; " : "", label,
			    observe_entry_state_name(&ev->socks[i].e));
		free(label);
	}
	if (sb.len)
		fprintf(out, "%-18s %s %s\n", "", _("kernel:"), sb.buf);
	strbuf_free(&sb);
}

/* The header of the plain printer: what runs where, and how to take part. */
static void print_intro(FILE *out, project *p)
{
	project_kind k = project_get_kind(p);
	if (k == PROJECT_CLIENT)
		fprintf(out, _("== %s, connecting to %s port %u\n"), project_title(k), project_host(p),
			project_port(p));
	else if (k == PROJECT_UDPCHAT)
		fprintf(out, _("== %s, bound to %s port %u\n"), project_title(k), project_host(p),
			project_port(p));
	else
		fprintf(out, _("== %s, listening on %s port %u\n"), project_title(k), project_host(p),
			project_port(p));
	if (project_moved(p))
		fprintf(out, _("   (port %u was taken, so the server took the next free one: %u)\n"),
			project_asked_port(p), project_port(p));
	if (k == PROJECT_FILES) {
		char **names;
		size_t nn = project_sandbox_files(p, &names);
		fprintf(out, _("   Files are served only from the sandbox %s:"), project_sandbox(p));
		for (size_t i = 0; i < nn; i++)
			fprintf(out, " %s", names[i]);
		fprintf(out, "\n");
	}
	fprintf(out, "%s\n", k == PROJECT_CLIENT ?
		_("   Your server, for example one of these (start it first); type lines to send, Ctrl-D ends them:") :
		project_takes_input(k) ?
		_("   The other end, from another terminal; type lines here to send them, Ctrl-C stops:") :
		_("   Connect from another terminal with any of these; Ctrl-C stops the server:"));
	char **lines;
	size_t n = project_client_lines(p, &lines);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "     %s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
}

/* Lines typed on standard input, sent as they come. Returns false at its end. */
static bool read_input(project *p, strbuf *pending)
{
	char buf[4096];
	ssize_t r = read(STDIN_FILENO, buf, sizeof buf);
	if (r < 0 && errno == EINTR)
		return true;
	if (r <= 0) {
		if (pending->len)
			project_say(p, pending->buf, pending->len);
		strbuf_free(pending);
		*pending = (strbuf){ 0 };
		return false;
	}
	strbuf_add(pending, buf, (size_t)r);
	char *nl;
	while (pending->len && (nl = memchr(pending->buf, '\n', pending->len))) {
		size_t len = (size_t)(nl - pending->buf) + 1;
		project_say(p, pending->buf, len);
		memmove(pending->buf, pending->buf + len, pending->len - len);
		pending->len -= len;
	}
	return true;
}

int project_run_plain(FILE *out, project *p)
{
	catch_stop_signals(on_stop);

	print_intro(out, p);
	project_kind k = project_get_kind(p);
	bool input = project_takes_input(k);
	strbuf pending = { 0 };
	size_t shown = 0;
	int rc = 0;
	while (!stop) {
		for (; shown < project_nevents(p); shown++)
			print_event(out, project_event_at(p, shown));
		fflush(out);
		if (k == PROJECT_CLIENT && !project_connected(p)) {
			/* refused, or the server closed: nothing more can happen */
			const project_event *first = NULL;
			for (size_t i = 0; i < project_nevents(p) && !first; i++)
				if (project_event_at(p, i)->kind == PE_CONNECT)
					first = project_event_at(p, i);
			rc = first && first->ret == 0 ? 0 : 1;
			break;
		}
		struct pollfd fds[41];
		size_t nf = project_pollfds(p, fds, 40);
		if (input)
			fds[nf++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		if (poll(fds, nf, -1) < 0 && errno != EINTR)
			break;
		if (stop)
			break;
		if (input && fds[nf - 1].revents) {
			if (!read_input(p, &pending)) {
				input = false;
				project_shutdown(p);
			}
		}
		project_progress(p);
	}
	strbuf_free(&pending);
	if (k == PROJECT_CLIENT)
		fprintf(out, "%s\n", _("== the connection is closed"));
	else if (k == PROJECT_UDPCHAT)
		fprintf(out, "%s\n", _("== stopped"));
	else
		fprintf(out, ngettext("== stopped after %zu client\n", "== stopped after %zu clients\n",
				      project_clients_total(p)), project_clients_total(p));
	fflush(out);
	return rc;
}
