#include "config.h"

#include "demotext.h"
#include "observe.h"
#include "tools.h"
#include "core/errnames.h"
#include "core/i18n.h"
#include "core/text.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <time.h>
#include <sys/utsname.h>
#include <string.h>
#include <sys/resource.h>

const char *demo_errno_explain(int err)
{
	return _(errno_explain(err));
}

char *demo_states_line(const run_event *ev)
{
	strbuf sb = { 0 };
	for (size_t i = 0; i < ev->nsocks; i++) {
		const run_sock *s = &ev->socks[i];
		char la[64], ra[64];
		run_format_addr(&s->local, la, sizeof la);
		if (i)
			strbuf_adds(&sb, ", ");
		strbuf_addf(&sb, "%s %s", s->name, s->state);
		if (observe_port(&s->local))
			strbuf_addf(&sb, " %s", la);
		if (s->has_remote) {
			run_format_addr(&s->remote, ra, sizeof ra);
			strbuf_addf(&sb, "->%s", ra);
		}
		if (s->listener)
			strbuf_addf(&sb, " q=%u/%u", s->rq, s->wq);
		else if (s->rq)
			strbuf_addf(&sb, " rq=%u", s->rq);
		if (!s->listener && s->wq && !s->udp)
			strbuf_addf(&sb, " wq=%u", s->wq);
	}
	return strbuf_take(&sb);
}

const char *demo_fate_text(lab_fate f)
{
	switch (f) {
	case FATE_DROPPED: return _("dropped");
	case FATE_DUPLICATED: return _("delivered twice");
	case FATE_REORDERED: return _("overtaken: delivered after the next packet");
	case FATE_DELAYED: return _("delayed");
	default: return NULL;
	}
}

char *demo_side_name(const run *r, int side)
{
	const script *s = run_script(r);
	strbuf sb = { 0 };
	for (size_t a = 0; a < s->nactors; a++) {
		if (run_actor_side(r, (int)a) != side)
			continue;
		if (sb.len)
			strbuf_addc(&sb, '/');
		strbuf_adds(&sb, s->actors[a]);
	}
	return strbuf_take(&sb);
}

int demo_packet_actor(const run *r, const run_event *ev, bool src)
{
	if (!ev->pkt)
		return -1;
	uint16_t port = observe_port(src ? &ev->pkt->src : &ev->pkt->dst);
	int side = ev->from < 0 ? -1 : src ? ev->from : !ev->from;
	for (size_t i = 0; port && i < ev->nsocks; i++) {
		const run_sock *k = &ev->socks[i];
		if (k->actor >= 0 && observe_port(&k->local) == port &&
		    (side < 0 || run_actor_side(r, k->actor) == side))
			return k->actor;
	}
	return -1;
}

/* A packet's end by name: its socket's actor, else the actors of its side. */
static char *end_name(const run *r, const run_event *ev, bool src)
{
	int actor = demo_packet_actor(r, ev, src);
	if (actor >= 0)
		return xstrdup(run_script(r)->actors[actor]);
	if (ev->from < 0)
		return xstrdup("?");
	return demo_side_name(r, src ? ev->from : !ev->from);
}

void demo_packet_ends(const run *r, const run_event *ev, char **from, char **to)
{
	*from = end_name(r, ev, true);
	*to = end_name(r, ev, false);
}

const char *demo_wire_text(const run *r, const run_event *ev)
{
	static char buf[128];
	switch (ev->wire) {
	case SW_HOLD:
		return _("the wire holds every packet until it is delivered by hand");
	case SW_PASS:
		return ev->ms ? _("the wire delivers every packet after a delay") :
			_("the wire delivers every packet at once");
	case SW_DELIVER:
		if (ev->wire_actor < 0)
			return _("deliver the first held packet");
		snprintf(buf, sizeof buf, _("deliver the first packet held from %s"),
			 run_script(r)->actors[ev->wire_actor]);
		return buf;
	case SW_DROP:
		return _("the next packet will be dropped");
	case SW_DUPLICATE:
		return _("the next packet will be delivered twice");
	case SW_SWAP:
		return _("the next two packets will be delivered in the opposite order");
	case SW_DELAY:
		break;
	}
	return _("the next packet will be delayed");
}

