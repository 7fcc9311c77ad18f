#include "config.h"

#include "project.h"
#include "calltext.h"
#include "run.h"
#include "core/errnames.h"
#include "core/text.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <iconv.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECV_SIZE 4096		/* recv(4096), as the classic servers write it */
#define BACKLOG 5
#define MAX_CONNS 32		/* more clients wait in the accept queue */
#define MAX_REQUEST 8192	/* http: a request head longer than this is refused */
#define PORT_TRIES 50

static const struct {
	const char *name;
	unsigned port;
} kinds[PROJECT_COUNT] = { { "echo", 7007 }, { "http", 8080 } };

typedef struct conn {
	int fd;
	int client;		/* 1, 2, ... */
	ino_t ino;
	char *in;		/* http: the request head so far; echo: the current line */
	size_t inlen;
	char *out;		/* bytes still to send */
	size_t outlen, outoff;
	bool close_after;	/* close once out is sent */
} conn;

struct project {
	project_kind kind;
	char host[INET6_ADDRSTRLEN];
	int family;
	unsigned port, asked;
	bool moved;
	int lfd;
	ino_t lino;
	conn *conns;
	size_t nconns, conncap;
	int total;
	struct sockaddr_storage *peers;	/* per client number - 1 */
	size_t peercap;
	project_event *ev;
	size_t nev, evcap;
	double t0;
	char buf[RECV_SIZE];
};

int project_find(const char *name)
{
	for (int i = 0; i < PROJECT_COUNT; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return i;
	return -1;
}

const char *project_name(project_kind k) { return kinds[k].name; }
unsigned project_default_port(project_kind k) { return kinds[k].port; }
project_kind project_get_kind(const project *p) { return p->kind; }
unsigned project_port(const project *p) { return p->port; }
bool project_moved(const project *p) { return p->moved; }
unsigned project_asked_port(const project *p) { return p->asked; }
const char *project_host(const project *p) { return p->host; }
size_t project_clients(const project *p) { return p->nconns; }
size_t project_clients_total(const project *p) { return (size_t)p->total; }
size_t project_nevents(const project *p) { return p->nev; }

const project_event *project_event_at(const project *p, size_t i)
{
	return i < p->nev ? &p->ev[i] : NULL;
}

bool project_host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	char ha[INET6_ADDRSTRLEN] = "", hb[INET6_ADDRSTRLEN] = "";
	if (a->ss_family != b->ss_family || observe_port(a) != observe_port(b))
		return false;
	ct_host_of(a, ha, sizeof ha);
	ct_host_of(b, hb, sizeof hb);
	return strcmp(ha, hb) == 0;
}

int project_client_of(const project *p, const struct sockaddr_storage *a)
{
	for (int i = p->total; i > 0; i--)
		if (same_addr(&p->peers[i - 1], a))
			return i;
	return 0;
}

/* ---- bytes as text -------------------------------------------------------------------------- */

/* UTF-8 text with control characters escaped; NULL when it is not valid UTF-8. */
static char *escaped_utf8(const char *d, size_t n)
{
	strbuf sb = { 0 };
	strbuf_adds(&sb, "");
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)d[i];
		if (c < 0x80) {
			if (c == '\n')
				strbuf_adds(&sb, "\\n");
			else if (c == '\r')
				strbuf_adds(&sb, "\\r");
			else if (c == '\t')
				strbuf_adds(&sb, "\\t");
			else if (c < 0x20 || c == 0x7f)
				strbuf_addf(&sb, "\\x%02x", c);
			else
				strbuf_addc(&sb, (char)c);
			i++;
			continue;
		}
		uint32_t cp;
		size_t l = text_decode(d + i, n - i, &cp);
		if (!l) {
			strbuf_free(&sb);
			return NULL;
		}
		strbuf_add(&sb, d + i, l);
		i += l;
	}
	return strbuf_take(&sb);
}

