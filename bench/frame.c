/* How long a full-screen program takes to draw its first complete frame, how much memory it
 * peaks at, and what it costs while it waits. A developer's tool: built by `make bench`,
 * never by `make check`; it asserts nothing.
 *
 * The command runs in a new 80x24 pseudo-terminal with TERM=xterm-256color, LANG=C.UTF-8
 * (LC_ALL, LANGUAGE, LC_MESSAGES, COLUMNS and LINES removed) and XDG_STATE_HOME set to a
 * fresh temporary directory, removed afterwards. The first frame is complete when the
 * output holds the marker (-m) and then nothing more arrives for the quiet interval (-Q):
 * its time is that of the last byte read before the quiet interval, from just before the
 * fork (CLOCK_MONOTONIC). Then the actions given after it run in order (-k keys, -w wait,
 * -e expect, -M measure), the quit keys are sent (SIGTERM after 3 s, SIGKILL after 2 s
 * more), and wait4() gives the peak RSS (ru_maxrss).
 *
 * One line per run:
 *   frame_ms=12.34 cpu_ms=9.87 maxrss_kib=3456 frame_bytes=2100 end=keys
 * cpu_ms is the CPU time the program had used when its first frame was complete (the run
 * time the scheduler counted, /proc/PID/task/TID/schedstat): it grows much less than
 * frame_ms when other jobs keep the CPUs busy. frame_bytes is what the first frame wrote to
 * the terminal; end says how the program ended: keys, SIGTERM or SIGKILL.
 * Per -M action one more line:
 *   measure LABEL secs=10 cpu_ms=0.000 tick_ms=0 vol_cs=0 invol_cs=0 timeslices=0 out_bytes=0
 * counted between the start and the end of the window: cpu_ms the run time (schedstat, ns),
 * tick_ms the utime+stime of /proc/PID/stat (clock ticks), vol_cs and invol_cs the
 * voluntary and involuntary context switches (/proc/PID/task/TID/status), timeslices the
 * number of times a thread was put on a CPU (schedstat), all summed over the threads;
 * out_bytes what the program wrote to the terminal meanwhile. A program that sleeps until a
 * key arrives shows 0 everywhere.
 * With -r N > 1 a last line gives the median and 90th percentile of frame_ms and the medians
 * of cpu_ms and maxrss_kib. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

typedef enum { ACT_KEYS, ACT_WAIT, ACT_EXPECT, ACT_MEASURE } act_kind;

typedef struct {
	act_kind kind;
	char *bytes;		/* keys or expected text, escapes decoded */
	size_t len;
	long num;		/* ms to wait, or seconds to measure */
	const char *label;
} action;

#define MAX_ACTIONS 64

static struct {
	const char *marker;
	long quiet_ms, timeout_ms;
	char *quit;
	size_t quit_len;
	const char *term, *out_path, *label;
	long runs;
	char *env[16];
	size_t nenv;
	action act[MAX_ACTIONS];
	size_t nact;
} opt = { .quiet_ms = 150, .timeout_ms = 10000, .term = "xterm-256color", .runs = 1 };

typedef struct {
	pid_t pid;
	int fd;
	char *buf;
	size_t len, cap;
	size_t mark;		/* -e searches the output from here (set by -k) */
	double t0, last;	/* ms: the fork, the last byte read */
	bool eof;
} child;