char *demo_packet_short(const run_event *ev, int level)
{
	const pkt *p = ev->pkt;
	if (!p)
		return xstrdup(ev->c ? ev->c : "?");
	strbuf sb = { 0 };
	if (p->proto == PKT_TCP) {
		char f[PKT_FLAGS_LEN];
		pkt_flags(p->flags, f, sizeof f);
		strbuf_addf(&sb, "%s seq=%u", f, ev->rel.rel_seq);
		if (p->flags & PKT_ACK)
			strbuf_addf(&sb, " ack=%u", ev->rel.has_ack ? ev->rel.rel_ack : p->ack);
		if (level < 2)
			strbuf_addf(&sb, " len=%zu", p->payload_len);
		if (level < 1)
			strbuf_addf(&sb, " win=%lu", ev->rel.window);
		if (p->payload_len && level < 1) {
			char *t = pkt_preview_text(p, 16);
			strbuf_addf(&sb, " \"%s%s\"", t, p->payload_len > 16 ? "..." : "");
			free(t);
		}
	} else if (p->proto == PKT_UDP) {
		strbuf_addf(&sb, "UDP len=%zu", p->payload_len);
		if (level < 2) {
			char *t = pkt_preview_text(p, 16);
			strbuf_addf(&sb, " \"%s%s\"", t, p->payload_len > 16 ? "..." : "");
			free(t);
		}
	} else {
		const char *icmp = ev->c ? strstr(ev->c, "ICMP") : NULL;
		strbuf_adds(&sb, icmp ? icmp : ev->c ? ev->c : "?");
	}
	return strbuf_take(&sb);
}

static const char *actor_name(const run *r, int actor)
{
	return actor >= 0 ? run_script(r)->actors[actor] : "";
}

static void print_check(FILE *out, const run *r, const run_event *ev)
{
	if (!ev->check)
		return;
	const script *s = run_script(r);
	int line = ev->step >= 0 ? s->steps[ev->step].line : 0;
	if (ev->check > 0)
		fprintf(out, "         %s %s\n", _("ok:"), ev->expected);
	else
		fprintf(out, "         %s %s:%d: %s %s; %s %s\n", _("FAILED:"), s->file, line,
			_("expected"), ev->expected ? ev->expected : "-", _("observed"),
			ev->observed ? ev->observed : "-");
}

/* A scene's narration in the lesson's words, or its name when there is none. */
static const char *scene_text(const script *s, const lesson_block *narration, int scene)
{
	const char *name = s->scenes[scene].name;
	const char *text = narration ? lesson_block_narration(narration, name) : NULL;
	return text ? text : name;
}

