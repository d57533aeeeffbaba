#!/usr/bin/env bats
# The stage tools as users meet them: targets streamed from stdin, honest
# exit codes and signals, enr: inputs, records that promise only what
# listens, readiness for scripts, usage errors, the peer's verdict after
# the Hellos, load-driver options, file-descriptor limits.  Every wait is
# for a condition (wait_for); timeouts are hang guards only.
load helpers

records() { jq -c "select(.type == \"$2\")" "$TMP/$1.out"; }

# status_of N PID: waits for PID (a child of this shell: bats' run would
# wait in a subshell, which cannot) and checks that it exited with N.
status_of() {
	local rc=0
	wait "$2" || rc=$?
	[ "$rc" = "$1" ] || { echo "exit status $rc, expected $1" >&2; return 1; }
}

@test "p2p-dial dials each stdin line as it arrives, not at end of input" {
	start_listen
	bg dial 5 p2p-dial
	echo "$ENODE" >&5
	# The second line is written only once the first has its record: a
	# dialer that waited for the end of input would never get there.
	wait_for lines_ge 1 records dial dial
	echo "$ENODE" >&5
	wait_for lines_ge 2 records dial dial
	exec 5>&-
	wait "$BGPID"
	jq -se 'length == 2 and all(.ok)' "$TMP/dial.out"
}

@test "p2p-discover ping and requestenr stream stdin too" {
	start_serve boot
	for cmd in ping requestenr; do
		bg "$cmd" 5 p2p-discover "$cmd"
		enode_of boot >&5
		wait_for lines_ge 1 cat "$TMP/$cmd.out"
		head -1 "$TMP/boot.out" | jq -c '{enode}' >&5
		wait_for lines_ge 2 cat "$TMP/$cmd.out"
		exec 5>&-
		wait "$BGPID"
		jq -se 'length == 2 and all(.ok)' "$TMP/$cmd.out"
	done
}

@test "interrupted dials: EINTERRUPTED records, client quitting, exit 128+signal" {
	# A session takes the listener; the next connections wait in the
	# backlog, TCP up but unanswered: dials in flight.
	start_listen --session --linger 60s </dev/null
	bg sess 6 p2p-dial --session "$ENODE"
	SPID=$BGPID
	wait_for lines_ge 1 listen_records hello
	bg dial 5 p2p-dial --concurrency 2
	printf '%s\n%s\n' "$ENODE" "$ENODE" >&5
	wait_for dials_connected 2 "$BGPID"
	kill -TERM "$BGPID"
	status_of 143 "$BGPID"
	jq -se 'length == 2 and all(.ok == false and .error == "EINTERRUPTED"
	    and (.phase == "tcp" or .phase == null))' "$TMP/dial.out"
	# The session: Disconnect 0x08 sent, the listener hears it.
	kill -INT "$SPID"
	status_of 130 "$SPID"
	jq -se '.[-1] | .type == "disconnect" and .error == "EINTERRUPTED"
	    and .code == 8 and .by == "local"' "$TMP/sess.out"
	wait_listen
	listen_records disconnect | jq -se '.[0] | .code == 8 and .by == "remote"'
}

# dials_connected N PID: PID has N TCP connections established.
dials_connected() {
	[ "$(ls -l "/proc/$2/fd" 2>/dev/null | grep -c socket)" -ge "$1" ]
}

@test "p2p-listen tells its peers it is quitting; without --count a signal is success" {
	start_listen
	bg sess 5 p2p-dial --session "$ENODE"
	wait_for lines_ge 1 listen_records hello
	kill -TERM "$LPID"
	status_of 0 "$LPID"
	LPID=
	wait_for lines_ge 2 cat "$TMP/sess.out"
	jq -se '.[-1] | .type == "disconnect" and .code == 8 and .by == "remote"' "$TMP/sess.out"
	# With a --count not reached, the work was cut short.
	start_listen --count 5
	kill -INT "$LPID"
	status_of 130 "$LPID"
	LPID=
}

@test "one exit rule: nobody answering is a failure for every discovery command" {
	dead="enode://$EIP778_PUB@127.0.0.1:9"
	# Each ends by itself when its requests time out (500 ms each); the
	# --timeout is a hang guard.
	run -1 --separate-stderr p2p-discover crawl --timeout 5m --bootnodes "$dead"
	jqo '.type == "crawl" and .responsive == 0 and .complete' "${lines[-1]}"
	run -1 --separate-stderr p2p-discover lookup --timeout 5m --bootnodes "$dead"
	jqo '.type == "closest" and .count == 0' "${lines[-1]}"
	run -1 --separate-stderr p2p-discover resolve --timeout 5m --bootnodes "$dead" "$EIP778_PUB"
	jqo '.type == "resolve" and (.ok | not)' "${lines[-1]}"
	run -1 --separate-stderr p2p-discover findnode --timeout 5m "$dead"
	jqo '.type == "neighbors" and (.ok | not)'
	run -1 --separate-stderr p2p-discover ping --timeout 5m "$dead"
	jqo '.type == "pong" and .error == "ETIMEOUT"'
	# serve's normal end is a signal.
	start_serve boot
	kill -TERM "$PID_boot"
	status_of 0 "$PID_boot"
}