static void die(const char *what)
{
	fprintf(stderr, "frame: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void usage(void)
{
	fputs("Usage: frame -m MARKER [OPTION]... -- COMMAND [ARG]...\n"
	      "Start COMMAND in an 80x24 pseudo-terminal and time its first complete frame: the\n"
	      "output holds MARKER and then stays quiet; then run the actions in order, quit it\n"
	      "and report its peak RSS.\n"
	      "  -m MARKER  text the first frame contains (C escapes allowed)\n"
	      "  -Q MS      quiet interval that ends a frame (default 150)\n"
	      "  -T MS      give up waiting for a frame or an -e text after MS (default 10000)\n"
	      "  -q KEYS    keys that quit the program (default q; empty: SIGTERM)\n"
	      "  -t TERM    the terminal type (default xterm-256color)\n"
	      "  -E VAR=VAL one more environment variable (repeatable)\n"
	      "  -r RUNS    runs (default 1); with more, a summary line\n"
	      "  -o FILE    save the raw output of the last run in FILE\n"
	      "  -l LABEL   start each run's line with LABEL\n"
	      "actions, after the first frame, in order:\n"
	      "  -k KEYS    send KEYS (\\r \\n \\t \\e \\\\ \\xHH)\n"
	      "  -w MS      wait MS milliseconds, reading the output\n"
	      "  -e TEXT    wait until the output since the last -k holds TEXT\n"
	      "  -M SECS[:LABEL]  count CPU time and wakeups over SECS seconds\n", stderr);
	exit(2);
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Decodes \r \n \t \e \\ and \xHH; returns a new string and its length. */
static char *unescape(const char *s, size_t *len)
{
	char *out = malloc(strlen(s) + 1);
	size_t n = 0;
	if (!out)
		die("malloc");
	while (*s) {
		if (*s != '\\' || !s[1]) {
			out[n++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'r': out[n++] = '\r'; s++; break;
		case 'n': out[n++] = '\n'; s++; break;
		case 't': out[n++] = '\t'; s++; break;
		case 'e': out[n++] = 27; s++; break;
		case 'x': {
			char hex[3] = { 0 };
			s++;
			for (int i = 0; i < 2 && ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
						  (*s >= 'A' && *s <= 'F')); i++)
				hex[i] = *s++;
			out[n++] = (char)strtol(hex, NULL, 16);
			break;
		}
		default: out[n++] = *s++; break;
		}
	}
	out[n] = '\0';
	*len = n;
	return out;
}

static long number(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		usage();
	return v;
}

static void add_action(act_kind k, const char *arg)
{
	if (opt.nact == MAX_ACTIONS)
		usage();
	action *a = &opt.act[opt.nact++];
	a->kind = k;
	if (k == ACT_KEYS || k == ACT_EXPECT)
		a->bytes = unescape(arg, &a->len);
	else if (k == ACT_WAIT)
		a->num = number(arg);
	else {
		const char *colon = strchr(arg, ':');
		char *secs = strndup(arg, colon ? (size_t)(colon - arg) : strlen(arg));
		a->num = number(secs);
		free(secs);
		a->label = colon ? colon + 1 : "idle";
	}
}

/* Reads what the program wrote, waiting up to timeout_ms for it; false at the end. */
static bool pump(child *c, int timeout_ms)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	int r = poll(&p, 1, timeout_ms < 0 ? 0 : timeout_ms);
	if (r < 0 && errno != EINTR)
		die("poll");
	if (r <= 0)
		return true;
	if (c->len + 4096 > c->cap) {
		c->cap = c->cap ? c->cap * 2 : 65536;
		c->buf = realloc(c->buf, c->cap);
		if (!c->buf)
			die("realloc");
	}
	ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len - 1);
	if (n <= 0) {
		if (n < 0 && errno == EINTR)
			return true;
		c->eof = true;	/* EIO: every slave descriptor is closed */
		return false;
	}
	c->len += (size_t)n;
	c->last = now_ms();
	return true;
}

static bool contains(const child *c, size_t from, const char *s, size_t n)
{
	return c->len >= from + n && memmem(c->buf + from, c->len - from, s, n) != NULL;
}

/* The first frame: the marker, then a quiet interval. Returns its time, or -1. */
static double first_frame(child *c, const char *marker, size_t mlen)
{
	double deadline = c->t0 + (double)opt.timeout_ms;
	bool seen = false;
	for (;;) {
		double now = now_ms();
		if (!seen)
			seen = contains(c, 0, marker, mlen);
		double until = seen ? c->last + (double)opt.quiet_ms : deadline;
		if (seen && now >= until)
			return c->last - c->t0;
		if (!seen && now >= deadline)
			return -1;
		if (!pump(c, (int)(until - now) + 1))
			return -1;
	}
}

static void drain(child *c, double ms)
{
	double end = now_ms() + ms;
	for (double now = now_ms(); now < end && !c->eof; now = now_ms())
		pump(c, (int)(end - now) + 1);
}

typedef struct {
	double run_ns;
	long long ticks, vol, invol, slices;
} sample;

static bool read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return true;
}

static long long field_after(const char *text, const char *name)
{
	const char *p = strstr(text, name);
	return p ? strtoll(p + strlen(name), NULL, 10) : 0;
}

