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
#include <dirent.h>
#include <fcntl.h>
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
#define MAX_NAME 255		/* files: the longest name asked for */
#define MAX_FILE (1 << 20)	/* files: larger ones are refused */

static const struct {
	const char *name;
	unsigned port;
} kinds[PROJECT_COUNT] = { { "echo", 7007 }, { "http", 8080 }, { "chat", 7008 },
			   { "files", 7009 }, { "udpchat", 7010 }, { "client", 65432 } };

typedef struct conn {
	int fd;
	int client;		/* 1, 2, ... */
	ino_t ino;
	char *in;		/* http: the request head so far; echo: the current line */
	size_t inlen;
	char *out;		/* bytes still to send */
	size_t outlen, outoff;
	bool close_after;	/* close once out is sent */
	bool connecting;	/* PROJECT_CLIENT: connect() in progress */
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
	int dirfd;		/* PROJECT_FILES: the sandbox */
	char *sandbox;
	char **files;		/* project_sandbox_files() */
	size_t nfiles;
	struct sockaddr_storage upeer;	/* PROJECT_UDPCHAT: where typed lines go */
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
const char *project_sandbox(const project *p) { return p->sandbox; }
const struct sockaddr_storage *project_udp_peer(const project *p) { return &p->upeer; }
bool project_connected(const project *p) { return p->kind == PROJECT_CLIENT && p->nconns; }

bool project_takes_input(project_kind k)
{
	return k == PROJECT_CHAT || k == PROJECT_UDPCHAT || k == PROJECT_CLIENT;
}

static bool is_udp(const project *p)
{
	return p->kind == PROJECT_UDPCHAT;
}

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
	/* UDP chat: the student's endpoint is on its own port */
	uint16_t ports[2] = { (uint16_t)p->port, (uint16_t)observe_port(&p->upeer) };
	observe_entry *e = NULL;
	size_t n = 0;
	if (observe_snapshot(is_udp(p) ? IPPROTO_UDP : IPPROTO_TCP, ports, is_udp(p) ? 2 : 1, &e,
			     &n) != 0)
		return;
	ev->socks = n ? xcalloc(n, sizeof *ev->socks) : NULL;
	for (size_t i = 0; i < n; i++) {
		project_sock *s = &ev->socks[ev->nsocks++];
		s->e = e[i];
		bool server_side = observe_port(&e[i].local) == p->port;
		s->client = project_client_of(p, server_side ? &e[i].remote : &e[i].local);
		if (is_udp(p)) {
			/* this program's endpoint, and the student's */
			s->role = e[i].inode && e[i].inode == (unsigned)p->lino ? PR_LISTENER : PR_CLIENT;
			continue;
		}
		if (p->kind == PROJECT_CLIENT) {
			/* the port is the student's server's: its sockets, and this program's */
			s->role = e[i].state == TCPS_LISTEN ? PR_LISTENER : server_side ? PR_CONN : PR_CLIENT;
			s->client = 0;
			continue;
		}
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

/* The bytes an event carried (n > 0), for the views. */
static void keep_data(project_event *ev, const char *d, size_t n)
{
	if (!n)
		return;
	ev->data = xmalloc(n);
	memcpy(ev->data, d, n);
	ev->datalen = n;
}

static project_event *new_event(project *p, project_ev_kind kind, int client)
{
	grow_array((void **)&p->ev, &p->evcap, p->nev, sizeof *p->ev);
	project_event *ev = &p->ev[p->nev++];
	memset(ev, 0, sizeof *ev);
	ev->kind = kind;
	ev->project = p->kind;
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
		if (ev->kind != PE_SETUP && ev->kind != PE_FILE && ev->kind != PE_CONNECT)
			ev->kind = PE_ERROR;
	} else {
		ev->c_ret = xasprintf("= %ld", ret);
		ev->py_ret = py_ret;
	}
	snapshot(p, ev);
}

static char *py_name(const project *p, const conn *c)
{
	return p->kind == PROJECT_CLIENT ? xstrdup("s") : xasprintf("c%d", c->client);
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

/* host:port as a socket address, the family set. */
static bool make_addr(const char *host, unsigned port, struct sockaddr_storage *sa)
{
	memset(sa, 0, sizeof *sa);
	struct sockaddr_in *in = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
	} else {
		return false;
	}
	return true;
}

static void set_port(struct sockaddr_storage *sa, unsigned port)
{
	if (sa->ss_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)sa)->sin_port = htons((uint16_t)port);
}