void project_text_views(const char *d, size_t n, char **utf8, char **gbk)
{
	*utf8 = escaped_utf8(d, n);
	*gbk = NULL;
	bool ascii = true;
	for (size_t i = 0; i < n; i++)
		ascii &= (unsigned char)d[i] < 0x80;
	if (ascii)
		return;
	iconv_t cd = iconv_open("UTF-8", "GBK");
	if (cd == (iconv_t)-1)
		return;
	size_t cap = n * 3 + 1, left = cap;
	char *out = xmalloc(cap), *o = out;
	char *in = (char *)d;
	size_t inleft = n;
	if (iconv(cd, &in, &inleft, &o, &left) != (size_t)-1 && inleft == 0 &&
	    iconv(cd, NULL, NULL, &o, &left) != (size_t)-1) {
		char *g = escaped_utf8(out, (size_t)(o - out));
		if (g && *utf8 && strcmp(g, *utf8) == 0)
			free(g);
		else
			*gbk = g;
	}
	free(out);
	iconv_close(cd);
}

/* ---- events --------------------------------------------------------------------------------- */

static ino_t fd_ino(int fd)
{
	struct stat sb;
	return fstat(fd, &sb) == 0 ? sb.st_ino : 0;
}

/* What the kernel says about every socket on the port: the server's, the clients'. */
static void snapshot(project *p, project_event *ev)
{
	uint16_t port = (uint16_t)p->port;
	observe_entry *e = NULL;
	size_t n = 0;
	if (observe_snapshot(IPPROTO_TCP, &port, 1, &e, &n) != 0)
		return;
	ev->socks = n ? xcalloc(n, sizeof *ev->socks) : NULL;
	for (size_t i = 0; i < n; i++) {
		project_sock *s = &ev->socks[ev->nsocks++];
		s->e = e[i];
		bool server_side = observe_port(&e[i].local) == p->port;
		s->client = project_client_of(p, server_side ? &e[i].remote : &e[i].local);
		if (e[i].state == TCPS_LISTEN)
			s->role = PR_LISTENER;
		else if (!server_side)
			s->role = PR_CLIENT;
		else if (!s->client)
			s->role = PR_QUEUED;
		else
			s->role = PR_CLOSED;
		for (size_t k = 0; k < p->nconns; k++)
			if (e[i].inode && e[i].inode == (unsigned)p->conns[k].ino) {
				s->role = PR_CONN;
				s->client = p->conns[k].client;
			}
	}
	observe_free(e);
}

static project_event *new_event(project *p, project_ev_kind kind, int client)
{
	grow_array((void **)&p->ev, &p->evcap, p->nev, sizeof *p->ev);
	project_event *ev = &p->ev[p->nev++];
	memset(ev, 0, sizeof *ev);
	ev->kind = kind;
	ev->client = client;
	ev->at = run_clock_ms() - p->t0;
	return ev;
}

/* The result columns: "= 6" / Python's value, or "= -1 EADDRINUSE" / the exception. */
static void finish(project *p, project_event *ev, long ret, int err, char *py_ret)
{
	ev->ret = ret;
	ev->err = ret < 0 ? err : 0;
	if (ret < 0) {
		const char *name = errno_name(err);
		ev->c_ret = xasprintf("= -1 %s", name ? name : "E?");
		free(py_ret);
		ev->py_ret = xasprintf("%s: [Errno %d] %s", errno_python(err), err, strerrordesc_np(err));
		if (ev->kind != PE_SETUP)
			ev->kind = PE_ERROR;
	} else {
		ev->c_ret = xasprintf("= %ld", ret);
		ev->py_ret = py_ret;
	}
	snapshot(p, ev);
}

static char *py_name(const conn *c)
{
	return xasprintf("c%d", c->client);
}

/* ---- the listener --------------------------------------------------------------------------- */

