#!/usr/bin/env bats
# Every example in the README and in the man pages' EXAMPLES runs as
# written: the commands are taken from the documents themselves, so the
# two cannot drift apart.  Each document's examples run in order, in an
# empty directory, as one bash script with errexit and pipefail; what
# they start in the background (--detach --pidfile) is stopped after.
load helpers

ROOT=$BATS_TEST_DIRNAME/../..

# man_examples PAGE: the commands of PAGE's EXAMPLES section ("$ " lines
# of .Dl and of literal displays, with their continuation lines).
man_examples() {
	awk '
	function unescape(s) {
		gsub(/\\\(dq/, "\"", s); gsub(/\\\(aq/, "\047", s)
		gsub(/\\e/, "\\", s); gsub(/\\&/, "", s)
		return s
	}
	/^\.Sh / { ex = ($2 == "EXAMPLES"); next }
	!ex { next }
	/^\.Dl \$ / { print unescape(substr($0, 7)); next }
	/^\.Bd -literal/ { lit = 1; cmd = 0; next }
	/^\.Ed/ { lit = 0; next }
	lit && /^\$ / { print unescape(substr($0, 3)); cmd = 1; next }
	lit && cmd && !/^\./ { print unescape($0); next }
	lit { cmd = 0 }
	' "$1"
}

# readme_examples: the commands of README.md's sh blocks, less the make
# targets (make check is this very test run; make run has its own test).
readme_examples() {
	awk '
	/^```sh$/ { sh = 1; next }
	/^```/ { sh = 0; next }
	sh && !/^make / { print }
	' "$ROOT/README.md"
}

# run_examples NAME: runs the script on stdin in $TMP/NAME.
run_examples() {
	mkdir -p "$TMP/$1"
	{
		echo 'set -eo pipefail'
		cat
	} >"$TMP/$1.sh"
	cat "$TMP/$1.sh"
	local rc=0
	(cd "$TMP/$1" && PATH="$P2P_BIN:$PATH" bash "$TMP/$1.sh") || rc=$?
	# What a failed script left running must not hold the next one's
	# ports.
	stop_daemons "$TMP/$1"
	return $rc
}

# stop_daemons DIR: stops what DIR's pid files name, and waits.
stop_daemons() {
	local f p
	for f in "$1"/*.pid; do
		[ -f "$f" ] || continue
		p=$(cat "$f")
		kill "$p" 2>/dev/null || continue
		wait_for exited "$p"
	done
}

teardown() {
	for d in "$TMP"/*/; do stop_daemons "$d"; done
	rm -rf "$TMP"
}

@test "the README's examples run as written" {
	[ -n "$(readme_examples)" ]
	readme_examples | run_examples readme
}

@test "every man page's examples run as written" {
	for m in "$ROOT"/man/*.1; do
		name=$(basename "$m" .1)
		[ -n "$(man_examples "$m")" ] || { echo "$m has no examples"; false; }
		man_examples "$m" | run_examples "$name" || { echo "$m: an example failed"; false; }
	done
}
