/* libFuzzer harness for the demo script parser (src/core/script.c): a lesson set's
 * demos/ID.demo files, and what a student types on the playground. Each input is parsed
 * twice, as a lesson's script and with SCRIPT_PLAYGROUND, exactly as given (not
 * NUL-terminated: the parser must stay within len). A script it accepts is walked and checked
 * against script.h's promise that every name is resolved (the interpreter, src/net/run.c,
 * indexes its tables without checking), then freed. */
#include "config.h"

#include "fuzz.h"

#include "script.h"

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setlocale(LC_CTYPE, "C.UTF-8");
	return 0;
}

static void sock_ok(const script *s, int k, bool may_be_none)
{
	FUZZ_ASSERT((may_be_none && k == -1) || (k >= 0 && (size_t)k < s->nsocks));
}

static void walk(const script *s, bool playground)
{
	fuzz_use(s->file);
	fuzz_use(s->id);
	FUZZ_ASSERT(s->nactors <= 4);
	for (size_t i = 0; i < s->nactors; i++)
		fuzz_use(s->actors[i]);
	for (size_t i = 0; i < s->nsocks; i++) {
		FUZZ_ASSERT(s->socks[i].actor >= 0 && (size_t)s->socks[i].actor < s->nactors);
		fuzz_use(s->socks[i].name);
		fuzz_use(s->socks[i].full);
	}
	for (size_t i = 0; i < s->nscenes; i++) {
		fuzz_use(s->scenes[i].name);
		FUZZ_ASSERT(script_find_scene(s, s->scenes[i].name) == (int)i);
	}
	FUZZ_ASSERT(playground || s->nsteps > 0);
	bool lab = false;
	for (size_t i = 0; i < s->nsteps; i++) {
		const script_step *st = &s->steps[i];
		FUZZ_ASSERT(st->scene >= 0 && (size_t)st->scene < s->nscenes);
		FUZZ_ASSERT(st->actor >= -1 && st->actor < (int)s->nactors);
		sock_ok(s, st->sock, true);
		sock_ok(s, st->result, true);
		FUZZ_ASSERT(st->predict >= -1 && st->predict < (int)s->npredicts);
		if (st->predict >= 0)
			FUZZ_ASSERT(s->predicts[st->predict].step == (int)i);
		if (st->sock >= 0 && st->actor >= 0)
			FUZZ_ASSERT(s->socks[st->sock].actor == st->actor);
		switch (st->op) {
		case OP_BIND:
		case OP_CONNECT:
		case OP_SENDTO:
			sock_ok(s, st->addr.ref, true);
			sock_ok(s, st->addr.port_ref, true);
			if (st->addr.ref < 0)
				fuzz_use(st->addr.host);
			break;
		case OP_SETSOCKOPT:
		case OP_GETSOCKOPT:
			FUZZ_ASSERT(st->opt <= OPT_LAST);
			fuzz_use(script_opt_name(st->opt));
			fuzz_use(script_opt_level(st->opt));
			break;
		case OP_POLL:
			FUZZ_ASSERT(st->npolls >= 1);
			for (size_t k = 0; k < st->npolls; k++)
				sock_ok(s, st->polls[k], false);
			break;
		case OP_WAIT_STATE:
		case OP_EXPECT:
			FUZZ_ASSERT(st->nstates >= 1);
			for (size_t k = 0; k < st->nstates; k++) {
				sock_ok(s, st->states[k].sock, false);
				FUZZ_ASSERT(script_state_known(st->states[k].state));
			}
			break;
		case OP_WIRE:
			lab = true;
			FUZZ_ASSERT(st->wire <= SW_DELAY);
			break;
		case OP_EXPECT_PACKETS:
			lab = true;
			FUZZ_ASSERT(st->npackets >= 1);
			for (size_t k = 0; k < st->npackets; k++)
				fuzz_use(script_packet_text(&st->packets[k]));
			break;
		default:
			break;
		}
		if (st->data)
			FUZZ_ASSERT(st->data[st->datalen] == '\0');
		if (st->expect == EXP_DATA) {
			/* the bytes expected, as the screen quotes them */
			char *t = script_outcome_text((long)st->exp_datalen, 0, st->exp_data,
						      st->exp_datalen, true);
			fuzz_use(t);
			free(t);
		}
	}
	FUZZ_ASSERT(lab == s->needs_lab);
	FUZZ_ASSERT(!playground || s->npredicts == 0);
	for (size_t i = 0; i < s->npredicts; i++) {
		const script_predict *p = &s->predicts[i];
		fuzz_use(p->name);
		FUZZ_ASSERT(script_find_predict(s, p->name) == (int)i);
		FUZZ_ASSERT(p->step >= 0 && (size_t)p->step < s->nsteps);
		FUZZ_ASSERT(s->steps[p->step].predict == (int)i);
		FUZZ_ASSERT(p->nchoices == 0 || (p->nchoices >= 2 && p->nchoices <= 9));
		fuzz_sink += script_predict_is_library(s, i);
		for (size_t k = 0; k < p->nchoices; k++) {
			fuzz_use(p->choices[k].text);
			FUZZ_ASSERT(script_typed_matches(p->choices[k].text, p->choices[k].text) ||
				    p->choices[k].kind == PC_DATA);
		}
	}
}

static void parse(const uint8_t *data, size_t size, unsigned flags)
{
	diag_list errs;
	memset(&errs, 0, sizeof errs);
	script *s = script_parse_ex((const char *)data, size, "fuzz.demo", "fuzz", &errs, flags);
	FUZZ_ASSERT((s == NULL) == (errs.count > 0));
	for (size_t i = 0; i < errs.count; i++) {
		fuzz_use(errs.items[i].file);
		fuzz_use(errs.items[i].msg);
		FUZZ_ASSERT(errs.items[i].line >= 0 && errs.items[i].col >= 0);
	}
	if (s)
		walk(s, flags & SCRIPT_PLAYGROUND);
	script_free(s);
	diag_clear(&errs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse(data, size, 0);
	parse(data, size, SCRIPT_PLAYGROUND);
	return 0;
}
