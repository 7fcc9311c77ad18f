#!/bin/sh
# Builds socktutor from a fresh clone on Debian or Ubuntu, installing the build
# dependencies with apt-get when they are missing (as root, or through sudo).
#   ./bootstrap.sh          build, then start the tutorial
#   ./bootstrap.sh check    build, then run the whole test suite (make check)
set -eu
cd "$(dirname "$0")"
action=${1:-run}

# strace, tcpdump and ss (iproute2): lesson 15 uses them, and tests compare their output with
# what the tools view shows; nc (netcat-openbsd): the projects are tested with a real nc client;
# locales: the locale sources, so a test can build a non-UTF-8 (ISO-8859-1) locale;
# valgrind: the demos, the self-check and the playground are run under memcheck
deps="build-essential autoconf automake autopoint gettext pkg-config libncurses-dev check tmux python3 strace tcpdump iproute2 netcat-openbsd locales valgrind"
missing=""
for p in $deps; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "socktutor: installing build dependencies:$missing"
	if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
	$sudo apt-get update
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $missing
fi

[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure
make -j"$(nproc 2>/dev/null || echo 2)"

case "$action" in
run) exec ./src/socktutor ;;
check)
	# the suite on this build, then again on a build with ASan and UBSan (make check-sanitized)
	make -j"$(nproc 2>/dev/null || echo 2)" check
	exec make -j"$(nproc 2>/dev/null || echo 2)" check-sanitized ;;
*) echo "usage: $0 [run|check]" >&2; exit 2 ;;
esac
