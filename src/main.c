/* socktutor's front end: parses the command line, finds the lessons and the translations,
 * and hands over to the curses interface or the plain printer. */
#include "config.h"

#include "core/catalog.h"
#include "core/i18n.h"
#include "core/plain.h"
#include "core/progress.h"
#include "core/util.h"
#include "net/demotext.h"
#include "net/projtext.h"
#include "ui/ui.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* True when this binary is the one in the build tree, so lessons and translations are taken
 * from the source and build trees and the program runs before 'make install'. */
/* Where the lessons and the message catalogs are: the source and build trees for the
 * program in its build directory; next to the program (BIN/../share/...) when it was
 * installed and then moved, or installed with DESTDIR; else where configure said. */
static void data_dirs(const char **lessons, const char **locale)
{
	static char les[PATH_MAX + 64], loc[PATH_MAX + 64];
	*lessons = PKGDATADIR "/lessons";
	*locale = LOCALEDIR;
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return;
	self[n] = '\0';
	if (strcmp(self, ABS_BUILDDIR "/src/socktutor") == 0) {
		*lessons = ABS_SRCDIR "/lessons";
		*locale = ABS_BUILDDIR "/locale";
		return;
	}
	char *slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = '\0';		/* the program's directory: PREFIX/bin */
	snprintf(les, sizeof les, "%s/../share/socktutor/lessons", self);
	snprintf(loc, sizeof loc, "%s/../share/locale", self);
	if (is_dir(les)) {
		*lessons = les;
		if (is_dir(loc))
			*locale = loc;
	}
}

/* After a command line mistake: one line, not the whole help. */
static void try_help(void)
{
	fputs(_("Try 'socktutor --help' for more information.\n"), stderr);
}

static void usage(FILE *out)
{
	fprintf(out, _("Usage: %s [OPTION]...\n"), "socktutor");
	fputs(_("Learn network programming: lessons on addresses, ports, TCP, UDP and the socket\n"
		"calls, with live demos on the real kernel.\n\n"), out);
	fputs(_("  -l, --lang=LANG         language: en or zh_CN (default: from the environment)\n"
		"      --list              list the lessons: id, a tab, title\n"
		"  -p, --plain             print as plain text instead of the full-screen interface\n"
		"                          (automatic when standard output is not a terminal)\n"
		"      --lesson=ID         open this lesson (with --plain: print only this one)\n"
		"      --lessons=DIR       read lessons from DIR (with en/ and zh_CN/ inside)\n"
		"      --check-lessons [DIR]  check every lesson file and report each problem\n"
		"      --demo=ID           run this live demo (with --plain: print its events)\n"
		"      --tools             with --plain --demo: print each event as the lines strace,\n"
		"                          ss and tcpdump would show for it\n"
		"      --list-demos        list the demos: id, lesson id, title (tab-separated)\n"
		"      --glossary          print the glossary: each term in English and Chinese\n"
		"      --self-check        run every demo (or the --demo one) headless and verify\n"
		"                          every expected result\n"
		"      --repeat=N          with --self-check: run each demo N times in one process\n"
		"                          and check that descriptors, memory and sockets come back\n"
		"      --lab               run demos in the packet lab: private namespaces, every\n"
		"                          packet shown, and a wire that can hold or drop them\n"
		"      --lab-check         say what the packet lab can do on this machine; exit 0\n"
		"                          only when all of it works\n"
		"  -v, --verbose           with --self-check: print every event\n"
		"  -h, --help              show this help and exit\n"
		"  -V, --version           show version information and exit\n"), out);
	fputs(_("\nProjects: servers for clients you run yourself (nc, telnet, curl, Python):\n"
		"      --project=NAME      run a project and show every call it makes as it happens\n"
		"                          (full screen, or printed with --plain): echo, http, chat,\n"
		"                          files, udpchat, or client (this program connects to YOUR\n"
		"                          server on --port)\n"
		"      --port=N            listen on port N (default: echo 7007, http 8080, chat 7008,\n"
		"                          files 7009, udpchat 7010; the next free port when it is\n"
		"                          taken; 0: any free port); client: your server's port\n"
		"      --listen=ADDR       listen on ADDR instead of 127.0.0.1 (::1 is fine too; any\n"
		"                          other address lets other machines connect: a warning says so)\n"), out);
	fputs(_("\nThe playground: type socket calls for several actors and see each result:\n"
		"      --playground[=FILE] open the playground (with FILE: a saved session or any\n"
		"                          demo script, run again first); with --plain, lines are\n"
		"                          read from standard input\n"), out);
	fputs(_("\nIn the classroom:\n"
		"      --present           presenter mode for a projector: larger margins and high\n"
		"                          contrast, steps move only on a key, answers stay hidden\n"
		"                          until revealed (r), B blanks the screen; nothing is scored\n"
		"      --port-base=PORT    with --present: demos bind PORT, PORT+1, ... instead of\n"
		"                          port 0, so the numbers match your slides (default 9000;\n"
		"                          a port in use moves to the next, with a notice)\n"
		"      --export=FILE       with --demo: run the demo and write its transcript for\n"
		"                          handouts to FILE: Markdown when FILE ends in .md, else\n"
		"                          text with each call's strace and ss lines; an existing\n"
		"                          file is never replaced\n"), out);
	fputs(_("\nEnvironment: SOCKTUTOR_LESSONS (a lesson directory), XDG_STATE_HOME (where progress\n"
		"is saved), LANGUAGE, LC_ALL, LC_MESSAGES, LANG (language), NO_COLOR.\n"), out);
	fprintf(out, _("\nReport bugs to: %s\n"), PACKAGE_BUGREPORT);
}

