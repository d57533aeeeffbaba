# helpers.bash - set-up for the networked CLI tests (loopback only; as
# root, tests/check.sh runs them in a private network namespace).
load ../cli/helpers

# A hang guard, never a speed assumption: how long wait_for waits for a
# condition before it gives up (a loaded 2-core machine under ASan is
# slow, never this slow).
: "${HANG_GUARD:=120}"

# wait_for CMD...: runs CMD until it succeeds (every 50 ms, after a second
# every 250 ms); fails after HANG_GUARD seconds.
wait_for() {
	local end=$((SECONDS + HANG_GUARD)) n=0
	until "$@"; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo "gave up waiting for: $*" >&2
			return 1
		fi
		# Most conditions hold within a second, so they are tried
		# often at first; a longer wait tries four times a second,
		# since each try forks (jq, cat) and many suites poll at once.
		n=$((n + 1))
		if [ "$n" -le 20 ]; then sleep 0.05; else sleep 0.25; fi
	done
}

# nonempty FILE: FILE exists and has something in it.
nonempty() { [ -s "$1" ]; }

# lines_ge N CMD...: CMD prints at least N lines.
lines_ge() { [ "$("${@:2}" | wc -l)" -ge "$1" ]; }

# fds_are N PID: the process holds exactly N file descriptors.
fds_are() { [ "$(fd_count "$2")" = "$1" ]; }

# start_listen ARGS...: p2p-listen on 127.0.0.1:0 in the background,
# output in $TMP/listen.out; sets LPID, ENODE, LPORT once it listens.
start_listen() {
	# <&0: without an explicit redirection a background job reads /dev/null.
	rm -f "$TMP/listen.out"	# a previous listener's must not count
	p2p-listen --addr 127.0.0.1:0 "$@" <&0 >"$TMP/listen.out" 2>"$TMP/listen.err" &
	LPID=$!
	wait_for nonempty "$TMP/listen.out"
	ENODE=$(head -1 "$TMP/listen.out" | jq -r .enode)
	LPORT=${ENODE##*:}
	[[ $ENODE == enode://* ]]
}

# wait_listen: waits for the listener to exit by itself; its status.
wait_listen() {
	wait_for exited "$LPID" || return 1
	wait "$LPID"
}

exited() { ! kill -0 "$1" 2>/dev/null; }

# listen_records TYPE: the listener's records of that type, one per line.
listen_records() {
	jq -c "select(.type == \"$1\")" "$TMP/listen.out"
}

# listen_sizes TYPE: as listen_records, without the records' "data" (cut
# by sed before jq: a 16 MiB message is 32 MiB of hex to parse).
listen_sizes() {
	sed 's/"data":"[^"]*"/"data":null/' "$TMP/listen.out" |
	    jq -c "select(.type == \"$1\")"
}

# The default teardown: every background process a test listed in PIDS,
# and the listener.
teardown() {
	for p in ${PIDS:-}; do kill "$p" 2>/dev/null; done
	for p in ${PIDS:-}; do wait "$p" 2>/dev/null; done
	[ -n "${LPID:-}" ] && kill "$LPID" 2>/dev/null
	[ -n "${LPID:-}" ] && wait "$LPID" 2>/dev/null
	rm -rf "$TMP"
}

# start_serve NAME ARGS...: p2p-discover serve in the background, output
# in $TMP/NAME.out; sets PID_NAME and adds the pid to PIDS (teardown
# kills them); returns once the node has printed its enode.
start_serve() {
	local name=$1
	shift
	rm -f "$TMP/$name.out"
	p2p-discover serve "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" 3>&- &
	eval "PID_$name=$!"
	PIDS="${PIDS:-} $!"
	wait_for nonempty "$TMP/$name.out" || { cat "$TMP/$name.err" >&2; return 1; }
}

# enode_of NAME: the enode a start_serve node printed.
enode_of() { head -1 "$TMP/$1.out" | jq -r .enode; }

# fd_count PID / rss_kb PID: what the kernel says the process holds.
fd_count() { ls "/proc/$1/fd" | wc -l; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# ---- p2p-serverd ----

# start_sd NAME ARGS...: a daemon with datadir $TMP/NAME on 127.0.0.1:0,
# records in $TMP/NAME.out; sets PID_NAME (and adds it to PIDS) and
# returns once it started (its control socket, if any, is there by then:
# it is made before the started record).
start_sd() {
	local name=$1 ctl
	shift
	rm -f "$TMP/$name.out"	# a previous run's must not count
	p2p-serverd --datadir "$TMP/$name" --addr 127.0.0.1:0 "$@" \
	    >"$TMP/$name.out" 2>"$TMP/$name.err" 3>&- &
	eval "PID_$name=$!"
	PIDS="${PIDS:-} $!"
	wait_for nonempty "$TMP/$name.out" || { cat "$TMP/$name.err" >&2; return 1; }
	ctl=$(head -1 "$TMP/$name.out" | jq -r '.control // empty')
	[ -z "$ctl" ] || wait_for is_socket "$ctl"
}
is_socket() { [ -S "$1" ]; }

sd_enode() { head -1 "$TMP/$1.out" | jq -r .enode; }
sd_id() { head -1 "$TMP/$1.out" | jq -r .id; }
# has_record NAME FILTER: a record of daemon NAME passes FILTER.
has_record() {
	[ -f "$TMP/$1.out" ] && jq -se "any(.[]; $2)" "$TMP/$1.out" >/dev/null
}

# status_of STATUS PID: PID (a child) exits with STATUS.
status_of() {
	local rc=0
	wait "$2" || rc=$?
	[ "$rc" = "$1" ] || { echo "exit status $rc, expected $1" >&2; return 1; }
}

# bg NAME FD CMD...: CMD in the background with stdin from the FIFO
# $TMP/NAME.in, whose writing end we hold on FD (so its input ends only
# when we close FD), output in $TMP/NAME.out and .err; sets BGPID.
bg() {
	local name=$1 fd=$2
	shift 2
	mkfifo "$TMP/$name.in"
	"$@" <"$TMP/$name.in" >"$TMP/$name.out" 2>"$TMP/$name.err" 3>&- &
	BGPID=$!
	PIDS="${PIDS:-} $BGPID"
	eval "exec $fd>\"\$TMP/\$name.in\""
}
