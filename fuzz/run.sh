#!/bin/sh
# Builds the libFuzzer harnesses of fuzz/ and runs each in turn for RUNS executions
# (default 10000000). Usage: fuzz/run.sh [RUNS [HARNESS...]] (all five harnesses by default:
# lesson script packet progress outline). FUZZ_SECONDS=N in the environment also stops each harness
# after N seconds, whichever comes first (the line printed says how many executions ran).
#
# Everything goes to fuzz/build/: the harness binaries, a fresh corpus per harness seeded from
# the lessons, demo scripts and hand-made packets and progress files (corpus/NAME), the log of
# each run (NAME.log) and any crash, leak or timeout input (crashes/NAME-...). Prints one line
# per harness and exits 1 when any harness failed. Needs clang with libFuzzer, python3 (to
# write the packet and progress seeds) and a configured tree (config.h in the top directory).
set -eu

RUNS=${1:-10000000}
case ${FUZZ_SECONDS:-1} in
'' | *[!0-9]*) echo "fuzz/run.sh: FUZZ_SECONDS must be a number of seconds" >&2; exit 2 ;;
esac
case $RUNS in
'' | *[!0-9]*) echo "usage: fuzz/run.sh [RUNS [lesson|script|packet|progress|outline ...]]" >&2; exit 2 ;;
esac
[ $# -gt 0 ] && shift
HARNESSES=${*:-lesson script packet progress outline}
for h in $HARNESSES; do
	case $h in
	lesson | script | packet | progress | outline) ;;
	*) echo "fuzz/run.sh: no harness '$h' (there are: lesson script packet progress outline)" >&2; exit 2 ;;
	esac
done

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# config.h: in the top directory, or where 'make fuzz' says (a build directory)
CONFIG_DIR=${CONFIG_DIR:-.}
[ -f "$CONFIG_DIR/config.h" ] || { echo "fuzz/run.sh: no config.h: run ./configure (or ./bootstrap.sh) first" >&2; exit 2; }
CC=${CC:-clang}
command -v "$CC" >/dev/null 2>&1 || { echo "fuzz/run.sh: $CC not found" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "fuzz/run.sh: python3 not found" >&2; exit 2; }

B=fuzz/build
# a UBSan report names where it happened
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export UBSAN_OPTIONS
FLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
CFLAGS="-std=c11 -Wall -Wextra -DHAVE_CONFIG_H -I$CONFIG_DIR -Ifuzz -Isrc -Isrc/core -Isrc/net"

# ---- build -------------------------------------------------------------------------------
mkdir -p "$B"
sources() {
	case $1 in
	lesson) echo src/core/lesson.c src/core/text.c src/core/diag.c src/core/util.c ;;
	script) echo src/core/script.c src/core/text.c src/core/diag.c src/core/util.c \
		src/core/errnames.c ;;
	packet) echo src/net/packet.c src/net/tools.c src/net/observe.c src/core/util.c ;;
	progress) echo src/core/util.c ;;	# fuzz/progress.c includes src/core/progress.c
	# fuzz/outline.c includes src/core/catalog.c
	outline) echo src/core/lesson.c src/core/script.c src/core/glossary.c src/core/text.c \
		src/core/diag.c src/core/util.c src/core/errnames.c src/core/i18n.c ;;
	esac
}
for h in $HARNESSES; do
	echo "build  $B/$h"
	# shellcheck disable=SC2046,SC2086
	nice -n 19 "$CC" $FLAGS $CFLAGS -o "$B/$h" "fuzz/$h.c" $(sources "$h")
done

# ---- seeds -------------------------------------------------------------------------------
# (every harness's seeds are written; the corpora of the harnesses run start afresh)
for h in $HARNESSES; do rm -rf "$B/corpus/$h"; done
for h in lesson script packet progress outline; do mkdir -p "$B/corpus/$h"; done