void demo_print_event(FILE *out, const run *r, const lesson_block *narration,
		      const run_event *ev)
{
	const script *s = run_script(r);
	switch (ev->kind) {
	case EV_SCENE:
		fprintf(out, "-- %s\n", scene_text(s, narration, ev->scene));
		break;
	case EV_BLOCKED:
		fprintf(out, "%-8s %s  ... %s\n", actor_name(r, ev->actor), ev->c,
			_("blocked, waiting"));
		fprintf(out, "         %s\n", ev->py);
		break;
	case EV_CALL:
		fprintf(out, "%-8s %s %s%s\n", actor_name(r, ev->actor), ev->c, ev->c_ret,
			ev->waited ? _("  (after waiting)") : "");
		if (ev->ret < 0 && ev->err)
			fprintf(out, "         %s: %s\n", errno_name(ev->err) ? errno_name(ev->err) : "errno",
				demo_errno_explain(ev->err));
		fprintf(out, "         %s%s%s\n", ev->py, ev->py_ret ? "  -> " : "",
			ev->py_ret ? ev->py_ret : "");
		print_check(out, r, ev);
		break;
	case EV_WAIT:
		if (ev->c)
			fprintf(out, "%-8s %s\n", "", ev->c);
		else
			fprintf(out, "%-8s %s %s\n", "", _("wait until"), ev->expected);
		print_check(out, r, ev);
		break;
	case EV_EXPECT:
		print_check(out, r, ev);
		break;
	case EV_ERROR:
		fprintf(out, "%s %s: %s\n", _("STOPPED:"), s->file, ev->observed);
		break;
	case EV_STATES:
		fprintf(out, "%-8s %s\n", "", ev->c);
		break;
	case EV_WIRE:
		fprintf(out, "%-8s %s  (%s)\n", "", ev->c, demo_wire_text(r, ev));
		break;
	case EV_PACKET: {
		char *from, *to;
		demo_packet_ends(r, ev, &from, &to);
		/* the first column is 8 columns wide, whatever the script's characters */
		const char *word = _("packet");
		int w = text_width(word, strlen(word));
		fprintf(out, "%s%*s ", word, w < 8 ? 8 - w : 0, "");
		fprintf(out, "%s -> %s  ", from, to);
		fprintf(out, "%s\n", ev->c);
		const char *fate = demo_fate_text(ev->fate);
		if (fate || ev->retrans) {
			fprintf(out, "         (");
			if (ev->retrans)
				fprintf(out, _("retransmission, %.1f s after the first"),
					ev->retrans_ms / 1000.0);
			fprintf(out, "%s%s)\n", fate && ev->retrans ? "; " : "", fate ? fate : "");
		}
		free(from);
		free(to);
		break;
	}
	}
}

const char *demo_choice_text(const char *text)
{
	/* TRANSLATORS: a choice of a prediction: the call has to wait. */
	return strcmp(text, "blocks") == 0 ? _("blocks (waits)") : text;
}

const char *demo_predict_field(const run *r, const lesson_block *b, size_t p, const char *field)
{
	char *key = xasprintf("%s %s", field, run_script(r)->predicts[p].name);
	const char *t = b ? lesson_block_narration(b, key) : NULL;
	free(key);
	return t;
}

char *demo_predict_question(const run *r, const lesson_block *b, size_t p)
{
	const script_predict *pr = &run_script(r)->predicts[p];
	const char *ask = demo_predict_field(r, b, p, "ask");
	strbuf sb = { 0 };
	strbuf_adds(&sb, ask ? ask : pr->name);
	if (!pr->nchoices) {
		strbuf_addf(&sb, "  [%s]", _("type your answer"));
		return strbuf_take(&sb);
	}
	strbuf_adds(&sb, "  [");
	for (size_t i = 0; i < pr->nchoices; i++)
		strbuf_addf(&sb, "%s%zu) %s", i ? "  " : "", i + 1, demo_choice_text(pr->choices[i].text));
	strbuf_adds(&sb, "]");
	return strbuf_take(&sb);
}

typedef struct printer {
	FILE *out;
	const run *r;
	const lesson_block *narration;
	char *last_states;
	char *asked;		/* per prediction: 1 asked, 2 answered */
	bool tools;
} printer;

/* Before the first event of a predicted step: the question; once the kernel has answered:
 * the answer and why. */
static void print_predictions(printer *p, const run_event *ev, bool before)
{
	const script *s = run_script(p->r);
	for (size_t i = 0; i < s->npredicts; i++) {
		if (before && !p->asked[i] && ev->step == s->predicts[i].step &&
		    (ev->kind == EV_CALL || ev->kind == EV_BLOCKED || ev->kind == EV_EXPECT)) {
			char *q = demo_predict_question(p->r, p->narration, i);
			fprintf(p->out, "%-8s %s\n", _("predict"), q);
			free(q);
			p->asked[i] = 1;
		}
		char *t;
		if (!before && p->asked[i] == 1 && run_predict_outcome(p->r, i, &t) > -2) {
			const char *why = demo_predict_field(p->r, p->narration, i, "why");
			fprintf(p->out, "%-8s %s %s\n", "", script_predict_is_library(s, i) ?
				_("the C library's answer:") : _("the kernel's answer:"),
				demo_choice_text(t));
			if (why)
				fprintf(p->out, "%-8s %s\n", "", why);
			free(t);
			p->asked[i] = 2;
		}
	}
}