@test "enr: records are taken wherever an enode URL is" {
	start_serve boot
	R=$(head -1 "$TMP/boot.out" | jq -r .enr)
	run -0 --separate-stderr p2p-discover ping "$R"
	jqo '.ok and .enode == "'"$R"'"'
	run -0 --separate-stderr p2p-discover requestenr "$R"
	run -0 --separate-stderr p2p-discover findnode "$R" "$R"
	run -0 --separate-stderr p2p-discover lookup --bootnodes "$R"
	# A listener's record made with its key: dialled at its ip and tcp.
	p2p-keygen -o "$TMP/k" >/dev/null
	start_listen --nodekey "$TMP/k"
	LR=$(p2p-keygen --nodekey "$TMP/k" --ip 127.0.0.1 --tcp "$LPORT" | jq -r .enr)
	run -0 --separate-stderr p2p-dial "$LR"
	jqo '.ok and .enode == "'"$LR"'"'
	# A record whose signature does not hold is refused.
	run -1 --separate-stderr p2p-dial "${LR%?}A"
	jqo '(.ok | not) and .phase == null'
}

@test "serve announces a TCP port only with --tcp; the crawl-to-dial pipeline works end to end" {
	start_serve plain
	head -1 "$TMP/plain.out" | jq -e '.tcp == 0 and (.enode | test(":0[?]discport="))'
	run -0 --separate-stderr p2p-keygen -d "$(head -1 "$TMP/plain.out" | jq -r .enr)"
	jqo '.pairs.tcp == null and .udp > 0'
	# Dialling a node that runs discovery only says so.
	run -1 --separate-stderr p2p-dial "$(enode_of plain)"
	jqo '.error == "EPORT" and (.detail | test("no TCP port"))'
	# A listener and a serve node with one key: the record has its port.
	p2p-keygen -o "$TMP/k" >/dev/null
	start_listen --nodekey "$TMP/k"
	start_serve boot --nodekey "$TMP/k" --tcp "$LPORT"
	head -1 "$TMP/boot.out" | jq -e '.tcp == '"$LPORT"
	start_serve n1 --bootnodes "$(enode_of boot)"
	wait_for lines_ge 1 jq -c 'select(.type == "added")' "$TMP/boot.out"
	run -0 --separate-stderr bash -c "p2p-discover crawl --bootnodes '$(enode_of boot)' |
	    jq -r 'select(.responded and .tcp > 0) | .enode' | p2p-dial --stage hello"
	[ "${#lines[@]}" = 1 ]
	jqo '.ok and .remote.id == "'"$(head -1 "$TMP/boot.out" | jq -r .pubkey)"'"'
}

@test "geth-style :PORT binds every interface and announces a usable address" {
	run -0 --separate-stderr p2p-discover serve --addr :0 --timeout 100ms
	jqo '.type == "listening" and .ip != "0.0.0.0" and .ip != null'
	[[ $stderr == *"announcing"* ]]
	run -0 --separate-stderr p2p-discover serve --addr :0 --extip 127.0.0.2 --timeout 100ms
	jqo '.ip == "127.0.0.2"'
	[ -z "$stderr" ]
}

@test "--detach returns once listening; --pidfile names the process and goes at exit" {
	p2p-listen --addr 127.0.0.1:0 --detach --pidfile "$TMP/l.pid" >"$TMP/l.out" 3>&-
	# No waiting: the record and the pid file are there when it returns.
	head -1 "$TMP/l.out" | jq -e '.type == "listening"'
	pid=$(cat "$TMP/l.pid")
	kill -0 "$pid"
	E=$(head -1 "$TMP/l.out" | jq -r .enode)
	run -0 p2p-dial "$E"
	# A detached tool that cannot start says so with its status.
	run -1 --separate-stderr p2p-listen --addr "127.0.0.1:${E##*:}" --detach \
	    --pidfile "$TMP/x.pid" >"$TMP/x.out" 3>&-
	[[ $stderr == *"Address already in use"* ]]
	[ ! -e "$TMP/x.pid" ]
	kill "$pid"
	wait_for exited "$pid"
	[ ! -e "$TMP/l.pid" ]
	p2p-discover serve --detach --pidfile "$TMP/s.pid" >"$TMP/s.out" 3>&-
	head -1 "$TMP/s.out" | jq -e '.type == "listening"'
	run -0 --separate-stderr p2p-discover ping "$(head -1 "$TMP/s.out" | jq -r .enode)"
	kill "$(cat "$TMP/s.pid")"
}