static bool setup_event(project *p, const char *c, const char *py, long ret, int err)
{
	project_event *ev = new_event(p, PE_SETUP, 0);
	ev->c = xstrdup(c);
	ev->py = xstrdup(py);
	finish(p, ev, ret, err, NULL);
	return ret >= 0;
}

project *project_open(project_kind k, const char *host, unsigned port, char **err)
{
	project *p = xcalloc(1, sizeof *p);
	p->kind = k;
	p->lfd = -1;
	p->asked = port;
	p->t0 = run_clock_ms();
	struct sockaddr_storage sa;
	memset(&sa, 0, sizeof sa);
	struct sockaddr_in *in = (struct sockaddr_in *)&sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&sa;
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		p->family = AF_INET;
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		p->family = AF_INET6;
	} else {
		*err = xasprintf("'%s' is not a numeric IPv4 or IPv6 address", host);
		free(p);
		return NULL;
	}
	sa.ss_family = (sa_family_t)p->family;
	snprintf(p->host, sizeof p->host, "%s", host);
	const char *fam = p->family == AF_INET6 ? "AF_INET6" : "AF_INET";

	int fd = socket(p->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	char *c = xasprintf("socket(%s, SOCK_STREAM, 0)", fam);
	char *py = xasprintf("l = socket.socket(socket.%s, socket.SOCK_STREAM)", fam);
	bool ok = setup_event(p, c, py, fd, errno);
	free(c);
	free(py);
	if (!ok) {
		*err = xasprintf("socket: %s", strerror(p->ev[0].err));
		project_close(p);
		return NULL;
	}
	p->lfd = fd;
	p->lino = fd_ino(fd);
	int one = 1;
	int r = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	c = xasprintf("setsockopt(%d, SOL_SOCKET, SO_REUSEADDR, [1], 4)", fd);
	setup_event(p, c, "l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)", r, errno);
	free(c);

	/* the port asked for, else the next free one: each try is a real bind() */
	int e = 0;
	for (unsigned tries = 0; tries <= (port ? PORT_TRIES : 0); tries++) {
		unsigned want = port ? port + tries : 0;
		if (want > 65535)
			break;
		if (p->family == AF_INET6)
			in6->sin6_port = htons((uint16_t)want);
		else
			in->sin_port = htons((uint16_t)want);
		r = bind(fd, (struct sockaddr *)&sa, ct_sa_len(&sa));
		e = errno;
		strbuf cs = { 0 }, ps = { 0 };
		strbuf_addf(&cs, "bind(%d, ", fd);
		ct_sa_in_c(&cs, &sa, true);
		strbuf_adds(&ps, "l.bind(");
		ct_sa_py(&ps, &sa, false);
		strbuf_adds(&ps, ")");
		setup_event(p, cs.buf, ps.buf, r, e);
		strbuf_free(&cs);
		strbuf_free(&ps);
		if (r == 0)
			break;
		if (e != EADDRINUSE)
			break;
		p->moved = true;
	}
	if (r != 0) {
		*err = xasprintf("bind to %s: %s", host, strerror(e));
		project_close(p);
		return NULL;
	}
	struct sockaddr_storage got;
	socklen_t len = sizeof got;
	getsockname(fd, (struct sockaddr *)&got, &len);
	p->port = observe_port(&got);
	r = listen(fd, BACKLOG);
	c = xasprintf("listen(%d, %d)", fd, BACKLOG);
	py = xasprintf("l.listen(%d)", BACKLOG);
	setup_event(p, c, py, r, errno);
	free(c);
	free(py);
	if (r != 0) {
		*err = xasprintf("listen: %s", strerror(errno));
		project_close(p);
		return NULL;
	}
	return p;
}

static void free_conn(conn *c)
{
	free(c->in);
	free(c->out);
}

