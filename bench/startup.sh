#!/bin/sh
# Time to the first complete frame in an 80x24 pseudo-terminal and peak RSS of socktutor,
# of bench/floor (the least a curses menu costs) and of GNU Typist when installed: medians
# of RUNS runs (default 20), the programs taking turns run by run so that a change of load
# falls on all of them. Then CPU time and wakeups over 10 s: socktutor idle on its menu, on
# a lesson page, on a demo's screen after one step, and while the demo runs in auto mode;
# the floor and GNU Typist idle on their menus for comparison. The row "socktutor zh_CN" is
# the same program in Chinese (the lessons kept in memory are the Chinese ones, the larger
# text). Those two draw the menu from the outline an earlier start saved (XDG_CACHE_HOME, a
# directory of this run's, filled by one start before the runs) and read the lessons after
# the frame; the row "socktutor, no outline" is a first start (or one after the lessons or
# the program changed): the lessons are read and checked before the frame (XDG_CACHE_HOME
# where nothing can be saved). The row "socktutor 1 lesson"
# runs the program, with its outline, on a lesson set of one lesson (lesson 0 in both
# languages, its demo, an empty glossary: SOCKTUTOR_LESSONS).
# Usage: bench/startup.sh [RUNS]   (from the build directory, after 'make bench')
# A developer's tool: it asserts nothing.
set -eu
runs=${1:-20}
frame=${FRAME:-./bench/frame}
floor=${FLOOR:-./bench/floor}
prog=${SOCKTUTOR:-./src/socktutor}
secs=${IDLE_SECS:-10}
for f in "$frame" "$floor" "$prog"; do
	if [ ! -x "$f" ]; then
		echo "startup.sh: $f is missing: run 'make bench' in the build directory" >&2
		exit 2
	fi
done
gtypist=$(command -v gtypist || true)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lessons=${LESSONS:-$(dirname "$0")/../lessons}
one="$tmp/one-lesson"
mkdir -p "$one/en" "$one/zh_CN" "$one/demos"
cp "$lessons/en/00-using.lesson" "$one/en/" 2>/dev/null || true
cp "$lessons/zh_CN/00-using.lesson" "$one/zh_CN/" 2>/dev/null || true
cp "$lessons/demos/first.demo" "$one/demos/" 2>/dev/null || true
: > "$one/glossary.terms"
if ! "$prog" --check-lessons "$one" > /dev/null 2>&1; then
	one=
fi

# one run of one program: "frame_ms maxrss_kib cpu_ms" appended to $tmp/NAME
once() {
	name=$1
	shift
	"$frame" "$@" |
	sed -n 's/^frame_ms=\([0-9.]*\) cpu_ms=\([0-9.]*\) maxrss_kib=\([0-9]*\) .*/\1 \3 \2/p' >> "$tmp/$name"
}

echo "$(uname -sr) $(uname -m), $(getconf _NPROCESSORS_ONLN) CPUs, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "socktutor: $prog; gtypist: ${gtypist:-not installed}"
cache="XDG_CACHE_HOME=$tmp/cache"
cache1="XDG_CACHE_HOME=$tmp/cache1"	# the one-lesson set's outline (one per language)
nocache="XDG_CACHE_HOME=/proc/none"	# nothing can be made there: never an outline
for f in socktutor zh cold one floor gtypist warmup; do
	: > "$tmp/$f"
done
# the starts that save the outlines the measured runs use
once warmup -m Quit -E "$cache" -- "$prog"
once warmup -m 退出 -E "$cache" -- "$prog" --lang zh_CN
if [ -n "$one" ]; then
	once warmup -m Quit -E "$cache1" -E "SOCKTUTOR_LESSONS=$one" -- "$prog"
fi
if [ ! -s "$tmp/cache/socktutor/outline-en" ] || [ ! -s "$tmp/cache/socktutor/outline-zh_CN" ]; then
	echo "startup.sh: no outline was saved in $tmp/cache: the rows below are all first starts" >&2
fi
i=0
while [ "$i" -lt "$runs" ]; do
	once socktutor -m Quit -E "$cache" -- "$prog"
	once zh -m 退出 -E "$cache" -- "$prog" --lang zh_CN
	once cold -m Quit -E "$nocache" -- "$prog"
	if [ -n "$one" ]; then
		once one -m Quit -E "$cache1" -E "SOCKTUTOR_LESSONS=$one" -- "$prog"
	fi
	once floor -m Quit -- "$floor"
	if [ -n "$gtypist" ]; then
		once gtypist -m 'SPACE or RETURN to select' -q '\e' -- "$gtypist"
	fi
	i=$((i + 1))
