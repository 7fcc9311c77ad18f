#!/bin/sh
# Wall and CPU time of the self-check, per demo: medians of N runs (default 5).
# Usage: bench/selfcheck.sh [N]   (from the build directory)
# Wall time includes the waits a demo makes on purpose (a SYN retransmission takes ~1 s,
# a 0.2 s timeout is 0.2 s); CPU time is what the interpreter and the kernel spend.
set -eu
n=${1:-5}
prog=${SOCKTUTOR:-./src/socktutor}
i=0
: > /tmp/socktutor-bench.$$
while [ $i -lt "$n" ]; do
	LANG=C.UTF-8 "$prog" --lang en --self-check >> /tmp/socktutor-bench.$$
	i=$((i + 1))
done
python3 - /tmp/socktutor-bench.$$ "$n" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r'(ok  |FAIL) (\S+) .* (\d+) checks\s+(\d+) ms\s+\(CPU (\d+) ms\)', line)
    if m:
        rows.setdefault(m.group(2), []).append((int(m.group(4)), int(m.group(5))))
print("demo          wall ms (median)   CPU ms (median)   runs=%s" % sys.argv[2])
tw = tc = 0
for d, v in rows.items():
    w = statistics.median(x[0] for x in v); c = statistics.median(x[1] for x in v)
    tw += w; tc += c
    print("%-12s %12.0f %17.0f" % (d, w, c))
print("%-12s %12.0f %17.0f" % ("total", tw, tc))
PY
rm -f /tmp/socktutor-bench.$$
