# Sourced by the tmux end-to-end tests (tests/e2e-*.test): skips without tmux; sets prog
# (the program), work (a scratch directory, removed at exit) and T (tmux on a server of the
# test's own, killed at exit); fail prints the screen and ends the test; screen prints it;
# wait_for waits up to 5 s for the screen to contain a fixed string (wait_re: a line to match
# a regular expression). A test may redefine screen or cleanup after sourcing this.
: "${top_builddir:=$(cd "$(dirname "$0")/.." && pwd)}"
tmux=${TMUX_BIN:-$(command -v tmux)}
if [ -z "$tmux" ]; then
	echo "SKIP: tmux is not installed (Debian: apt-get install tmux)"
	exit 77
fi
prog="$top_builddir/src/socktutor"
work=$(mktemp -d /tmp/socktutor-e2e.XXXXXX)
# the outline of the menu (catalog.h) is saved here, not in the user's cache; the tmux
# server, started from this shell, passes it on
XDG_CACHE_HOME="$work/cache"
export XDG_CACHE_HOME
sock="socktutor-$(basename "$0" .test)-$$"
T() { "$tmux" -L "$sock" -f /dev/null "$@"; }
cleanup() { T kill-server 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	echo "--- screen ---"
	T capture-pane -p -t e2e 2>/dev/null
	exit 1
}

screen() { T capture-pane -p -t e2e; }

wait_for() {
	i=0
	while [ $i -lt 50 ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "did not see '$1'"
}

# wait_re RE MESSAGE: waits up to 5 s for a line of the screen to match the basic regular
# expression RE; fails with MESSAGE if none does
wait_re() {
	i=0
	while [ $i -lt 50 ]; do
		screen | grep -q -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "$2"
}