void project_close(project *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nconns; i++) {
		close(p->conns[i].fd);
		free_conn(&p->conns[i]);
	}
	free(p->conns);
	if (p->lfd >= 0)
		close(p->lfd);
	for (size_t i = 0; i < p->nev; i++) {
		project_event *ev = &p->ev[i];
		free(ev->c);
		free(ev->c_ret);
		free(ev->py);
		free(ev->py_ret);
		free(ev->data);
		free(ev->socks);
	}
	free(p->ev);
	free(p->peers);
	free(p);
}

/* ---- serving -------------------------------------------------------------------------------- */

size_t project_pollfds(const project *p, struct pollfd *fds, size_t max)
{
	size_t n = 0;
	if (n < max && p->nconns < MAX_CONNS)
		fds[n++] = (struct pollfd){ .fd = p->lfd, .events = POLLIN };
	for (size_t i = 0; i < p->nconns && n < max; i++)
		fds[n++] = (struct pollfd){ .fd = p->conns[i].fd,
					    .events = (short)(p->conns[i].outlen > p->conns[i].outoff ?
							      POLLOUT : POLLIN) };
	return n;
}

static void do_close(project *p, size_t i)
{
	conn *c = &p->conns[i];
	int fd = c->fd;
	int client = c->client;
	char *nm = py_name(c);
	int r = close(fd);
	int e = errno;
	free_conn(c);
	memmove(&p->conns[i], &p->conns[i + 1], (p->nconns - i - 1) * sizeof *p->conns);
	p->nconns--;
	project_event *ev = new_event(p, PE_CLOSE, client);
	ev->c = xasprintf("close(%d)", fd);
	ev->py = xasprintf("%s.close()", nm);
	free(nm);
	finish(p, ev, r, e, NULL);
}

/* Sends what is queued; returns false when the connection was closed. */
static bool flush(project *p, size_t i)
{
	conn *c = &p->conns[i];
	while (c->outoff < c->outlen) {
		size_t n = c->outlen - c->outoff;
		ssize_t r = send(c->fd, c->out + c->outoff, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		int e = errno;
		if (r < 0 && (e == EAGAIN || e == EWOULDBLOCK))
			return true;	/* the client does not read: wait for room (POLLOUT) */
		project_event *ev = new_event(p, PE_SEND, c->client);
		strbuf cs = { 0 }, ps = { 0 };
		strbuf_addf(&cs, "send(%d, ", c->fd);
		ct_data_c(&cs, c->out + c->outoff, n);
		strbuf_addf(&cs, ", %zu, 0)", n);
		char *nm = py_name(c);
		strbuf_addf(&ps, "%s.sendall(", nm);
		free(nm);
		ct_data_py(&ps, c->out + c->outoff, n);
		strbuf_adds(&ps, ")");
		ev->c = strbuf_take(&cs);
		ev->py = strbuf_take(&ps);
		if (r > 0) {
			ev->data = xmalloc((size_t)r);
			memcpy(ev->data, c->out + c->outoff, (size_t)r);
			ev->datalen = (size_t)r;
			c->outoff += (size_t)r;
		}
		finish(p, ev, r, e, (size_t)r == n ? xstrdup("None") : NULL);
		if (r < 0) {
			do_close(p, i);
			return false;
		}
	}
	c->outlen = c->outoff = 0;
	if (c->close_after) {
		do_close(p, i);
		return false;
	}
	return true;
}

static void queue(conn *c, const char *d, size_t n)
{
	c->out = xrealloc(c->out, c->outlen + n);
	memcpy(c->out + c->outlen, d, n);
	c->outlen += n;
}

/* echo: every byte goes back; a line that is just "q" ends the session. */
static void serve_echo(conn *c, const char *d, size_t n)
{
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		if (d[i] != '\n')
			continue;
		size_t len = c->inlen + (i - from);
		char *line = xmalloc(len + 1);
		memcpy(line, c->in, c->inlen);
		memcpy(line + c->inlen, d + from, i - from);
		line[len] = 0;
		if (len && line[len - 1] == '\r')
			line[--len] = 0;
		bool quit = strcmp(line, "q") == 0;
		free(line);
		c->inlen = 0;
		if (quit) {
			queue(c, d, from);
			queue(c, "bye\n", 4);
			c->close_after = true;
			return;
		}
		from = i + 1;
	}
	/* keep the unfinished line (only its first bytes matter: is it "q"?) */
	size_t rest = n - from;
	if (rest && c->inlen < 8) {
		size_t keep = rest < 8 - c->inlen ? rest : 8 - c->inlen;
		c->in = xrealloc(c->in, c->inlen + keep);
		memcpy(c->in + c->inlen, d + from, keep);
		c->inlen += keep;
	}
	queue(c, d, n);
}