static void print_cb(const run_event *ev, void *arg)
{
	printer *p = arg;
	if (p->tools) {
		size_t i = run_nevents(p->r);
		while (i > 0 && run_event_at(p->r, i - 1) != ev)
			i--;
		if (ev->kind == EV_SCENE || ev->kind == EV_ERROR || ev->check < 0)
			demo_print_event(p->out, p->r, p->narration, ev);
		if (i > 0)
			tools_print_event(p->out, p->r, i - 1);
		return;
	}
	print_predictions(p, ev, true);
	demo_print_event(p->out, p->r, p->narration, ev);
	print_predictions(p, ev, false);
	char *st = demo_states_line(ev);
	if (*st && (!p->last_states || strcmp(st, p->last_states) != 0))
		fprintf(p->out, "         [%s]\n", st);
	free(p->last_states);
	p->last_states = st;
}

char *demo_transcript(const run *r, const lesson_block *narration, const char *title)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return xstrdup("");
	time_t now = time(NULL);
	char when[32];
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime(&now));
	struct utsname u;
	if (uname(&u) != 0)
		strcpy(u.release, "?");
	fprintf(out, "# %s\n\n", title);
	fprintf(out, _("*socktutor %s, %s, Linux %s. Every call below was made on the real kernel; after each one, the lines strace -f, ss -tuan and (in the packet lab) tcpdump -n would print for it.*\n"),
		PACKAGE_VERSION, when, u.release);
	const script *s = run_script(r);
	printer p = { out, r, narration, NULL, xcalloc(s->npredicts + 1, 1), false };
	bool open = false;
	for (size_t i = 0; i < run_nevents(r); i++) {
		const run_event *ev = run_event_at(r, i);
		if (ev->kind == EV_SCENE) {
			fprintf(out, "%s\n## %s\n\n", open ? "```\n" : "", scene_text(s, narration, ev->scene));
			open = false;
			continue;
		}
		if (!open)
			fputs("```text\n", out);
		open = true;
		print_cb(ev, &p);
		tools_print_event(out, r, i);
	}
	if (open)
		fputs("```\n", out);
	free(p.asked);
	free(p.last_states);
	fclose(out);
	return buf;
}

void demo_print_since(FILE *out, const run *r, size_t *shown, char **last_states)
{
	printer p = { out, r, NULL, *last_states, NULL, false };
	while (*shown < run_nevents(r))
		print_cb(run_event_at(r, (*shown)++), &p);
	*last_states = p.last_states;
}

int demo_print(FILE *out, const catalog *c, size_t i, lang_id lang, lab *l, bool tools)
{
	if (!catalog_demo_ready(c, i)) {
		fprintf(out, "== %s: %s\n", catalog_demo_id(c, i), _("The demo's file has errors now; socktutor --check-lessons lists them."));
		return 1;
	}
	const script *s = catalog_demo(c, i);
	const lesson_block *b = catalog_demo_block(c, lang, i);
	const lesson *les = catalog_lesson(c, lang, catalog_demo_lesson(c, i));
	fprintf(out, "== %s: %s (%s %s)\n", s->id, lesson_block_narration(b, "title"), _("lesson"),
		lesson_id(les));
	if (s->needs_lab && (!l || lab_get_mode(l) != LAB_FULL)) {
		fprintf(out, "== %s: %s\n", s->id, _("this demo needs the packet lab's wire (see socktutor --lab-check)"));
		return 1;
	}
	run *r = run_new_lab(s, l);
	printer p = { out, r, b, NULL, xcalloc(s->npredicts + 1, 1), tools };
	if (tools)
		fprintf(out, "         %s\n", tools_ss_header());
	run_all(r, print_cb, &p);
	int fails = run_failures(r) + demo_check_predictions(out, r);
	free(p.asked);
	fprintf(out, "== %s: %s\n", s->id,
		fails ? _("some results were not as the lesson expects") : _("every result as expected"));
	free(p.last_states);
	run_free(r);
	return fails;
}