# lesson: every shipped lesson (both languages) and every test lesson
n=0
for f in lessons/en/*.lesson lessons/zh_CN/*.lesson $(find tests/data -name '*.lesson' | sort); do
	[ -f "$f" ] || continue
	n=$((n + 1))
	cp "$f" "$B/corpus/lesson/seed-$n-$(basename "$f")"
done

# script: lessons embed no script (a @demo block holds only narration, doc/lesson-format.md);
# the scripts are the demos/ID.demo files beside the lessons, shipped and in tests/data
n=0
for f in lessons/demos/*.demo $(find tests/data -name '*.demo' | sort); do
	[ -f "$f" ] || continue
	n=$((n + 1))
	cp "$f" "$B/corpus/script/seed-$n-$(basename "$f")"
done
# and what a student might type on the playground
printf 's = socket(AF_INET, SOCK_DGRAM)\ns.bind("127.0.0.1", 5000)\ns.sendto("hi\\x00", "::1", 0)\n' \
	>"$B/corpus/script/seed-playground"

# packet: frames cut from any pcap capture under tests/data, and hand-made ones
# shellcheck disable=SC2046 # one argument per capture
python3 - "$B/corpus/packet" $(find tests/data -name '*.pcap' | sort) <<'PY'
import os, struct, sys

out, pcaps = sys.argv[1], sys.argv[2:]
count = 0

def write(name, data):
    global count
    count += 1
    with open(os.path.join(out, 'seed-%03d-%s' % (count, name)), 'wb') as f:
        f.write(data)

def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def ip4(proto, payload, src=b'\xc0\x00\x02\x02', dst=b'\xc0\x00\x02\x01', frag=0x4000,
        opts=b''):
    hl = 20 + len(opts)
    h = struct.pack('!BBHHHBBH4s4s', 0x40 | hl // 4, 0, hl + len(payload), 0, frag, 64,
                    proto, 0, src, dst) + opts
    return h[:10] + struct.pack('!H', csum(h)) + h[12:] + payload

def ip6(nh, payload, src=b'\x20\x01\x0d\xb8' + b'\0' * 11 + b'\x02',
        dst=b'\x20\x01\x0d\xb8' + b'\0' * 11 + b'\x01'):
    return struct.pack('!IHBB16s16s', 0x60000000, len(payload), nh, 64, src, dst) + payload

def tcp(sport, dport, seq, ack, flags, win=65535, opts=b'', data=b''):
    hl = 20 + len(opts)
    return struct.pack('!HHIIBBHHH', sport, dport, seq, ack, hl // 4 << 4, flags, win, 0,
                       0) + opts + data

def udp(sport, dport, data):
    return struct.pack('!HHHH', sport, dport, 8 + len(data), 0) + data

def ether(ip, v6=False):
    return b'\0' * 12 + (b'\x86\xdd' if v6 else b'\x08\x00') + ip

SYN_OPTS = b'\x02\x04\xff\xd7\x04\x02\x08\x0a\x00\x00\x10\x00\x00\x00\x00\x00\x01\x03\x03\x07'
SYN, ACK, PSH, FIN, RST = 2, 16, 8, 1, 4
hand = [
    ('tcp4-syn', ip4(6, tcp(40000, 5000, 1000, 0, SYN, 65495, SYN_OPTS)), False),
    ('tcp4-synack', ip4(6, tcp(5000, 40000, 7000, 1001, SYN | ACK, 65483, SYN_OPTS),
                        b'\xc0\x00\x02\x01', b'\xc0\x00\x02\x02'), False),
    ('tcp4-ack', ip4(6, tcp(40000, 5000, 1001, 7001, ACK, 512)), False),
    ('tcp4-data', ip4(6, tcp(40000, 5000, 1001, 7001, PSH | ACK, 512,
                             b'\x01\x01\x08\x0a\x00\x00\x10\x01\x00\x00\x10\x00',
                             b'hello\n')), False),
    ('tcp4-fin', ip4(6, tcp(40000, 5000, 1007, 7001, FIN | ACK, 512)), False),
    ('tcp4-rst', ip4(6, tcp(5001, 40001, 0, 1, RST | ACK, 0)), False),
    ('tcp6-syn', ip6(6, tcp(40000, 5000, 1, 0, SYN, 65476, SYN_OPTS)), True),
    ('tcp6-data', ip6(6, tcp(40000, 5000, 2, 9, PSH | ACK, 512, b'',
                             '你好'.encode())), True),
    ('udp4', ip4(17, udp(40000, 5000, b'ping')), False),
    ('udp6', ip6(17, udp(40000, 5000, b'ping')), True),
    ('icmp4-port-unreach', ip4(1, b'\x03\x03\0\0\0\0\0\0' +
                               ip4(17, udp(40000, 5000, b'ping'))), False),
    ('icmp4-echo', ip4(1, b'\x08\0\0\0\x12\x34\0\x01' + b'abcdefgh'), False),
    ('icmp6-port-unreach', ip6(58, b'\x01\x04\0\0\0\0\0\0' +
                               ip6(17, udp(40000, 5000, b'ping'))), True),
    ('icmp6-echo', ip6(58, b'\x80\0\0\0\x12\x34\0\x01abcd'), True),
    ('ip4-options', ip4(6, tcp(40000, 5000, 1, 0, SYN), opts=b'\x01\x01\x01\x00'), False),
    ('ip4-first-fragment', ip4(17, udp(40000, 5000, b'x' * 64)[:40], frag=0x2000), False),
    ('ip4-later-fragment', ip4(17, b'y' * 24, frag=0x0005), False),
    ('ip6-hopopts-dstopts', ip6(0, b'\x3c\0\x01\x04\0\0\0\0' + b'\x06\0\x01\x04\0\0\0\0' +
                                tcp(40000, 5000, 1, 0, SYN)), True),
    ('ip6-fragment', ip6(44, b'\x11\0\0\x01\0\0\0\x2a' + udp(40000, 5000, b'frag')), True),
    ('ip4-gre', ip4(47, b'\0' * 8), False),
]
for name, frame, v6 in hand:
    write(name, frame)
    write(name + '-ether', ether(frame, v6))
# a whole exchange, IP packets end to end (the harness walks them as one capture)
write('tcp4-exchange', b''.join(f for n, f, v in hand[:5]))

# pcap files (classic format): every frame of every capture, as captured and as IP
for path in pcaps:
    with open(path, 'rb') as f:
        d = f.read()
    if len(d) < 24:
        continue
    magic = d[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        e = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '>'
    else:
        continue                # pcapng or not a capture
    link = struct.unpack(e + 'I', d[20:24])[0]
    cut = {1: 14, 113: 16, 101: 0, 228: 0, 229: 0}.get(link)
    if cut is None:
        continue
    off, k, stem = 24, 0, os.path.basename(path)
    while off + 16 <= len(d) and k < 200:
        incl = struct.unpack(e + 'I', d[off + 8:off + 12])[0]
        frame = d[off + 16:off + 16 + incl]
        off += 16 + incl
        k += 1
        if link == 1:
            write('%s-%d-ether' % (stem, k), frame)
        write('%s-%d' % (stem, k), frame[cut:])
PY

# progress: valid files as progress_save() writes them (src/core/progress.c)
P=$B/corpus/progress
printf 'socktutor-progress 1\n' >"$P/seed-empty"
printf 'socktutor-progress 1\nlang zh_CN\nplace addresses 2\nread addresses 0 2\n' >"$P/seed-read"
printf 'socktutor-progress 1\nlang en\nplace tcp 1 handshake 3\nread tcp 0 1\nanswer tcp c-backlog 1\nanswer tcp p-refused-refused 0\nread udp 0\nanswer udp c-x 0\n' >"$P/seed-answers"
printf 'socktutor-progress 1\nread socket 0 1 2 3 4 5 1023\nread ports\nplace ports 0\n' >"$P/seed-pages"

# outline: what follows the key in an outline catalog_save_outline() writes (src/core/catalog.c)
O=$B/corpus/outline
printf 'lesson 0 2 3 using 00-using.lesson\ntitle Using socktutor\npage Keys\npage 端口与连接\nlesson 4 1 0 tcp 04-tcp.lesson\ntitle A TCP server\npage listen()\ndemo 0 1 2 first\ndemo 1 0 0 echo\nend\n' >"$O/seed-two"
printf 'lesson 9999 1 10000 x x.lesson\ntitle 三次握手\npage p\nend\n' >"$O/seed-bounds"

# ---- run ---------------------------------------------------------------------------------
mkdir -p "$B/crashes"
max_len() {
	case $1 in
	lesson) echo 8192 ;;	# a lesson's first 8 KB hold every construct; 29 KB ones run slower
	script) echo 8192 ;;	# the longest demo is 2.4 KB
	packet) echo 4096 ;;	# a loopback frame of the lab; jumbo lengths are not reached
	progress) echo 4096 ;;
	outline) echo 4096 ;;	# the course's outline is 6 KB; its first 4 hold every kind of line
	esac
}
summary=$B/summary.txt	# every run's lines, appended
echo "# $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) CPUs, $RUNS runs each" >>"$summary"
failed=0
for h in $HARNESSES; do
	log=$B/$h.log
	dict=
	[ -f "fuzz/dict/$h.dict" ] && dict=-dict=fuzz/dict/$h.dict
	echo "run    $B/$h -runs=$RUNS -max_len=$(max_len "$h") (log: $log)"
	rc=0
	# The timeout is generous: at nice 19 on a busy machine a 15 ms input was once stalled
	# for 11 s; a real hang is caught all the same. Slow units are reported, not failures.
	# shellcheck disable=SC2086
	nice -n 19 "$B/$h" -runs="$RUNS" ${FUZZ_SECONDS:+-max_total_time=$FUZZ_SECONDS} \
		-max_len="$(max_len "$h")" $dict \
		-timeout=120 -report_slow_units=60 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$B/crashes/$h-" "$B/corpus/$h" >"$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' "$log" | tail -n 1)
	artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | grep -v 'slow-unit-' |
		tail -n 1 || true)
	if [ "$rc" -ne 0 ] || [ -n "$artifact" ]; then
		failed=1
		crashes=${artifact:-"exit status $rc, see $log"}
	else
		crashes=0
	fi
	line=$(printf '%-9s executions %-10s exec/s %-7s corpus %-6s crashes %s' \
		"$h" "${execs:-?}" "${rate:-?}" "${corp:-?}" "$crashes")
	echo "$line" | tee -a "$summary"
done
exit $failed