@test "usage errors: options that do nothing, huge values, bad record lines" {
	run -2 --separate-stderr p2p-dial --linger 1s "enode://$EIP778_PUB@127.0.0.1:1"
	[[ $stderr == *"--linger applies to --session only"* ]]
	run -2 --separate-stderr p2p-dial --session --concurrency 2 "enode://$EIP778_PUB@127.0.0.1:1"
	run -2 --separate-stderr p2p-listen --reason 4
	run -2 --separate-stderr p2p-listen --timeout 1s
	run -2 --separate-stderr p2p-discover ping --tcp 1 "enode://$EIP778_PUB@127.0.0.1:1"
	run -2 --separate-stderr p2p-discover lookup --concurrency 2 --bootnodes "enode://$EIP778_PUB@127.0.0.1:1"
	huge=$(head -c 70000 /dev/zero | tr '\0' x)
	run -2 --separate-stderr p2p-dial --timeout "$huge" "enode://$EIP778_PUB@127.0.0.1:1"
	[ "${#stderr}" -lt 400 ]
	run -1 --separate-stderr p2p-dial <<<'{"enode":1}'
	jqo '.type == "dial" and .error == "EFIELD"'
	run -1 --separate-stderr p2p-discover ping <<<'{"enode":1}'
	jqo '.type == "error" and .error == "EFIELD"'
	# A summary record is no target: skipped.
	run -0 --separate-stderr p2p-dial <<<'{"type":"crawl","nodes":0}'
	[ "${#lines[@]}" = 0 ]
	# p2p-listen says why --timeout ended it.
	run -1 --separate-stderr p2p-listen --addr 127.0.0.1:0 --count 1 --timeout 200ms
	[[ $stderr == *"--timeout reached: 0 of 1 connections ended"* ]]
	jqo '.type == "timeout" and .ended == 0 and .count == 1' "${lines[-1]}"
}

@test "--stage hello waits for the peer's verdict: a Disconnect right after its Hello fails the dial" {
	# As go-ethereum does when full: its Hello, then Disconnect 0x04.
	start_listen --count 1 --stage hello --reason 4
	run -1 --separate-stderr p2p-dial --stage hello "$ENODE"
	jqo '(.ok | not) and .phase == "hello" and .error == "EDISCONNECTED"
	    and .disconnect == {"code": 4, "reason": "too many peers", "by": "remote"}'
	wait_listen
	# A peer that stays: its Pong is the verdict; the (hour-long) grace
	# period is never waited for.
	start_listen
	run -0 --separate-stderr p2p-dial --stage hello --hello-grace 1h "$ENODE"
	jqo '.ok and .phase == "hello" and .ms.ping > 0'
}

@test "a load driver: fresh keys per dial, a summary with rates" {
	start_listen
	run -0 --separate-stderr bash -c "for i in \$(seq 20); do echo '$ENODE'; done |
	    p2p-dial --stage hello --concurrency 4 --fresh-keys --summary"
	[ "${#lines[@]}" = 21 ]
	jqo '.type == "summary" and .targets == 20 and .succeeded == 20 and .failed == 0
	    and .per_second > 0 and .ms.hello.median >= 0 and .ms.tcp.max >= .ms.tcp.median
	    and .interrupted == false' "${lines[-1]}"
	wait_for lines_ge 20 listen_records auth
	[ "$(listen_records auth | jq -r .id | sort -u | wc -l)" = 20 ]
}

@test "p2p-listen: handshakes in progress are capped (--max-pending)" {
	start_listen --max-pending 1 --handshake-timeout 60s
	exec 4<>/dev/tcp/127.0.0.1/"$LPORT"
	wait_for lines_ge 1 listen_records accept
	# The slot is taken: this dial's TCP connection waits in the backlog.
	run -1 --separate-stderr p2p-dial --handshake-timeout 500ms "$ENODE"
	jqo '.phase == "tcp" and .error == "ETIMEOUT"'
	[ "$(listen_records accept | wc -l)" -le 2 ]
	[ "$(listen_records auth | wc -l)" = 0 ]
	exec 4<&-
	wait_for lines_ge 1 listen_records disconnect
	run -0 --separate-stderr p2p-dial "$ENODE"
}