void demo_print_list(FILE *out, const catalog *c, lang_id lang)
{
	for (size_t i = 0; i < catalog_ndemos(c); i++) {
		const lesson *l = catalog_lesson(c, lang, catalog_demo_lesson(c, i));
		fprintf(out, "%s\t%s\t%s\n", catalog_demo_id(c, i), lesson_id(l),
			lesson_block_narration(catalog_demo_block(c, lang, i), "title"));
	}
}

static double cpu_ms(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

typedef struct checker {
	FILE *out;
	const run *r;
	bool verbose;
	const lesson_block *narration;
	int checks;
	int exposed;		/* sockets found reachable beyond loopback */
	unsigned told[8];	/* the inodes of the first of them, each reported once */
	long looks;		/* how many times it was looked */
} checker;

/* After every event of a self-check: no socket the demo holds may be reachable from other
 * machines (observe_exposed(), through sock_diag). */
static void check_exposure(checker *k)
{
	observe_entry *e;
	size_t n;
	if (observe_exposed(&e, &n) < 0) {
		fprintf(k->out, "         %s %s: %s\n", _("FAILED:"),
			_("cannot list this program's sockets through sock_diag"), strerror(errno));
		k->exposed++;
		return;
	}
	k->looks++;
	for (size_t i = 0; i < n; i++) {
		bool told = false;
		for (int j = 0; j < k->exposed && j < 8; j++)
			told |= k->told[j] == e[i].inode;
		if (told)
			continue;
		if (k->exposed < 8)
			k->told[k->exposed] = e[i].inode;
		char *line = observe_format(&e[i]);
		/* TRANSLATORS: %s is a socket as ss prints it (state, queues, addresses) */
		fprintf(k->out, "         %s ", _("FAILED:"));
		fprintf(k->out, _("a socket of this demo can be reached from other machines: %s"), line);
		fputc('\n', k->out);
		free(line);
		k->exposed++;
	}
	observe_free(e);
}

static void check_cb(const run_event *ev, void *arg)
{
	checker *k = arg;
	check_exposure(k);
	if (ev->check)
		k->checks++;
	if (k->verbose)
		demo_print_event(k->out, k->r, k->narration, ev);
	else if (ev->check < 0)
		print_check(k->out, k->r, ev);
	if (!k->verbose && ev->kind == EV_ERROR)
		demo_print_event(k->out, k->r, k->narration, ev);
}

int demo_check_predictions(FILE *out, const run *r)
{
	const script *s = run_script(r);
	int fails = 0;
	for (size_t i = 0; i < s->npredicts; i++) {
		const script_predict *pr = &s->predicts[i];
		char *t = NULL;
		int k = run_predict_outcome(r, i, &t);
		if (k == -2) {
			fprintf(out, "         %s %s:%d: %s\n", _("FAILED:"), s->file, pr->line,
				_("the predicted step never gave its answer"));
			fails++;
		} else if (k < 0 && pr->nchoices) {
			fprintf(out, "         %s %s:%d: ", _("FAILED:"), s->file, pr->line);
			/* TRANSLATORS: %s is a prediction's name, the second the kernel's result. */
			fprintf(out, _("prediction '%s': the kernel answered %s, which is not one of the choices"),
				pr->name, t);
			fputc('\n', out);
			fails++;
		}
		free(t);
	}
	return fails;
}

/* Descriptors this process has open. */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n - 1;	/* the directory's own descriptor */
}

/* The ports a run's sockets used, gathered from its events. */
typedef struct portset {
	uint16_t *p;
	size_t n, cap;
} portset;

static void add_port(portset *ps, uint16_t port)
{
	if (!port)
		return;
	for (size_t i = 0; i < ps->n; i++)
		if (ps->p[i] == port)
			return;
	grow_array((void **)&ps->p, &ps->cap, ps->n, sizeof *ps->p);
	ps->p[ps->n++] = port;
}

static void run_ports(const run *r, portset *ps)
{
	ps->n = 0;
	for (size_t i = 0; i < run_nevents(r); i++) {
		const run_event *ev = run_event_at(r, i);
		for (size_t k = 0; k < ev->nsocks; k++) {
			add_port(ps, observe_port(&ev->socks[k].local));
			add_port(ps, observe_port(&ev->socks[k].remote));
		}
	}
}