static const char *family_name(const project *p)
{
	return p->family == AF_INET6 ? "AF_INET6" : "AF_INET";
}

/* socket() as an event: the descriptor, or -1. */
static int make_socket(project *p, int type, const char *pyname)
{
	int fd = socket(p->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int e = errno;
	const char *tn = type == SOCK_DGRAM ? "SOCK_DGRAM" : "SOCK_STREAM";
	char *c = xasprintf("socket(%s, %s, 0)", family_name(p), tn);
	char *py = xasprintf("%s = socket.socket(socket.%s, socket.%s)", pyname, family_name(p), tn);
	setup_event(p, c, py, fd, e);
	free(c);
	free(py);
	errno = e;
	return fd;
}

static bool make_sandbox(project *p, char **err);

/* The server's socket: socket, SO_REUSEADDR (TCP), bind to the port or the next free one,
 * listen (TCP). */
static bool open_server(project *p, struct sockaddr_storage *sa, unsigned port, char **err)
{
	bool udp = is_udp(p);
	const char *nm = udp ? "s" : "l";
	int fd = make_socket(p, udp ? SOCK_DGRAM : SOCK_STREAM, nm);
	if (fd < 0) {
		*err = xasprintf("socket: %s", strerror(errno));
		return false;
	}
	p->lfd = fd;
	p->lino = fd_ino(fd);
	int r;
	if (!udp) {
		int one = 1;
		r = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		char *c = xasprintf("setsockopt(%d, SOL_SOCKET, SO_REUSEADDR, [1], 4)", fd);
		setup_event(p, c, "l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)", r, errno);
		free(c);
	}

	/* the port asked for, else the next free one: each try is a real bind() */
	int e = 0;
	r = -1;
	for (unsigned tries = 0; tries <= (port ? PORT_TRIES : 0); tries++) {
		unsigned want = port ? port + tries : 0;
		if (want > 65535)
			break;
		set_port(sa, want);
		r = bind(fd, (struct sockaddr *)sa, ct_sa_len(sa));
		e = errno;
		strbuf cs = { 0 }, ps = { 0 };
		strbuf_addf(&cs, "bind(%d, ", fd);
		ct_sa_in_c(&cs, sa, true);
		strbuf_addf(&ps, "%s.bind(", nm);
		ct_sa_py(&ps, sa, false);
		strbuf_adds(&ps, ")");
		setup_event(p, cs.buf, ps.buf, r, e);
		strbuf_free(&cs);
		strbuf_free(&ps);
		if (r == 0 || e != EADDRINUSE)
			break;
		p->moved = true;
	}
	if (r != 0) {
		*err = xasprintf("bind to %s: %s", p->host, strerror(e));
		return false;
	}
	struct sockaddr_storage got;
	socklen_t len = sizeof got;
	getsockname(fd, (struct sockaddr *)&got, &len);
	p->port = observe_port(&got);
	if (udp)
		return true;
	r = listen(fd, BACKLOG);
	e = errno;
	char *c = xasprintf("listen(%d, %d)", fd, BACKLOG);
	char *py = xasprintf("l.listen(%d)", BACKLOG);
	setup_event(p, c, py, r, e);
	free(c);
	free(py);
	if (r != 0) {
		*err = xasprintf("listen: %s", strerror(e));
		return false;
	}
	return true;
}

project *project_open(project_kind k, const char *host, unsigned port, char **err)
{
	project *p = xcalloc(1, sizeof *p);
	p->kind = k;
	p->lfd = -1;
	p->dirfd = -1;
	p->asked = port;
	p->t0 = run_clock_ms();
	struct sockaddr_storage sa;
	if (!make_addr(host, 0, &sa)) {
		*err = xasprintf("'%s' is not a numeric IPv4 or IPv6 address", host);
		free(p);
		return NULL;
	}
	p->family = sa.ss_family;
	snprintf(p->host, sizeof p->host, "%s", host);
	if (k == PROJECT_CLIENT) {
		p->port = port;
		project_connect(p, port);
		return p;
	}
	if ((k == PROJECT_FILES && !make_sandbox(p, err)) || !open_server(p, &sa, port, err)) {
		project_close(p);
		return NULL;
	}
	if (k == PROJECT_UDPCHAT) {
		/* the student's endpoint, until another one writes */
		p->upeer = sa;
		set_port(&p->upeer, p->port < 65535 ? p->port + 1 : p->port - 1);
	}
	return p;
}

/* ---- the file server's sandbox -------------------------------------------------------------- */

/* The samples: text in English and in Chinese (a UTF-8 name too), every byte value, and a
 * file larger than one recv() so the client must loop until it has size bytes. */
static bool write_sample(int dirfd, const char *name, const char *d, size_t n)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	bool ok = write(fd, d, n) == (ssize_t)n;
	return close(fd) == 0 && ok;
}