@test "p2p-listen out of file descriptors backs off and says so once, then serves again" {
	# The soft limit goes up to the hard one at start: lower both.
	(ulimit -n 20 && exec p2p-listen --addr 127.0.0.1:0 --max-pending 1000 \
	    >"$TMP/listen.out" 2>"$TMP/listen.err" 3>&-) &
	LPID=$!
	wait_for nonempty "$TMP/listen.out"
	ENODE=$(head -1 "$TMP/listen.out" | jq -r .enode)
	LPORT=${ENODE##*:}
	for fd in $(seq 10 40); do eval "exec $fd<>/dev/tcp/127.0.0.1/$LPORT"; done
	wait_for lines_ge 1 listen_records error
	listen_records error | jq -se '.[0] | .error == "ENET" and .nofile_limit == 20
	    and (.detail | test("Too many open files"))'
	for fd in $(seq 10 40); do eval "exec $fd<&-"; done
	wait_for lines_ge 1 bash -c "p2p-dial '$ENODE' | jq -e 'select(.ok)'"
	# Reported once per period, not once per attempt; no raw libevent flood.
	[ "$(listen_records error | wc -l)" -le 3 ]
	[ "$(wc -l <"$TMP/listen.err")" -le 10 ]
}

@test "p2p-listen raises the soft open-files limit to the hard one" {
	(ulimit -S -n 64 && exec p2p-listen --addr 127.0.0.1:0 \
	    >"$TMP/listen.out" 2>"$TMP/listen.err" 3>&-) &
	LPID=$!
	wait_for nonempty "$TMP/listen.out"
	awk '/Max open files/ { print; exit !($4 == $5 && $4 > 64) }' "/proc/$LPID/limits"
}

@test "errors keep their cause" {
	start_serve boot
	port=$(head -1 "$TMP/boot.out" | jq .udp)
	run -1 --separate-stderr p2p-discover serve --addr 127.0.0.1:"$port"
	[[ $stderr == *"Address already in use"* ]]
	run -1 --separate-stderr p2p-discover crawl --db /nonexistent/x.db --bootnodes "$(enode_of boot)"
	[[ $stderr == *"No such file or directory"* ]]
	run -1 --separate-stderr p2p-discover crawl --nodekeyhex "$EIP778_KEY" --db /nonexistent/x.db --bootnodes "$(enode_of boot)"
	[[ $stderr == *"unable to open"* ]]
	# A wrong node ID: the remote closes during the auth exchange.
	start_listen --count 1
	run -1 --separate-stderr p2p-dial "enode://$EIP778_PUB@127.0.0.1:$LPORT"
	jqo '.error == "ECLOSED" and .phase == "tcp" and (.detail | test("wrong node ID"))'
	# Something that is not an RLPx peer (an HTTP server, say).  It keeps
	# the connection open after its answer (cat reads until we close):
	# one that closed at once could reset our auth before we read it.
	hport=$((20000 + RANDOM % 20000))
	socat TCP-LISTEN:"$hport",bind=127.0.0.1,reuseaddr,fork \
	    SYSTEM:'printf "HTTP/1.1 400 Bad Request\r\n\r\n"; cat >/dev/null' 3>&- &
	PIDS="${PIDS:-} $!"
	wait_for bash -c "echo >/dev/tcp/127.0.0.1/$hport" 2>/dev/null
	run -1 --separate-stderr p2p-dial "enode://$EIP778_PUB@127.0.0.1:$hport"
	jqo '.error == "ENOTRLPX" and (.detail | test("not an RLPx peer"))'
}

@test "p2p-ndjson(7): every record that describes a node has the node fields" {
	nf='def nodeish: has("id") and has("pubkey") and has("enode") and has("ip")
	    and has("tcp") and has("udp") and has("complete");'
	start_listen
	head -1 "$TMP/listen.out" | jq -e "$nf nodeish"
	start_serve boot
	start_serve n1 --bootnodes "$(enode_of boot)"
	wait_for lines_ge 1 jq -c 'select(.type == "added")' "$TMP/boot.out"
	jq -se "$nf [.[] | select(.type == \"listening\" or .type == \"added\")] | length >= 2 and all(nodeish)" "$TMP/boot.out"
	B=$(enode_of boot)
	{
		p2p-keygen
		p2p-keygen -d "$B" "$(head -1 "$TMP/boot.out" | jq -r .enr)"
		p2p-discover requestenr "$B"
		p2p-discover findnode "$B" | jq -c '.nodes[]'
		p2p-discover lookup --bootnodes "$B" | jq -c 'if .type == "closest" then .nodes[] else . end'
		p2p-discover resolve --bootnodes "$B" "$(head -1 "$TMP/n1.out" | jq -r .pubkey)" | jq -c .node
		p2p-discover crawl --bootnodes "$B" | jq -c 'select(.type == "node")'
	} >"$TMP/records"
	[ "$(wc -l <"$TMP/records")" -ge 8 ]
	jq -se "$nf all(nodeish)" "$TMP/records"
}