static void version(void)
{
	printf("socktutor %s\n", VERSION);
	fputs(_("Copyright (C) 2026 the socktutor authors.\n"
		"License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\n"
		"This is free software: you are free to change and redistribute it.\n"
		"There is NO WARRANTY, to the extent permitted by law.\n"), stdout);
}

/* The lesson set could not be loaded: what is wrong, and where to look. */
static void lesson_errors(diag_list *errs, const char *dir)
{
	diag_print(errs, stderr);
	fprintf(stderr, _("socktutor: the lessons in %s have errors (listed above); fix them or check with --check-lessons\n"), dir);
	diag_clear(errs);
}

static int check_lessons(const char *dir)
{
	diag_list errs = { 0 };
	catalog *c = catalog_load(dir, &errs);
	diag_print(&errs, stderr);
	int rc = errs.count ? 1 : 0;
	if (c)
		printf(ngettext("%s: %zu lesson in %d languages, all valid\n",
				"%s: %zu lessons in %d languages, all valid\n", catalog_count(c)),
		       dir, catalog_count(c), LANG_COUNT);
	else
		fprintf(stderr, ngettext("%s: %zu problem found\n", "%s: %zu problems found\n",
					 errs.count), dir, errs.count);
	diag_clear(&errs);
	catalog_free(c);
	return rc;
}

enum { OPT_LIST = 256, OPT_LESSON, OPT_LESSONS, OPT_CHECK, OPT_DEMO, OPT_LIST_DEMOS, OPT_SELF_CHECK,
       OPT_LAB, OPT_LAB_CHECK, OPT_GLOSSARY, OPT_TOOLS, OPT_PROJECT, OPT_PORT, OPT_LISTEN,
       OPT_PLAYGROUND, OPT_PRESENT, OPT_PORT_BASE, OPT_EXPORT, OPT_REPEAT };

/* --demo ID --export FILE: the demo run headless, its transcript written to FILE (never
 * replacing a file): Markdown when FILE ends in .md, else the plain printer's text with
 * each event's strace and ss lines. */