static bool make_sandbox(project *p, char **err)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	struct stat sb;
	if (!base || !*base || stat(base, &sb) != 0 || !S_ISDIR(sb.st_mode) || access(base, W_OK) != 0)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	char *dir = xasprintf("%s/socktutor-files.XXXXXX", base);
	if (!mkdtemp(dir)) {
		*err = xasprintf("cannot make the sandbox directory %s: %s", dir, strerror(errno));
		free(dir);
		return false;
	}
	p->sandbox = dir;
	p->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	static const char hello[] = "Hello! This file came from socktutor's sandbox.\n"
				    "Ask for another: 你好.txt, bytes.bin, big.txt\n";
	static const char nihao[] = "你好！这个文件的名字和内容都是 UTF-8 编码。\n"
				    "同样的字节按 GBK 读，就成了另一串字。\n";
	char bytes[256];
	for (int i = 0; i < 256; i++)
		bytes[i] = (char)i;
	strbuf big = { 0 };
	for (int i = 1; i <= 1000; i++)
		strbuf_addf(&big, "line %04d: more than one recv() is needed for all of this.\n", i);
	bool ok = p->dirfd >= 0 && write_sample(p->dirfd, "hello.txt", hello, sizeof hello - 1) &&
		  write_sample(p->dirfd, "你好.txt", nihao, sizeof nihao - 1) &&
		  write_sample(p->dirfd, "bytes.bin", bytes, sizeof bytes) &&
		  write_sample(p->dirfd, "big.txt", big.buf, big.len);
	strbuf_free(&big);
	if (!ok)
		*err = xasprintf("cannot fill the sandbox directory %s: %s", dir, strerror(errno));
	return ok;
}

/* Empties and removes the sandbox: what it holds now (the student may have added files or
 * links, never followed), then the directory. */
static void remove_sandbox(project *p)
{
	if (p->dirfd >= 0) {
		int fd = dup(p->dirfd);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		struct dirent *de;
		if (d)
			rewinddir(d);
		while (d && (de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
			    unlinkat(p->dirfd, de->d_name, 0) != 0 && errno == EISDIR)
				unlinkat(p->dirfd, de->d_name, AT_REMOVEDIR);	/* if empty */
		if (d)
			closedir(d);
		else if (fd >= 0)
			close(fd);
		close(p->dirfd);
	}
	if (p->sandbox)
		rmdir(p->sandbox);
	free(p->sandbox);
	for (size_t i = 0; i < p->nfiles; i++)
		free(p->files[i]);
	free(p->files);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t project_sandbox_files(const project *p, char ***names)
{
	project *w = (project *)p;	/* the cache only */
	for (size_t i = 0; i < w->nfiles; i++)
		free(w->files[i]);
	w->nfiles = 0;
	size_t cap = 0;
	int fd = p->dirfd >= 0 ? dup(p->dirfd) : -1;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d) {
		rewinddir(d);
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			grow_array((void **)&w->files, &cap, w->nfiles, sizeof *w->files);
			w->files[w->nfiles++] = xstrdup(de->d_name);
		}
		closedir(d);
	} else if (fd >= 0) {
		close(fd);
	}
	if (w->nfiles)
		qsort(w->files, w->nfiles, sizeof *w->files, cmp_str);
	*names = w->files;
	return w->nfiles;
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
		free(ev->name);
	}
	free(p->ev);
	free(p->peers);
	remove_sandbox(p);
	free(p);
}

/* ---- serving -------------------------------------------------------------------------------- */

size_t project_pollfds(const project *p, struct pollfd *fds, size_t max)
{
	size_t n = 0;
	if (n < max && p->lfd >= 0 && (is_udp(p) || p->nconns < MAX_CONNS))
		fds[n++] = (struct pollfd){ .fd = p->lfd, .events = POLLIN };
	for (size_t i = 0; i < p->nconns && n < max; i++)
		fds[n++] = (struct pollfd){ .fd = p->conns[i].fd,
					    .events = (short)(p->conns[i].connecting ||
							      p->conns[i].outlen > p->conns[i].outoff ?
							      POLLOUT : POLLIN) };
	return n;
}

