#!/bin/sh
# check.sh - what `make check` runs: install missing packages, then every
# test (unit, CLI, fuzz-corpus replay) on a normal build and again on an
# ASan+UBSan build.  All results are TAP; the last line counts them.
set -u
cd "$(dirname "$0")/.."

sh tests/deps.sh check || exit 1
sh tests/deps.sh interop || exit 1

jobs=$(nproc 2>/dev/null || echo 2)
log=$(mktemp -d "${TMPDIR:-/tmp}/p2p-check.XXXXXX")
trap 'rm -rf "$log"' EXIT
pass=0
fail=0
skip=0

# count FILE: adds FILE's TAP results to the totals and prints failures.
count() {
	p=$(grep '^ok ' "$1" | grep -vic ' # skip' || true)
	s=$(grep '^ok ' "$1" | grep -ic ' # skip' || true)
	f=$(grep -c '^not ok ' "$1" || true)
	pass=$((pass + p))
	skip=$((skip + s))
	fail=$((fail + f))
	grep -i '^ok .* # skip' "$1" || true
	# A failure with what its test printed (bats shows it only then),
	# bounded: a CI log is read from its tail.
	awk '/^not ok /{f = 1; print; next} /^ok /{f = 0} f && /^#/' "$1" |
	    head -60 || true
}

# suite_run NAME CMD...: runs one suite, keeping its TAP, its exit status
# and its wall time; suite_report NAME then prints and counts them (so a
# suite may run in the background and be reported later).
suite_run() {
	out="$log/$(echo "$1" | tr ' /' '__').tap"
	shift
	t0=$(date +%s)
	"$@" >"$out" 2>"$out.err"
	echo $? >"$out.rc"
	echo $(($(date +%s) - t0)) >"$out.secs"
}

# A suite that exits non-zero without a failing TAP line (crash, sanitizer
# abort) counts as one failure of its own.
suite_report() {
	name=$1
	out="$log/$(echo "$name" | tr ' /' '__').tap"
	rc=$(cat "$out.rc")
	echo "== $name ($(cat "$out.secs") s)"
	# The slowest tests (bats --timing, the unit tests' "took" lines),
	# to see where the time goes.
	sed -n 's/^ok [0-9]* \(.*\) in \([0-9]*\)ms$/\2 \1/p
	    s/^# \(.*\) took \([0-9]*\) ms$/\2 \1/p' "$out" |
	    sort -rn | head -3 | sed 's/^\([0-9]*\) /#   slowest: \1 ms  /'
	count "$out"
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok ' "$out"; then
		echo "not ok - $name exited $rc"
		tail -20 "$out.err"
		fail=$((fail + 1))
	fi
}

# suite NAME CMD...: runs one suite and reports it.
suite() {
	suite_run "$@"
	suite_report "$1"
}