/* Sockets the kernel still has on these ports, TIME_WAIT counted apart (a lesson may mean
 * it); waits up to 500 ms for connections closed a moment ago to finish closing. */
static int strays(const portset *ps, int *time_wait)
{
	int left = 0;
	for (int tries = 0; tries < 50; tries++) {
		left = 0;
		*time_wait = 0;
		for (int proto = 0; proto < 2; proto++) {
			observe_entry *e;
			size_t n;
			if (observe_snapshot(proto ? IPPROTO_UDP : IPPROTO_TCP, ps->p, ps->n, &e, &n) < 0)
				return -1;
			for (size_t i = 0; i < n; i++)
				if (e[i].state == TCPS_TIME_WAIT)
					++*time_wait;
				else
					left++;
			observe_free(e);
		}
		if (!left)
			break;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return left;
}

/* Heap in use, in bytes (what malloc has handed out and not got back). glibc counts the
 * blocks its per-thread cache holds as in use, so main() runs a stress check with that
 * cache off (GLIBC_TUNABLES=glibc.malloc.tcache_count=0). */
static long heap_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	return (long)mallinfo2().uordblks;
#else
	return 0;
#endif
}

/* Runs demo i once, checked; returns its failures. */
static int check_once(FILE *out, const catalog *c, lang_id lang, bool verbose, lab *lb, size_t i,
		      int *nchecks, long *looks, int *exposed, portset *ps)
{
	const script *s = catalog_demo(c, i);
	run *r = run_new_lab(s, lb);
	checker k = { out, r, verbose, catalog_demo_block(c, lang, i), 0, 0, { 0 }, 0 };
	run_all(r, check_cb, &k);
	int fails = run_failures(r) + demo_check_predictions(out, r) + k.exposed;
	*nchecks = k.checks + (int)s->npredicts;
	*exposed += k.exposed;
	*looks += k.looks;
	if (ps)
		run_ports(r, ps);
	run_free(r);
	return fails;
}

int demo_self_check(FILE *out, const catalog *c, lang_id lang, bool verbose, lab *lb, int only,
		    long repeat)
{
	int failed = 0, exposed = 0;
	long looks = 0;
	portset ps = { 0 };
	for (size_t i = 0; i < catalog_ndemos(c); i++) {
		const lesson *l = catalog_lesson(c, lang, catalog_demo_lesson(c, i));
		if (only >= 0 && (size_t)only != i)
			continue;
		if (!catalog_demo_ready(c, i)) {
			fprintf(out, "FAIL %-12s %s\n", catalog_demo_id(c, i), _("The demo's file has errors now; socktutor --check-lessons lists them."));
			failed++;
			continue;
		}
		const script *s = catalog_demo(c, i);
		if (s->needs_lab && (!lb || lab_get_mode(lb) != LAB_FULL)) {
			fprintf(out, "skip %-12s %s %-12s %s\n", s->id, _("lesson"), lesson_id(l),
				_("needs the packet lab's wire (see socktutor --lab-check)"));
			continue;
		}
		int fds0 = open_fds(), checks;
		double w0 = run_clock_ms(), c0 = cpu_ms();
		int fails = check_once(out, c, lang, verbose, lb, i, &checks, &looks, &exposed, NULL);
		fprintf(out, "%s %-12s %s %-12s %3d %s  %6.0f ms  (CPU %.0f ms)\n",
			fails ? "FAIL" : "ok  ", s->id, _("lesson"), lesson_id(l), checks,
			_("checks"), run_clock_ms() - w0, cpu_ms() - c0);
		if (repeat > 1) {
			long heap0 = 0;
			int stray = 0, tw = 0, runs_failed = 0;
			w0 = run_clock_ms();
			c0 = cpu_ms();
			for (long n = 1; n < repeat; n++) {
				/* the heap is compared from the end of the second run, once the
				 * lists this loop keeps have their size */
				if (n == 2)
					heap0 = heap_in_use();
				int f = check_once(out, c, lang, false, lb, i, &checks, &looks, &exposed, &ps);
				int left = strays(&ps, &tw);
				runs_failed += f != 0;
				if (left) {
					stray += left < 0 ? 1 : left;
					if (stray == left || left < 0)
						fprintf(out, "         %s %s\n", _("FAILED:"), left < 0 ?
							_("cannot list the sockets through sock_diag") :
							_("a run left sockets behind that are not in TIME_WAIT"));
				}
			}
			int fds = open_fds();
			long grown = repeat > 2 ? heap_in_use() - heap0 : 0;
			bool bad = fds != fds0 || stray || runs_failed || grown > 0;
			fprintf(out, "     %s ", bad ? "FAIL" : "ok  ");
			/* TRANSLATORS: a stress run's summary: runs, failed runs, descriptors before and
			 * after, heap growth, stray sockets, TIME_WAIT left by the last run, wall and CPU
			 * time per run */
			fprintf(out, _("x%ld: %d failed, descriptors %d -> %d, heap %+ld bytes, %d stray sockets, TIME_WAIT %d, %.1f ms per run (CPU %.1f ms)"),
				repeat, runs_failed, fds0, fds, grown, stray, tw,
				(run_clock_ms() - w0) / (double)(repeat - 1),
				(cpu_ms() - c0) / (double)(repeat - 1));
			fputc('\n', out);
			fails += bad;
		}
		if (fails)
			failed++;
	}
	free(ps.p);
	if (catalog_ndemos(c) == 0)
		fprintf(out, "%s\n", _("no demos"));
	else if (!exposed)
		/* TRANSLATORS: %ld is how many times the sockets were listed */
		fprintf(out, ngettext("Loopback only: no socket of the demos could be reached from another machine (listed through sock_diag after every event, %ld time).\n",
				      "Loopback only: no socket of the demos could be reached from another machine (listed through sock_diag after every event, %ld times).\n",
				      (unsigned long)looks), looks);
	return failed ? 1 : 0;
}