static void http_reply(conn *c, const char *status, const char *body, bool head)
{
	char *h = xasprintf("HTTP/1.1 %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
			    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, strlen(body));
	queue(c, h, strlen(h));
	if (!head)
		queue(c, body, strlen(body));
	free(h);
	c->close_after = true;
}

/* http: the request head (up to the empty line), then one answer, then close. */
static void serve_http(project *p, conn *c, const char *d, size_t n)
{
	if (c->close_after)
		return;		/* answered: the rest is ignored */
	c->in = xrealloc(c->in, c->inlen + n + 1);
	memcpy(c->in + c->inlen, d, n);
	c->inlen += n;
	c->in[c->inlen] = 0;
	char *end = strstr(c->in, "\r\n\r\n");
	if (!end)
		end = strstr(c->in, "\n\n");
	if (!end) {
		if (c->inlen > MAX_REQUEST)
			http_reply(c, "431 Request Header Fields Too Large", "Request too large.\n", false);
		return;
	}
	char method[16] = "", path[256] = "", version[16] = "";
	if (sscanf(c->in, "%15s %255s %15s", method, path, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7) != 0) {
		http_reply(c, "400 Bad Request", "This is not an HTTP/1.x request line.\n", false);
		return;
	}
	bool head = strcmp(method, "HEAD") == 0;
	if (!head && strcmp(method, "GET") != 0) {
		http_reply(c, "405 Method Not Allowed", "Only GET and HEAD are served here.\n", false);
		return;
	}
	if (strcmp(path, "/") != 0 && strcmp(path, "/hello") != 0) {
		char *b = xasprintf("No page %s here: try / or /hello.\n", path);
		http_reply(c, "404 Not Found", b, head);
		free(b);
		return;
	}
	char *b = xasprintf("Hello from socktutor on port %u!\nYou sent: %s %s %s\n"
			    "This answer was one send(); then the server closed the connection.\n",
			    p->port, method, path, version);
	http_reply(c, "200 OK", b, head);
	free(b);
}