/* CPU time and switches of every thread of pid (utime+stime: of the whole process). */
static sample take_sample(pid_t pid)
{
	sample s = { 0 };
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (read_file(path, buf, sizeof buf)) {
		const char *p = strrchr(buf, ')');
		unsigned long long ut = 0, st = 0;
		/* after the name: state(3) ... utime(14) stime(15) */
		if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) == 2)
			s.ticks = (long long)(ut + st);
	}
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return s;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char tp[300];
		snprintf(tp, sizeof tp, "/proc/%d/task/%s/status", (int)pid, e->d_name);
		if (read_file(tp, buf, sizeof buf)) {
			s.vol += field_after(buf, "\nvoluntary_ctxt_switches:");
			s.invol += field_after(buf, "\nnonvoluntary_ctxt_switches:");
		}
		snprintf(tp, sizeof tp, "/proc/%d/task/%s/schedstat", (int)pid, e->d_name);
		unsigned long long run = 0, wait = 0, slices = 0;
		if (read_file(tp, buf, sizeof buf) &&
		    sscanf(buf, "%llu %llu %llu", &run, &wait, &slices) == 3) {
			s.run_ns += (double)run;
			s.slices += (long long)slices;
		}
	}
	closedir(d);
	return s;
}

static void measure(child *c, const action *a)
{
	sample s0 = take_sample(c->pid);
	size_t before = c->len;
	drain(c, (double)a->num * 1000);
	sample s1 = take_sample(c->pid);
	long tick = sysconf(_SC_CLK_TCK);
	printf("measure %s secs=%ld cpu_ms=%.3f tick_ms=%lld vol_cs=%lld invol_cs=%lld timeslices=%lld out_bytes=%zu%s\n",
	       a->label, a->num, (s1.run_ns - s0.run_ns) / 1e6,
	       (s1.ticks - s0.ticks) * 1000 / (tick > 0 ? tick : 100), s1.vol - s0.vol,
	       s1.invol - s0.invol, s1.slices - s0.slices, c->len - before,
	       c->eof ? " (the program ended)" : "");
	fflush(stdout);
}

static bool run_actions(child *c)
{
	for (size_t i = 0; i < opt.nact && !c->eof; i++) {
		const action *a = &opt.act[i];
		switch (a->kind) {
		case ACT_KEYS:
			c->mark = c->len;
			if (write(c->fd, a->bytes, a->len) != (ssize_t)a->len)
				die("write to the terminal");
			break;
		case ACT_WAIT:
			drain(c, (double)a->num);
			break;
		case ACT_EXPECT: {
			double deadline = now_ms() + (double)opt.timeout_ms;
			while (!contains(c, c->mark, a->bytes, a->len)) {
				double now = now_ms();
				if (now >= deadline || !pump(c, (int)(deadline - now) + 1)) {
					fprintf(stderr, "frame: never saw \"%s\"\n", a->bytes);
					return false;
				}
			}
			break;
		}
		case ACT_MEASURE:
			measure(c, a);
			break;
		}
	}
	return true;
}

/* Waits up to ms for the child to end, reading its output; true when it has. */
static bool reap(child *c, double ms, int *status, struct rusage *ru)
{
	double end = now_ms() + ms;
	for (;;) {
		pid_t r = wait4(c->pid, status, WNOHANG, ru);
		if (r == c->pid)
			return true;
		if (r < 0)
			die("wait4");
		double now = now_ms();
		if (now >= end)
			return false;
		if (c->eof)
			usleep(2000);
		else
			pump(c, (int)(end - now) < 20 ? (int)(end - now) + 1 : 20);
	}
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	remove(path);
	return 0;
}

typedef struct {
	double frame_ms, cpu_ms;
	long rss_kib;
} result;