lab *demo_lab_open(FILE *out)
{
	lab_status st;
	lab *l = lab_open(&st);
	if (st.mode != LAB_FULL)
		demo_lab_report(out, &st);
	return l;
}

char *demo_lab_problem(const lab_status *st, const char *sep)
{
	const char *fix = lab_problem_fix(st->problem);
	return xasprintf("%s: %s.%s%s", _(lab_problem_what(st->problem)), strerror(st->err),
			 *fix ? sep : "", *fix ? _(fix) : "");
}

void demo_lab_report(FILE *out, const lab_status *st)
{
	if (st->mode == LAB_FULL) {
		fprintf(out, "%s\n", _("Packet lab: complete. Private namespaces and the wire between them work; every packet can be held, dropped, duplicated, reordered or delayed."));
		if (st->wire == WIRE_TUN) {
			fprintf(out, "%s\n", _("The wire: a TUN device in each namespace, read and written by this program."));
		} else if (st->problem != LAB_OK) {
			fprintf(out, "%s\n", _("The wire: a veth pair from each namespace to a relay namespace, where this program moves the packets; TUN devices could not be used:"));
			/* TRANSLATORS: the reason TUN was not used, and the system's error text */
			fprintf(out, _("  (%s: %s.)\n"), _(lab_problem_what(st->problem)), strerror(st->err));
		} else {
			fprintf(out, "%s\n", _("The wire: a veth pair from each namespace to a relay namespace, where this program moves the packets."));
		}
		if (!st->ipv6)
			fprintf(out, "%s\n", _("(IPv6 is not available on the wire; IPv4 demos are not affected.)"));
		return;
	}
	if (st->problem != LAB_OK) {
		char *why = demo_lab_problem(st, "\n");
		fprintf(out, "%s\n", why);
		free(why);
	}
	if (st->mode == LAB_CAPTURE)
		fprintf(out, "%s\n", _("Packet lab: capture only. Demos run in a private namespace and every packet is shown, but the wire cannot hold, drop or reorder them."));
	else
		fprintf(out, "%s\n", _("Packet lab: not available. The live demos still run on the loopback interface, without packets."));
}