done

# the median of column $2 of file $1 (the 90th percentile with $3 = 0.9), as frame computes it
median() {
	sort -n -k"$2,$2" "$1" |
	awk -v c="$2" -v f="${3:-0.5}" '{ v[NR - 1] = $c } END { if (NR) print v[int(f * (NR - 1) + 0.5)] }'
}
# one row: median and 90th percentile of the time to the frame, median CPU time, median RSS
stats() {
	n=$(wc -l < "$1")
	if [ "$n" -eq 0 ]; then
		echo "no frame"
		return
	fi
	printf '%9.1f %9.1f %9.1f %12d %5d\n' "$(median "$1" 1)" "$(median "$1" 1 0.9)" \
		"$(median "$1" 3)" "$(median "$1" 2)" "$n"
}

echo
echo "first complete frame, 80x24, $runs runs each"
echo "                     time to the frame    CPU ms  peak RSS"
echo "program              median ms    p90 ms  (median)  KiB (med)  runs"
printf '%-20s' socktutor; stats "$tmp/socktutor"
printf '%-20s' "socktutor zh_CN"; stats "$tmp/zh"
printf '%-20s' "socktutor, no outline"; stats "$tmp/cold"
if [ -n "$one" ]; then
	printf '%-20s' "socktutor 1 lesson"; stats "$tmp/one"
else
	printf '%-20s%s\n' "socktutor 1 lesson" "n/a: no lesson 0 in $lessons"
fi
printf '%-20s' floor; stats "$tmp/floor"
if [ -n "$gtypist" ]; then
	printf '%-20s' gtypist; stats "$tmp/gtypist"
else
	printf '%-20s%s\n' gtypist "not installed"
fi
a=$(median "$tmp/socktutor" 1)
b=$(median "$tmp/floor" 1)
c=$(median "$tmp/socktutor" 3)
d=$(median "$tmp/floor" 3)
e=$(median "$tmp/cold" 1)
g=$(median "$tmp/cold" 3)
if [ -n "$a" ] && [ -n "$b" ] && [ -n "$e" ]; then
	awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" -v e="$e" -v g="$g" 'BEGIN {
		printf "socktutor / floor (medians): time %.2fx, CPU %.2fx\n", a / b, c / d
		printf "socktutor, no outline / floor: time %.2fx, CPU %.2fx\n", e / b, g / d }'
fi

echo
echo "CPU over $secs s (schedstat; utime+stime in ticks) and wakeups (context switches)"
echo "where                      CPU ms  tick ms  voluntary  involuntary  timeslices  bytes out"
show() {
	sed -n 's/^measure \([^ ]*\) secs=[0-9]* cpu_ms=\([0-9.]*\) tick_ms=\([0-9-]*\) vol_cs=\([0-9-]*\) invol_cs=\([0-9-]*\) timeslices=\([0-9-]*\) out_bytes=\([0-9]*\).*/\1 \2 \3 \4 \5 \6 \7/p' |
	while read -r where cpu tick vol invol slices bytes; do
		printf '%-24s %8.1f %8s %10s %12s %11s %10s\n' "$where" "$cpu" "$tick" "$vol" "$invol" "$slices" "$bytes"
	done
}
# the menu; Enter opens lesson 0 at its first page; q back, four down to lesson 4 (TCP),
# its fourth page has the echo demo: d opens it (frame stops, saying so, unless the demo's
# status line with "a Auto" appears), Space runs step 1; a starts auto mode (a step every
# 800 ms; the demo has 21 steps, so it runs through the whole window)
"$frame" -m Quit -q 'qqq' \
	-w 1000 -M "$secs:socktutor-menu" \
	-k '\r' -w 1000 -M "$secs:socktutor-lesson-page" \
	-k q -w 300 -k jjjj -w 300 -k '\r' -w 500 -k nnn -w 500 -k d -e ' Auto' -w 1000 -k ' ' -w 1000 \
	-M "$secs:socktutor-demo-stepped" \
	-k a -w 100 -M "$secs:socktutor-demo-auto" \
	-- "$prog" | show
"$frame" -m Quit -w 1000 -M "$secs:floor-idle" -- "$floor" | show
if [ -n "$gtypist" ]; then
	"$frame" -m 'SPACE or RETURN to select' -q '\e' -w 1000 -M "$secs:gtypist-menu" -- "$gtypist" | show
else
	printf '%-24s %s\n' gtypist-menu "not installed"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