# netsuite CMD...: a suite that opens sockets.  As root it runs in a private
# network namespace holding only loopback, so no packet can leave the
# machine; otherwise the tests keep to 127.0.0.1 by themselves.
isolated() { [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1; }

netsuite() {
	if isolated; then
		unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
	else
		"$@"
	fi
}

# The independent peer for the interop suite, exactly as the lockfile pins it.
interop_ok=0
echo "== npm ci (tests/interop)"
if (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error) \
    >"$log/npm.log" 2>&1; then
	interop_ok=1
else
	tail -20 "$log/npm.log"
	echo "not ok - npm ci in tests/interop"
	fail=$((fail + 1))
fi

# prebuild MAKEARGS...: starts the next pass's build in the background
# (while this pass's networked suites mostly wait); run_pass waits for it
# before its own make, which then has little or nothing left to do.  Not
# niced: beside other load a niced build starves, and the pass waits.
prebuild_pid=""
prebuild() {
	make --no-print-directory -j"$jobs" "$@" test-bins \
	    >"$log/prebuild.log" 2>&1 &
	prebuild_pid=$!
}

# local_run DIR: the suites that need no peers (unit tests, the fuzz
# corpora, the CLI suite), one after another; local_report reports them.
# The unit tests open loopback sockets, so they run as a netsuite.
local_run() {
	suite_run "unit ($label)" netsuite "$1/tests/unit-tests"
	for r in "$1"/tests/replay_*; do
		[ -x "$r" ] || continue
		suite_run "fuzz corpus ${r##*/replay_} ($label)" "$r" \
		    "tests/fuzz/corpus/${r##*/replay_}"
	done
	if ls tests/cli/*.bats >/dev/null 2>&1; then
		suite_run "cli ($label)" bats --formatter tap --timing tests/cli
	fi
}

local_report() {
	suite_report "unit ($label)"
	for r in "$dir"/tests/replay_*; do
		[ -x "$r" ] || continue
		suite_report "fuzz corpus ${r##*/replay_} ($label)"
	done
	if ls tests/cli/*.bats >/dev/null 2>&1; then
		suite_report "cli ($label)"
	fi
}

run_pass() {
	label=$1
	shift
	if [ -n "$prebuild_pid" ]; then
		wait "$prebuild_pid" || true
		prebuild_pid=""
	fi
	echo "== build ($label)"
	if ! make --no-print-directory -j"$jobs" "$@" test-bins >"$log/build.log" 2>&1; then
		cat "$log/build.log"
		echo "not ok - build ($label)"
		fail=$((fail + 1))
		return
	fi
	grep -i 'warning' "$log/build.log" || true
	dir=$(make --no-print-directory -s "$@" print-O)
	export P2P_BIN="$PWD/$dir/bin" P2P_VECTORS="$PWD/tests/vectors"
	export P2P_MAKEFLAGS="$*"
	if isolated; then
		[ -z "${NEXT_PASS:-}" ] || prebuild $NEXT_PASS
		# The networked suites mostly wait (on peers, timers, handshake
		# deadlines): each in its own network namespace, they run side
		# by side, which takes minutes off make check.  The net and
		# interop files are split in groups that take about as long;
		# the unit tests and the CLI suite, which use the CPU while
		# the others wait, run beside them as one more group.
		local_run "$dir" &
		pids="$!"
		groups=$(net_groups)
		for g in $groups; do
			suite_run "$(group_name "$g") ($label)" netsuite \
			    bats --formatter tap --timing $(echo "$g" | tr , ' ') &
			pids="$pids $!"
		done
		wait $pids
		local_report
		for g in $groups; do
			suite_report "$(group_name "$g") ($label)"
		done
	else
		local_run "$dir"
		local_report
		[ -z "${NEXT_PASS:-}" ] || prebuild $NEXT_PASS
		suite "net ($label)" netsuite bats --formatter tap --timing tests/net
		if [ "$interop_ok" = 1 ]; then
			suite "interop ($label)" netsuite bats --formatter tap --timing tests/interop
		fi
	fi
}

# net_groups: prints the networked suites' files (tests/net, and
# tests/interop when its peer installed) in groups that take about as
# long, one comma-separated group per line; files named in no group form
# the last one.  Balanced by each file's time under ASan on an idle
# machine (2026-12): 120-150 s a group.
NET_GROUPS="net/60-serverd,net/75-metrics net/30-discover,net/40-examples
	net/71-control,net/70-ctl net/81-nat-serverd,net/80-nat,interop/serverd
	net/20-dial-listen,net/50-tools
	interop/discovery,interop/crawl-v1824,interop/interop"
net_groups() {
	named=",$(echo $NET_GROUPS | tr ' ' ,),"
	for g in $NET_GROUPS; do
		out=""
		for n in $(echo "$g" | tr , ' '); do
			want "tests/$n.bats" && out="$out${out:+,}tests/$n.bats"
		done
		[ -n "$out" ] && echo "$out"
	done
	rest=""
	for f in tests/net/*.bats tests/interop/*.bats; do
		n=${f#tests/}
		case $named in
		*",${n%.bats},"*) ;;
		*) want "$f" && rest="$rest${rest:+,}$f" ;;
		esac
	done
	[ -n "$rest" ] && echo "$rest"
	return 0
}

# want FILE: FILE exists and its suite can run (interop needs npm ci).
want() {
	[ -f "$1" ] || return 1
	case $1 in tests/interop/*) [ "$interop_ok" = 1 ] ;; esac
}

# group_name GROUP: "net/71-control+net/70-ctl" for a group's files.
group_name() {
	echo "$1" | sed 's,tests/,,g; s,\.bats,,g; s/,/+/g'
}

NEXT_PASS="SAN=1 ${WERROR:+WERROR=$WERROR}"
run_pass normal ${WERROR:+WERROR=$WERROR}
NEXT_PASS=""
run_pass asan+ubsan SAN=1 ${WERROR:+WERROR=$WERROR}

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
