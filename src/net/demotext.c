#include "config.h"

#include "demotext.h"
#include "observe.h"
#include "core/errnames.h"
#include "core/i18n.h"
#include "core/util.h"

#include <stdlib.h>
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

void demo_print_event(FILE *out, const run *r, const lesson_block *narration,
		      const run_event *ev)
{
	const script *s = run_script(r);
	switch (ev->kind) {
	case EV_SCENE: {
		const char *name = s->scenes[ev->scene].name;
		const char *text = narration ? lesson_block_narration(narration, name) : NULL;
		fprintf(out, "-- %s\n", text ? text : name);
		break;
	}
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
	}
}

typedef struct printer {
	FILE *out;
	const run *r;
	const lesson_block *narration;
	char *last_states;
} printer;

static void print_cb(const run_event *ev, void *arg)
{
	printer *p = arg;
	demo_print_event(p->out, p->r, p->narration, ev);
	char *st = demo_states_line(ev);
	if (*st && (!p->last_states || strcmp(st, p->last_states) != 0))
		fprintf(p->out, "         [%s]\n", st);
	free(p->last_states);
	p->last_states = st;
}

int demo_print(FILE *out, const catalog *c, size_t i, lang_id lang)
{
	const script *s = catalog_demo(c, i);
	const lesson_block *b = catalog_demo_block(c, lang, i);
	const lesson *l = catalog_lesson(c, lang, catalog_demo_lesson(c, i));
	fprintf(out, "== %s: %s (%s %s)\n", s->id, lesson_block_narration(b, "title"), _("lesson"),
		lesson_id(l));
	run *r = run_new(s);
	printer p = { out, r, b, NULL };
	run_all(r, print_cb, &p);
	int fails = run_failures(r);
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
		fprintf(out, "%s\t%s\t%s\n", catalog_demo(c, i)->id, lesson_id(l),
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
} checker;

static void check_cb(const run_event *ev, void *arg)
{
	checker *k = arg;
	if (ev->check)
		k->checks++;
	if (k->verbose)
		demo_print_event(k->out, k->r, k->narration, ev);
	else if (ev->check < 0)
		print_check(k->out, k->r, ev);
	if (!k->verbose && ev->kind == EV_ERROR)
		demo_print_event(k->out, k->r, k->narration, ev);
}

int demo_self_check(FILE *out, const catalog *c, lang_id lang, bool verbose)
{
	int failed = 0;
	for (size_t i = 0; i < catalog_ndemos(c); i++) {
		const script *s = catalog_demo(c, i);
		const lesson *l = catalog_lesson(c, lang, catalog_demo_lesson(c, i));
		double w0 = run_clock_ms(), c0 = cpu_ms();
		run *r = run_new(s);
		checker k = { out, r, verbose, catalog_demo_block(c, lang, i), 0 };
		run_all(r, check_cb, &k);
		int fails = run_failures(r);
		fprintf(out, "%s %-12s %s %-12s %3d %s  %6.0f ms  (CPU %.0f ms)\n",
			fails ? "FAIL" : "ok  ", s->id, _("lesson"), lesson_id(l), k.checks,
			_("checks"), run_clock_ms() - w0, cpu_ms() - c0);
		if (fails)
			failed++;
		run_free(r);
	}
	if (catalog_ndemos(c) == 0)
		fprintf(out, "%s\n", _("no demos"));
	return failed ? 1 : 0;
}