static int export_demo(const catalog *cat, size_t d, lang_id lang, lab *lb, const char *path)
{
	size_t n = strlen(path), len = 0;
	char *text = NULL;
	int fails;
	if (!catalog_demo_ready(cat, d)) {
		fprintf(stderr, "socktutor: %s: %s\n", catalog_demo_id(cat, d), _("The demo's file has errors now; socktutor --check-lessons lists them."));
		return 1;
	}
	const script *s = catalog_demo(cat, d);
	if (n > 3 && strcmp(path + n - 3, ".md") == 0) {
		if (s->needs_lab && (!lb || lab_get_mode(lb) != LAB_FULL)) {
			fprintf(stderr, "socktutor: %s: %s\n", s->id,
				_("this demo needs the packet lab's wire (see socktutor --lab-check)"));
			return 1;
		}
		run *r = run_new_lab(s, lb);
		run_all(r, NULL, NULL);
		fails = run_failures(r);
		const lesson_block *b = catalog_demo_block(cat, lang, d);
		const char *title = lesson_block_narration(b, "title");
		text = demo_transcript(r, b, title ? title : s->id);
		len = strlen(text);
		run_free(r);
	} else {
		FILE *f = open_memstream(&text, &len);
		if (!f) {
			perror("socktutor");
			return 1;
		}
		fails = demo_print(f, cat, d, lang, lb, true);
		fclose(f);
	}
	int rc = fails ? 1 : 0;
	if (write_file_atomic(path, text, len, 0) != 0) {
		fprintf(stderr, _("socktutor: cannot write %s: %s\n"), path,
			errno == EEXIST ? _("the file exists (it is never replaced)") : strerror(errno));
		rc = 1;
	} else {
		char *m = xasprintf(_("Transcript saved as %s."), path);
		puts(m);
		free(m);
	}
	free(text);
	return rc;
}