static void do_close(project *p, size_t i)
{
	conn *c = &p->conns[i];
	int fd = c->fd;
	int client = c->client;
	char *nm = py_name(p, c);
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
		char *nm = py_name(p, c);
		strbuf_addf(&ps, "%s.sendall(", nm);
		free(nm);
		ct_data_py(&ps, c->out + c->outoff, n);
		strbuf_adds(&ps, ")");
		ev->c = strbuf_take(&cs);
		ev->py = strbuf_take(&ps);
		if (r > 0) {
			keep_data(ev, c->out + c->outoff, (size_t)r);
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
		if (c->inlen)	/* c->in is NULL before the first partial line */
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

/* files: what the name may be — a plain name in the sandbox, never a path. */
static bool plain_name(const char *name, size_t len)
{
	if (!len || len > MAX_NAME || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '/' || (unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return false;	/* a NUL too */
	return true;
}

/* files: one request line answered — opened relative to the sandbox's descriptor with
 * O_NOFOLLOW, so neither a path nor a link can lead out of it. */
static void serve_file(project *p, conn *c, const char *name, size_t nlen)
{
	project_event *ev = new_event(p, PE_FILE, c->client);
	ev->name = xstrdup(name);
	bool plain = plain_name(name, nlen);
	strbuf cs = { 0 }, ps = { 0 };
	if (plain) {
		strbuf_addf(&cs, "openat(%d, ", p->dirfd);
		strbuf_adds(&ps, "f = os.open(");
	} else {
		strbuf_adds(&cs, "/* not opened: ");
		strbuf_adds(&ps, "# not opened: ");
	}
	ct_data_c(&cs, name, nlen);
	ct_data_py(&ps, name, nlen);
	strbuf_adds(&cs, plain ? ", O_RDONLY|O_NOFOLLOW|O_NONBLOCK)" : " is not a plain name */");
	strbuf_adds(&ps, plain ? ", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=d)" :
			   " is not a plain name");
	ev->c = strbuf_take(&cs);
	ev->py = strbuf_take(&ps);
	char *answer = NULL;
	char *body = NULL;
	size_t len = 0;
	int fd = -1, e = 0;
	if (!plain) {
		ev->file_why = PF_NOT_NAME;
		answer = xstrdup("ERR only names of files in the sandbox, no paths\n");
		snapshot(p, ev);
		goto answer;
	}
	fd = openat(p->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	e = errno;
	struct stat sb;
	if (fd < 0) {
		ev->file_why = e == ENOENT ? PF_MISSING : e == ELOOP ? PF_SYMLINK : PF_ERROR;
		answer = xasprintf("ERR %s\n", e == ENOENT ? "no such file" :
				   e == ELOOP ? "symbolic links are not served" : strerror(e));
	} else if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		ev->file_why = PF_NOT_FILE;
		answer = xstrdup("ERR not a regular file\n");
	} else if (sb.st_size > MAX_FILE) {
		ev->file_why = PF_TOO_BIG;
		answer = xasprintf("ERR larger than %d bytes\n", MAX_FILE);
	} else {
		body = xmalloc((size_t)sb.st_size + 1);
		ssize_t got = pread(fd, body, (size_t)sb.st_size, 0);
		if (got < 0) {
			e = errno;
			ev->file_why = PF_ERROR;
			answer = xasprintf("ERR %s\n", strerror(e));
		} else {
			len = (size_t)got;
			ev->file_why = PF_SENT;
			answer = xasprintf("OK %zu\n", len);
		}
	}
	finish(p, ev, fd, e, fd >= 0 ? xasprintf("f = %d", fd) : NULL);
	if (fd >= 0)
		close(fd);
answer:
	queue(c, answer, strlen(answer));
	if (ev->file_why == PF_SENT && len)
		queue(c, body, len);
	free(answer);
	free(body);
}

/* files: a name per line ("\r\n" too); each is answered "OK size\n" and the bytes, or
 * "ERR reason\n". A line too long for a name ends the session. */
static void serve_files(project *p, size_t i, const char *d, size_t n)
{
	conn *c = &p->conns[i];
	for (size_t k = 0; k < n && !c->close_after; k++) {
		if (d[k] != '\n') {
			if (c->inlen > MAX_NAME + 2) {
				const char *m = "ERR that name is too long\n";
				queue(c, m, strlen(m));
				c->close_after = true;
				return;
			}
			c->in = xrealloc(c->in, c->inlen + 2);
			c->in[c->inlen++] = d[k];
			continue;
		}
		if (c->inlen && c->in[c->inlen - 1] == '\r')
			c->inlen--;
		char *name = xmalloc(c->inlen + 1);
		memcpy(name, c->in, c->inlen);
		name[c->inlen] = 0;
		size_t nlen = c->inlen;
		c->inlen = 0;
		serve_file(p, c, name, nlen);
		free(name);
	}
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
	char *nm = py_name(p, c);
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
	if (r > 0)
		keep_data(ev, p->buf, (size_t)r);
	finish(p, ev, r, e, strbuf_take(&ps));
	if (r <= 0) {
		/* 0: the client sent its FIN, nothing more will come; -1: the connection broke */
		do_close(p, i);
		return false;
	}
	switch (p->kind) {
	case PROJECT_ECHO: serve_echo(c, p->buf, (size_t)r); break;
	case PROJECT_HTTP: serve_http(p, c, p->buf, (size_t)r); break;
	case PROJECT_FILES: serve_files(p, i, p->buf, (size_t)r); break;
	default: break;		/* chat, client: the student answers, or not */
	}
	return flush(p, i);
}

/* ---- UDP chat ------------------------------------------------------------------------------- */

/* One datagram in, with the sender's address; later lines go back to that sender. */
static void do_recvfrom(project *p)
{
	struct sockaddr_storage from;
	socklen_t flen = sizeof from;
	memset(&from, 0, sizeof from);
	ssize_t r = recvfrom(p->lfd, p->buf, sizeof p->buf, 0, (struct sockaddr *)&from, &flen);
	int e = errno;
	if (r < 0 && (e == EAGAIN || e == EWOULDBLOCK))
		return;
	project_event *ev = new_event(p, PE_RECV, 0);
	strbuf cs = { 0 }, ps = { 0 };
	strbuf_addf(&cs, "recvfrom(%d, ", p->lfd);
	if (r >= 0)
		ct_data_c(&cs, p->buf, (size_t)r);
	else
		strbuf_adds(&cs, "buf");
	strbuf_addf(&cs, ", %d, 0, ", RECV_SIZE);
	ct_sa_out_c(&cs, &from, r >= 0);
	ev->c = strbuf_take(&cs);
	ev->py = xasprintf("data, addr = s.recvfrom(%d)", RECV_SIZE);
	if (r >= 0) {
		strbuf_adds(&ps, "(");
		ct_data_py(&ps, p->buf, (size_t)r);
		strbuf_adds(&ps, ", ");
		ct_sa_py(&ps, &from, true);
		strbuf_adds(&ps, ")");
		ev->peer = from;
		p->upeer = from;
		keep_data(ev, p->buf, (size_t)r);
	}
	finish(p, ev, r, e, r >= 0 ? strbuf_take(&ps) : NULL);
	strbuf_free(&ps);
}

static size_t say_udp(project *p, const char *d, size_t n)
{
	ssize_t r = sendto(p->lfd, d, n, 0, (const struct sockaddr *)&p->upeer, ct_sa_len(&p->upeer));
	int e = errno;
	project_event *ev = new_event(p, PE_SEND, 0);
	strbuf cs = { 0 }, ps = { 0 };
	strbuf_addf(&cs, "sendto(%d, ", p->lfd);
	ct_data_c(&cs, d, n);
	strbuf_addf(&cs, ", %zu, 0, ", n);
	ct_sa_in_c(&cs, &p->upeer, true);
	strbuf_adds(&ps, "s.sendto(");
	ct_data_py(&ps, d, n);
	strbuf_adds(&ps, ", ");
	ct_sa_py(&ps, &p->upeer, true);
	strbuf_adds(&ps, ")");
	ev->c = strbuf_take(&cs);
	ev->py = strbuf_take(&ps);
	ev->peer = p->upeer;
	if (r > 0)
		keep_data(ev, d, (size_t)r);
	finish(p, ev, r, e, r >= 0 ? xasprintf("%zd", r) : NULL);
	return 1;
}

/* ---- the client of the student's server ------------------------------------------------------ */

/* The result of a connect() that was in progress: getsockopt(SO_ERROR). */
static int so_error(int fd)
{
	int soerr = 0;
	socklen_t len = sizeof soerr;
	return getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 ? soerr : errno;
}

static void connected(project *p, size_t i)
{
	conn *c = &p->conns[i];
	int soerr = so_error(c->fd);
	c->connecting = false;
	project_event *ev = new_event(p, PE_CONNECT, 0);
	ev->c = xasprintf("getsockopt(%d, SOL_SOCKET, SO_ERROR, [%d], [4])", c->fd, soerr);
	ev->py = xstrdup("err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)");
	ev->peer = p->peers[0];
	finish(p, ev, soerr ? -1 : 0, soerr, xstrdup("0"));
	if (soerr)
		do_close(p, i);
}

size_t project_connect(project *p, unsigned port)
{
	size_t before = p->nev;
	if (p->kind != PROJECT_CLIENT)
		return 0;
	while (p->nconns)
		do_close(p, 0);
	p->port = port;
	p->moved = false;
	int fd = make_socket(p, SOCK_STREAM, "s");
	if (fd < 0)
		return p->nev - before;
	struct sockaddr_storage sa;
	make_addr(p->host, port, &sa);
	grow_array((void **)&p->peers, &p->peercap, 0, sizeof *p->peers);
	p->peers[0] = sa;
	p->total++;
	grow_array((void **)&p->conns, &p->conncap, p->nconns, sizeof *p->conns);
	conn *c = &p->conns[p->nconns++];
	memset(c, 0, sizeof *c);
	c->fd = fd;
	c->ino = fd_ino(fd);
	/* loopback answers at once; a server whose queue is full leaves it in progress */
	int r = connect(fd, (struct sockaddr *)&sa, ct_sa_len(&sa));
	int e = errno;
	if (r < 0 && e == EINPROGRESS) {
		struct pollfd pf = { .fd = fd, .events = POLLOUT };
		if (poll(&pf, 1, 200) == 1) {
			e = so_error(fd);
			r = e ? -1 : 0;
		}
	}
	project_event *ev = new_event(p, PE_CONNECT, 0);
	strbuf cs = { 0 }, ps = { 0 };
	strbuf_addf(&cs, "connect(%d, ", fd);
	ct_sa_in_c(&cs, &sa, true);
	strbuf_adds(&ps, "s.connect(");
	ct_sa_py(&ps, &sa, false);
	strbuf_adds(&ps, ")");
	ev->c = strbuf_take(&cs);
	ev->py = strbuf_take(&ps);
	ev->peer = sa;
	c->connecting = r < 0 && e == EINPROGRESS;
	finish(p, ev, r, e, NULL);
	if (r < 0 && !c->connecting)
		do_close(p, p->nconns - 1);
	return p->nev - before;
}

size_t project_shutdown(project *p)
{
	if (p->kind != PROJECT_CLIENT || !p->nconns)
		return 0;
	conn *c = &p->conns[0];
	int r = shutdown(c->fd, SHUT_WR);
	int e = errno;
	project_event *ev = new_event(p, PE_SHUTDOWN, 0);
	ev->c = xasprintf("shutdown(%d, SHUT_WR)", c->fd);
	ev->py = xstrdup("s.shutdown(socket.SHUT_WR)");
	finish(p, ev, r, e, NULL);
	return 1;
}

size_t project_say(project *p, const char *d, size_t n)
{
	size_t before = p->nev;
	if (p->kind == PROJECT_UDPCHAT)
		return say_udp(p, d, n);
	if (p->kind != PROJECT_CHAT && p->kind != PROJECT_CLIENT)
		return 0;
	/* flush() may close a connection and move the later ones down: from the last */
	for (size_t i = p->nconns; i-- > 0;) {
		if (p->conns[i].connecting)
			continue;
		queue(&p->conns[i], d, n);
		flush(p, i);
	}
	return p->nev - before;
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
			if (is_udp(p))
				do_recvfrom(p);
			else
				do_accept(p);
			continue;
		}
		size_t i = 0;
		while (i < p->nconns && p->conns[i].fd != fds[k].fd)
			i++;
		if (i == p->nconns)
			continue;
		if (p->conns[i].connecting)
			connected(p, i);
		else if (fds[k].revents & POLLOUT)
			flush(p, i);
		else
			do_recv(p, i);
	}
	return p->nev - before;
}