static void do_accept(project *p)
{
	for (;;) {
		if (p->nconns >= MAX_CONNS)
			return;
		struct sockaddr_storage sa;
		socklen_t len = sizeof sa;
		int fd = accept4(p->lfd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		int e = errno;
		if (fd < 0 && (e == EAGAIN || e == EWOULDBLOCK))
			return;
		int client = fd >= 0 ? ++p->total : 0;
		if (fd >= 0) {
			grow_array((void **)&p->conns, &p->conncap, p->nconns, sizeof *p->conns);
			conn *c = &p->conns[p->nconns++];
			memset(c, 0, sizeof *c);
			c->fd = fd;
			c->client = client;
			c->ino = fd_ino(fd);
			grow_array((void **)&p->peers, &p->peercap, (size_t)client - 1,
				   sizeof *p->peers);
			p->peers[client - 1] = sa;
		}
		project_event *ev = new_event(p, PE_ACCEPT, client);
		strbuf cs = { 0 }, ps = { 0 };
		strbuf_addf(&cs, "accept(%d, ", p->lfd);
		ct_sa_out_c(&cs, &sa, fd >= 0);
		ev->c = strbuf_take(&cs);
		ev->py = xasprintf("c%d, addr = l.accept()", client);
		if (fd >= 0) {
			ev->peer = sa;
			strbuf_adds(&ps, "addr = ");
			ct_sa_py(&ps, &sa, true);
		}
		finish(p, ev, fd, e, ps.buf ? strbuf_take(&ps) : NULL);
		strbuf_free(&ps);
		if (fd < 0)
			return;
	}
}

/* Reads once from connection i; returns false when it was closed. */
static bool do_recv(project *p, size_t i)
{
	conn *c = &p->conns[i];
	ssize_t r = recv(c->fd, p->buf, sizeof p->buf, 0);
	int e = errno;
	if (r < 0 && (e == EAGAIN || e == EWOULDBLOCK))
		return true;
	project_event *ev = new_event(p, PE_RECV, c->client);
	char *nm = py_name(c);
	strbuf cs = { 0 }, ps = { 0 };
	strbuf_addf(&cs, "recv(%d, ", c->fd);
	if (r >= 0)
		ct_data_c(&cs, p->buf, (size_t)r);
	else
		strbuf_adds(&cs, "buf");
	strbuf_addf(&cs, ", %d, 0)", RECV_SIZE);
	ev->c = strbuf_take(&cs);
	ev->py = xasprintf("data = %s.recv(%d)", nm, RECV_SIZE);
	free(nm);
	if (r >= 0)
		ct_data_py(&ps, p->buf, (size_t)r);
	if (r > 0) {
		ev->data = xmalloc((size_t)r);
		memcpy(ev->data, p->buf, (size_t)r);
		ev->datalen = (size_t)r;
	}
	finish(p, ev, r, e, strbuf_take(&ps));
	if (r <= 0) {
		/* 0: the client sent its FIN, nothing more will come; -1: the connection broke */
		do_close(p, i);
		return false;
	}
	if (p->kind == PROJECT_ECHO)
		serve_echo(c, p->buf, (size_t)r);
	else
		serve_http(p, c, p->buf, (size_t)r);
	return flush(p, i);
}

size_t project_progress(project *p)
{
	size_t before = p->nev;
	struct pollfd fds[MAX_CONNS + 1];
	size_t n = project_pollfds(p, fds, MAX_CONNS + 1);
	int r = poll(fds, n, 0);
	if (r <= 0)
		return 0;
	project_event *ev = new_event(p, PE_POLL, 0);
	strbuf cs = { 0 }, ps = { 0 };
	strbuf_adds(&cs, "poll([");
	strbuf_adds(&ps, "[");
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(&cs, "%s{fd=%d, %s=%s}", i ? ", " : "", fds[i].fd,
			    fds[i].revents ? "revents" : "events",
			    (fds[i].revents ? fds[i].revents : fds[i].events) & POLLOUT ? "POLLOUT" :
			    (fds[i].revents & (POLLHUP | POLLERR)) && !(fds[i].revents & POLLIN) ?
			    "POLLHUP" : "POLLIN");
		if (fds[i].revents) {
			strbuf_addf(&ps, "%s(%d, %d)", first ? "" : ", ", fds[i].fd, fds[i].revents);
			first = false;
		}
	}
	strbuf_addf(&cs, "], %zu, -1)", n);
	strbuf_adds(&ps, "]");
	ev->c = strbuf_take(&cs);
	ev->py = xstrdup("events = p.poll()");
	finish(p, ev, r, 0, strbuf_take(&ps));

	/* the clients first (their descriptors may move as others close), then the listener */
	for (size_t k = n; k-- > 0;) {
		if (!fds[k].revents)
			continue;
		if (fds[k].fd == p->lfd) {
			do_accept(p);
			continue;
		}
		size_t i = 0;
		while (i < p->nconns && p->conns[i].fd != fds[k].fd)
			i++;
		if (i == p->nconns)
			continue;
		if (fds[k].revents & POLLOUT)
			flush(p, i);
		else
			do_recv(p, i);
	}
	return p->nev - before;
}