/* A whole decimal number from min to max. */
static bool parse_number(const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* --glossary: every term, English and Chinese, with the definition in the chosen language. */
static void print_glossary(const catalog *cat, lang_id lang)
{
	const glossary *g = catalog_glossary(cat);
	for (size_t i = 0; i < g->count; i++) {
		const glossary_term *t = &g->terms[i];
		int li = catalog_find(cat, t->lesson);
		printf("%s / %s  (%s %d)\n    %s\n", t->name[LANG_EN], t->name[LANG_ZH_CN], _("lesson"),
		       li >= 0 ? lesson_order(catalog_lesson(cat, lang, (size_t)li)) : -1, t->def[lang]);
	}
}

/* --lab-check: what the lab can do here. */
static int lab_check(void)
{
	lab_status st;
	lab *l = lab_open(&st);
	demo_lab_report(stdout, &st);
	lab_close(l);
	return st.mode == LAB_FULL ? 0 : 1;
}

/* --plain --project NAME: the server for real clients, printed as it serves. */
static int run_project(project_kind k, const char *host, long port)
{
	if (!host)
		host = "127.0.0.1";
	char *err = NULL;
	project *p = project_open(k, host, port < 0 ? project_default_port(k) : (unsigned)port, &err);
	if (!p) {
		fprintf(stderr, _("socktutor: the %s project cannot listen: %s\n"), project_name(k), err);
		free(err);
		return 1;
	}
	int rc = project_run_plain(stdout, p);
	project_close(p);
	return rc;
}

int main(int argc, char **argv)
{
	const char *lessons_dir, *locale_dir;
	data_dirs(&lessons_dir, &locale_dir);
	bool utf8 = i18n_init(locale_dir);

	static const struct option longopts[] = {
		{ "lang", required_argument, NULL, 'l' },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "plain", no_argument, NULL, 'p' },
		{ "lesson", required_argument, NULL, OPT_LESSON },
		{ "lessons", required_argument, NULL, OPT_LESSONS },
		{ "check-lessons", no_argument, NULL, OPT_CHECK },
		{ "demo", required_argument, NULL, OPT_DEMO },
		{ "list-demos", no_argument, NULL, OPT_LIST_DEMOS },
		{ "glossary", no_argument, NULL, OPT_GLOSSARY },
		{ "self-check", no_argument, NULL, OPT_SELF_CHECK },
		{ "lab", no_argument, NULL, OPT_LAB },
		{ "lab-check", no_argument, NULL, OPT_LAB_CHECK },
		{ "tools", no_argument, NULL, OPT_TOOLS },
		{ "project", required_argument, NULL, OPT_PROJECT },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "playground", optional_argument, NULL, OPT_PLAYGROUND },
		{ "present", no_argument, NULL, OPT_PRESENT },
		{ "export", required_argument, NULL, OPT_EXPORT },
		{ "port-base", required_argument, NULL, OPT_PORT_BASE },
		{ "repeat", required_argument, NULL, OPT_REPEAT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *lang_arg = NULL, *lesson_arg = NULL, *dir = NULL, *demo_arg = NULL;
	bool tools = false;
	const char *project_arg = NULL, *listen_arg = NULL;
	long port_arg = -1, port_base = 9000, repeat = 1;
	bool present = false;
	const char *export_arg = NULL;
	bool list = false, plain = false, check = false, list_demos = false, self_check = false;
	bool verbose = false, want_help = false, want_version = false, use_lab = false;
	bool want_lab_check = false, want_glossary = false, playground_on = false;
	const char *playground_file = NULL;
	int lang = i18n_choose_from_env();
	i18n_set_lang((lang_id)lang);

	int c;
	while ((c = getopt_long(argc, argv, "l:phvV", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': lang_arg = optarg; break;
		case OPT_LIST: list = true; break;
		case 'p': plain = true; break;
		case OPT_LESSON: lesson_arg = optarg; break;
		case OPT_LESSONS: dir = optarg; break;
		case OPT_CHECK: check = true; break;
		case OPT_DEMO: demo_arg = optarg; break;
		case OPT_LIST_DEMOS: list_demos = true; break;
		case OPT_GLOSSARY: want_glossary = true; break;
		case OPT_SELF_CHECK: self_check = true; break;
		case OPT_LAB: use_lab = true; break;
		case OPT_LAB_CHECK: want_lab_check = true; break;
		case OPT_TOOLS: tools = true; break;
		case OPT_PROJECT: project_arg = optarg; break;
		case OPT_LISTEN: listen_arg = optarg; break;
		case OPT_PLAYGROUND:
			playground_on = true;
			playground_file = optarg;
			break;
		case OPT_PRESENT: present = true; break;
		case OPT_EXPORT: export_arg = optarg; break;
		case OPT_PORT_BASE:
			if (!parse_number(optarg, 1024, 65000, &port_base)) {
				fprintf(stderr, _("socktutor: --port-base wants a number from 1024 to 65000, not '%s'\n"), optarg);
				return 2;
			}
			break;
		case OPT_REPEAT:
			if (!parse_number(optarg, 1, 1000000, &repeat)) {
				fprintf(stderr, _("socktutor: --repeat wants a number from 1 to 1000000, not '%s'\n"), optarg);
				return 2;
			}
			break;
		case OPT_PORT:
			if (!parse_number(optarg, 0, 65535, &port_arg)) {
				fprintf(stderr, _("socktutor: --port wants a number from 0 to 65535, not '%s'\n"), optarg);
				return 2;
			}
			break;
		case 'v': verbose = true; break;
		case 'h': want_help = true; break;
		case 'V': want_version = true; break;
		default:	/* getopt_long() has said what was wrong */
			try_help();
			return 2;
		}
	}
	if (lang_arg) {
		lang = i18n_parse(lang_arg);
		if (lang < 0) {
			fprintf(stderr, _("socktutor: unknown language '%s' (use en or zh_CN)\n"), lang_arg);
			return 2;
		}
		i18n_set_lang((lang_id)lang);
	}
	/* after --lang, so that "--lang zh_CN --help" speaks Chinese */
	if (want_help) {
		usage(stdout);
		return 0;
	}
	if (want_version) {
		version();
		return 0;
	}
	if (want_lab_check)
		return lab_check();
	if (check && optind < argc)
		dir = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, _("socktutor: unexpected argument '%s'\n"), argv[optind]);
		try_help();
		return 2;
	}
	if (!dir)
		dir = getenv("SOCKTUTOR_LESSONS");
	if (!dir || !*dir)
		dir = lessons_dir;
	if (!is_dir(dir)) {
		fprintf(stderr, _("socktutor: no lesson directory at %s\n"), dir);
		return 1;
	}
	if (check)
		return check_lessons(dir);
	if (self_check && repeat > 1 && !getenv("SOCKTUTOR_STRESS")) {
		/* glibc's per-thread cache keeps freed blocks counted as in use: without it the
		 * heap figure of --repeat comes back exactly when nothing leaks. Runs itself
		 * again with the cache off; if that cannot be done, goes on with it. */
		const char *t = getenv("GLIBC_TUNABLES");
		char *tun = xasprintf("%s%sglibc.malloc.tcache_count=0", t ? t : "", t && *t ? ":" : "");
		setenv("GLIBC_TUNABLES", tun, 1);
		setenv("SOCKTUTOR_STRESS", "1", 1);
		free(tun);
		execv("/proc/self/exe", argv);
	}
	int project_k = -1;
	if (project_arg) {
		project_k = project_find(project_arg);
		if (project_k < 0) {
			fprintf(stderr, _("socktutor: no project '%s' (there are: %s)\n"), project_arg,
				"echo, http, chat, files, udpchat, client");
			return 2;
		}
		if (listen_arg && !project_host_is_loopback(listen_arg))
			fprintf(stderr, _("socktutor: warning: listening on %s, not on loopback. Any machine that can reach this one on that address can connect to this server and will see everything it answers; use it only on a network you trust, and stop it when you are done.\n"),
				listen_arg);
	}

	/* the full-screen interface needs a terminal on both ends that can move the cursor */
	const char *term = getenv("TERM");
	bool tty = isatty(STDOUT_FILENO) && isatty(STDIN_FILENO) && term && *term &&
		   strcmp(term, "dumb") != 0;
	/* what follows the headless demo commands and --glossary uses the saved progress, whose
	 * language (when --lang does not say) is the one to load the lessons in */
	bool interactive_demo = demo_arg && !plain && tty && !list_demos && !self_check && !export_arg;
	bool uses_progress = !want_glossary && !(export_arg && !demo_arg) &&
			     (interactive_demo || !(list_demos || self_check || demo_arg));
	char *warning = NULL;
	progress *prog = NULL;
	if (uses_progress) {
		char *ppath = progress_default_path();
		prog = progress_open(ppath, &warning);
		free(ppath);
		if (!lang_arg && progress_lang(prog) && i18n_parse(progress_lang(prog)) >= 0) {
			lang = i18n_parse(progress_lang(prog));
			i18n_set_lang((lang_id)lang);
		}
	}
	if (uses_progress && !utf8 && lang == LANG_ZH_CN) {
		fputs("socktutor: this terminal's character set is not UTF-8, so Chinese cannot be shown; using English.\n", stderr);
		lang = LANG_EN;
		i18n_set_lang(LANG_EN);
	}

	/* Started on the menu, the program draws it from the outline the last start saved when
	 * the lesson files have not changed since, and reads the lessons right after */
	bool menu_start = uses_progress && tty && !plain && !list && !playground_on &&
			  !project_arg && !lesson_arg && !interactive_demo;
	char *outline = menu_start ? catalog_outline_path((lang_id)lang) : NULL;
	diag_list errs = { 0 };
	catalog *cat = outline ? catalog_open_outline(dir, (lang_id)lang, outline) : NULL;
	if (!cat)
		cat = catalog_open(dir, (lang_id)lang, &errs);
	if (!cat) {
		free(outline);
		lesson_errors(&errs, dir);
		if (warning)
			fprintf(stderr, "socktutor: %s\n", warning);
		free(warning);
		progress_free(prog);
		return 1;
	}

	if (want_glossary) {
		print_glossary(cat, (lang_id)lang);
		catalog_free(cat);
		return 0;
	}

	int start_demo = -1;
	if (export_arg && !demo_arg) {
		fprintf(stderr, _("socktutor: --export needs --demo ID (the demo to run and write down)\n"));
		catalog_free(cat);
		return 2;
	}
	if (interactive_demo) {
		start_demo = catalog_find_demo(cat, demo_arg);
		if (start_demo < 0) {
			fprintf(stderr, _("socktutor: no demo '%s'; --list-demos shows the demo ids\n"), demo_arg);
			free(warning);
			progress_free(prog);
			catalog_free(cat);
			return 1;
		}
	} else if (list_demos || self_check || demo_arg) {
		int rc = 0;
		int d = demo_arg ? catalog_find_demo(cat, demo_arg) : -1;
		lab *lb = use_lab && (self_check || d >= 0) ? demo_lab_open(stderr) : NULL;
		if (list_demos) {
			demo_print_list(stdout, cat, (lang_id)lang);
		} else if (d < 0 && demo_arg) {
			fprintf(stderr, _("socktutor: no demo '%s'; --list-demos shows the demo ids\n"), demo_arg);
			rc = 1;
		} else if (self_check) {
			rc = demo_self_check(stdout, cat, (lang_id)lang, verbose, lb, d, repeat);
		} else if (d < 0) {
			fprintf(stderr, _("socktutor: no demo '%s'; --list-demos shows the demo ids\n"), demo_arg);
			rc = 1;
		} else if (export_arg) {
			rc = export_demo(cat, (size_t)d, (lang_id)lang, lb, export_arg);
		} else {
			rc = demo_print(stdout, cat, (size_t)d, (lang_id)lang, lb, tools) ? 1 : 0;
		}
		lab_close(lb);
		catalog_free(cat);
		return rc;
	}


	if (!plain && !list && !tty)
		plain = true;
	/* a damaged progress file set aside: the full-screen lesson browser says so on its status
	 * line; everything else says it here */
	bool warned = false;
	if (warning && (plain || list || playground_on || project_k >= 0)) {
		fprintf(stderr, "socktutor: %s\n", warning);
		warned = true;
	}
	if (playground_on) {
		lab *lb = use_lab ? demo_lab_open(stderr) : NULL;
		char *err = NULL;
		playground *g = playground_file ? pg_load(playground_file, lb, &err) : pg_new(lb);
		int prc = 1;
		if (!g) {
			fprintf(stderr, "socktutor: %s\n", err);
			free(err);
		} else {
			prc = plain ? -1 : ui_run_playground(cat, prog, (lang_id)lang, utf8, g);
			if (prc == -1)
				prc = pg_run_plain(stdout, STDIN_FILENO, g, isatty(STDIN_FILENO));
			pg_free(g);
		}
		lab_close(lb);
		free(warning);
		progress_free(prog);
		catalog_free(cat);
		return prc;
	}
	if (project_k >= 0) {
		int prc = plain ? -1 : ui_run_project(cat, prog, (lang_id)lang, utf8,
						      (project_kind)project_k, listen_arg, port_arg);
		if (prc == -1)
			prc = run_project((project_kind)project_k, listen_arg, port_arg);
		free(warning);
		progress_free(prog);
		catalog_free(cat);
		return prc;
	}

	int rc = 0;
	int only = lesson_arg ? catalog_find(cat, lesson_arg) : -1;
	if (lesson_arg && only < 0 && !list) {
		fprintf(stderr, _("socktutor: no lesson '%s'; --list shows the lesson ids\n"), lesson_arg);
		rc = 1;
	} else if (!plain && !list) {
		if (present)
			ui_present((int)port_base);
		rc = ui_run(cat, prog, (lang_id)lang, utf8, warning, only, start_demo, use_lab,
			    outline, &errs);
		if (rc == UI_LESSONS_BROKEN) {
			lesson_errors(&errs, dir);
			rc = 1;
		} else if (rc == -1) {
			fprintf(stderr, _("socktutor: the terminal type '%s' is unknown to this system, so the full-screen interface cannot start; showing the lessons as plain text.\n"), term);
			plain = true;
			rc = 0;
			if (catalog_complete(cat, &errs) != 0) {
				lesson_errors(&errs, dir);
				rc = 1;
			}
		}
	}
	if (list) {
		plain_print_list(stdout, cat, (lang_id)lang);
	} else if (plain && rc == 0) {
		if (warning && !warned)	/* the terminal could not start the browser */
			fprintf(stderr, "socktutor: %s\n", warning);
		for (size_t i = 0; rc == 0 && i < catalog_count(cat); i++) {
			if (only >= 0 && (size_t)only != i)
				continue;
			if (only < 0 && i > 0)
				fputs("\n\n", stdout);
			plain_print_lesson(stdout, catalog_lesson(cat, (lang_id)lang, i), lesson_order(catalog_lesson(cat, (lang_id)lang, i)), 78);
		}
	}
	free(warning);
	free(outline);
	progress_free(prog);
	catalog_free(cat);
	return rc;
}