static result one_run(char **argv, bool last)
{
	char dir[] = "/tmp/frame-XXXXXX";
	if (!mkdtemp(dir))
		die("mkdtemp");
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	child c = { 0 };
	fflush(stdout);
	c.t0 = now_ms();
	c.pid = forkpty(&c.fd, NULL, NULL, &ws);
	if (c.pid < 0)
		die("forkpty");
	if (c.pid == 0) {
		setenv("TERM", opt.term, 1);
		setenv("LANG", "C.UTF-8", 1);
		setenv("XDG_STATE_HOME", dir, 1);
		unsetenv("LC_ALL");
		unsetenv("LANGUAGE");
		unsetenv("LC_MESSAGES");
		unsetenv("COLUMNS");
		unsetenv("LINES");
		for (size_t i = 0; i < opt.nenv; i++)
			putenv(opt.env[i]);
		execvp(argv[0], argv);
		_exit(127);
	}
	size_t mlen;
	char *marker = unescape(opt.marker, &mlen);
	result res = { first_frame(&c, marker, mlen), -1, -1 };
	size_t frame_bytes = c.len;
	free(marker);
	if (res.frame_ms >= 0)	/* the program waits for a key now: what it ran so far */
		res.cpu_ms = take_sample(c.pid).run_ns / 1e6;
	bool ok = res.frame_ms >= 0;
	if (!ok)
		fprintf(stderr, "frame: no complete frame with \"%s\" within %ld ms\n", opt.marker,
			opt.timeout_ms);
	if (ok && !run_actions(&c))
		ok = false;

	int status = 0;
	struct rusage ru = { 0 };
	const char *end = "keys";
	if (opt.quit_len && !c.eof && write(c.fd, opt.quit, opt.quit_len) < 0)
		die("write to the terminal");
	if (!opt.quit_len || !reap(&c, 3000, &status, &ru)) {
		end = "SIGTERM";
		kill(c.pid, SIGTERM);
		if (!reap(&c, 2000, &status, &ru)) {
			end = "SIGKILL";
			kill(c.pid, SIGKILL);
			reap(&c, 1e9, &status, &ru);
		}
	}
	if (opt.quit_len && strcmp(end, "keys") == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
		end = "exec-failed";
	res.rss_kib = ru.ru_maxrss;
	if (opt.label)
		printf("%s ", opt.label);
	if (res.frame_ms >= 0)
		printf("frame_ms=%.2f cpu_ms=%.2f", res.frame_ms, res.cpu_ms);
	else
		printf("frame_ms=NA cpu_ms=NA");
	printf(" maxrss_kib=%ld frame_bytes=%zu end=%s\n", res.rss_kib, frame_bytes, end);
	fflush(stdout);
	if (last && opt.out_path) {
		FILE *f = fopen(opt.out_path, "w");
		if (!f || fwrite(c.buf, 1, c.len, f) != c.len || fclose(f) != 0)
			die(opt.out_path);
	}
	close(c.fd);
	free(c.buf);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return res;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double percentile(double *v, size_t n, double fraction)
{
	qsort(v, n, sizeof *v, cmp_double);
	return v[(size_t)(fraction * (double)(n - 1) + 0.5)];
}

int main(int argc, char **argv)
{
	int ch;
	opt.quit = unescape("q", &opt.quit_len);
	while ((ch = getopt(argc, argv, "+m:Q:T:q:t:E:r:o:l:k:w:e:M:")) != -1) {
		switch (ch) {
		case 'm': opt.marker = optarg; break;
		case 'Q': opt.quiet_ms = number(optarg); break;
		case 'T': opt.timeout_ms = number(optarg); break;
		case 'q': free(opt.quit); opt.quit = unescape(optarg, &opt.quit_len); break;
		case 't': opt.term = optarg; break;
		case 'E':
			if (opt.nenv == sizeof opt.env / sizeof opt.env[0] || !strchr(optarg, '='))
				usage();
			opt.env[opt.nenv++] = optarg;
			break;
		case 'r': opt.runs = number(optarg); break;
		case 'o': opt.out_path = optarg; break;
		case 'l': opt.label = optarg; break;
		case 'k': add_action(ACT_KEYS, optarg); break;
		case 'w': add_action(ACT_WAIT, optarg); break;
		case 'e': add_action(ACT_EXPECT, optarg); break;
		case 'M': add_action(ACT_MEASURE, optarg); break;
		default: usage();
		}
	}
	if (!opt.marker || !*opt.marker || optind >= argc || opt.runs < 1)
		usage();
	double *ms = calloc((size_t)opt.runs, sizeof *ms), *kib = calloc((size_t)opt.runs, sizeof *kib);
	double *cpu = calloc((size_t)opt.runs, sizeof *cpu);
	size_t good = 0;
	if (!ms || !kib || !cpu)
		die("calloc");
	for (long i = 0; i < opt.runs; i++) {
		result r = one_run(argv + optind, i == opt.runs - 1);
		if (r.frame_ms >= 0) {
			ms[good] = r.frame_ms;
			cpu[good] = r.cpu_ms;
			kib[good++] = (double)r.rss_kib;
		}
	}
	if (opt.runs > 1 && good)
		printf("%s%s%zu runs: frame_ms median=%.2f p90=%.2f cpu_ms median=%.2f maxrss_kib median=%.0f\n",
		       opt.label ? opt.label : "", opt.label ? " " : "", good,
		       percentile(ms, good, 0.5), percentile(ms, good, 0.9),
		       percentile(cpu, good, 0.5), percentile(kib, good, 0.5));
	free(ms);
	free(cpu);
	free(kib);
	return good ? 0 : 1;
}
