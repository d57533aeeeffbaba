# helpers.bash - set-up for the networked CLI tests (loopback only; as
# root, tests/check.sh runs them in a private network namespace).
load ../cli/helpers

# start_listen ARGS...: p2p-listen on 127.0.0.1:0 in the background,
# output in $TMP/listen.out; sets LPID, ENODE, LPORT once it listens.
start_listen() {
	# <&0: without an explicit redirection a background job reads /dev/null.
	p2p-listen --addr 127.0.0.1:0 "$@" <&0 >"$TMP/listen.out" 2>"$TMP/listen.err" &
	LPID=$!
	for _ in $(seq 100); do
		[ -s "$TMP/listen.out" ] && break
		sleep 0.05
	done
	ENODE=$(head -1 "$TMP/listen.out" | jq -r .enode)
	LPORT=${ENODE##*:}
	[[ $ENODE == enode://* ]]
}

# wait_listen: waits (at most 30 s) for the listener to exit by itself.
wait_listen() {
	for _ in $(seq 600); do
		kill -0 "$LPID" 2>/dev/null || { wait "$LPID"; return $?; }
		sleep 0.05
	done
	echo "listener did not exit" >&2
	return 1
}

# listen_records TYPE: the listener's records of that type, one per line.
listen_records() {
	jq -c "select(.type == \"$1\")" "$TMP/listen.out"
}

teardown() {
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
	p2p-discover serve "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" 3>&- &
	eval "PID_$name=$!"
	PIDS="${PIDS:-} $!"
	for _ in $(seq 100); do
		[ -s "$TMP/$name.out" ] && return 0
		sleep 0.05
	done
	cat "$TMP/$name.err" >&2
	return 1
}

# enode_of NAME: the enode a start_serve node printed.
enode_of() { head -1 "$TMP/$1.out" | jq -r .enode; }

# fd_count PID / rss_kb PID: what the kernel says the process holds.
fd_count() { ls "/proc/$1/fd" | wc -l; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
