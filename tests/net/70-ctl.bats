#!/usr/bin/env bats
# p2p-ctl against a real p2p-serverd: the shapes of what it prints, what
# each command does to the daemon, its exit codes.  Loopback only; every
# wait is for a condition (wait_for), never for time.
load helpers

sd_port() { head -1 "$TMP/$1.out" | jq -r '.listen | split(":")[1]'; }

# ctl NAME ARGS...: p2p-ctl on daemon NAME's socket.
ctl() {
	local name=$1
	shift
	p2p-ctl --datadir "$TMP/$name" "$@"
}

# ctl_has NAME FILTER ARGS...: one of the lines ctl NAME ARGS prints
# passes FILTER.
ctl_has() {
	local name=$1 filter=$2
	shift 2
	ctl "$name" "$@" | jq -se "any(.[]; $filter)" >/dev/null
}

# out_has FILE FILTER: a line of FILE passes FILTER.
out_has() { jq -se "any(.[]; $2)" "$1" >/dev/null; }

# free_port: sets FREE_PORT, a TCP port on 127.0.0.1 where nothing
# listens (a listener's, once it has exited).
free_port() {
	start_listen --count 1
	kill "$LPID"
	wait "$LPID" || true
	LPID=
	FREE_PORT=$LPORT
}

@test "ctl: nodeinfo and peers have go-ethereum's shapes; the socket is 0600" {
	start_sd a --nodiscover --caps foo/1
	start_sd b --nodiscover --caps foo/1 --static "$(sd_enode a)"
	wait_for has_record a '.type == "peer" and .event == "add"'
	wait_for has_record b '.type == "peer" and .event == "add"'
	[ "$(stat -c %a "$TMP/a/p2pserverd.ipc")" = 600 ]
	port=$(sd_port a)
	run -0 --separate-stderr ctl a nodeinfo
	[ "${#lines[@]}" = 1 ]
	jq -e --arg id "$(sd_id a)" --arg enode "$(sd_enode a)" --argjson port "$port" '
	    .id == $id and (.id | test("^[0-9a-f]{64}$")) and
	    (.name | type == "string" and length > 0) and .enode == $enode and
	    (.enr | startswith("enr:")) and .ip == "127.0.0.1" and
	    .ports.listener == $port and (.ports.discovery | type == "number") and
	    .listenAddr == "127.0.0.1:\($port)" and .protocols == {"foo": "unknown"}' \
	    <<<"${lines[0]}"
	run -0 --separate-stderr ctl a peers
	[ "${#lines[@]}" = 1 ]
	jq -e --arg id "$(sd_id b)" '
	    (.enode | startswith("enode://")) and .id == $id and
	    (.name | type == "string") and .caps == ["foo/1"] and
	    (.network.localAddress | startswith("127.0.0.1:")) and
	    (.network.remoteAddress | startswith("127.0.0.1:")) and
	    .network.inbound == true and .network.trusted == false and
	    .network.static == false and (.protocols | type == "object")' \
	    <<<"${lines[0]}"
	run -0 --separate-stderr ctl b peers
	[ "${#lines[@]}" = 1 ]
	jq -e --arg id "$(sd_id a)" --arg enode "$(sd_enode a)" '
	    .id == $id and .enode == $enode and .network.inbound == false and
	    .network.static == true' <<<"${lines[0]}"
	run -0 --separate-stderr ctl a call rpc_modules
	[ "$output" = '{"admin":"1.0","p2p":"1.0","rpc":"1.0","web3":"1.0"}' ]
	run -0 --separate-stderr ctl a call admin_datadir
	jq -e 'type == "string" and endswith("/a")' <<<"$output"
	# --control names the same socket.
	run -0 --separate-stderr p2p-ctl --control "$TMP/a/p2pserverd.ipc" nodeinfo
	jq -e --arg id "$(sd_id a)" '.id == $id' <<<"$output"
}

@test "ctl: add and remove, trust and untrust change a second daemon" {
	start_sd a --nodiscover
	start_sd b --nodiscover
	A=$(sd_enode a)
	run -0 --separate-stderr ctl b add "$A"
	[ "$output" = '{"ok":true}' ]
	wait_for has_record b '.type == "peer" and .event == "add" and .static'
	wait_for ctl_has b ".id == \"$(sd_id a)\" and .network.static" peers
	run -0 --separate-stderr ctl b remove "$A"
	[ "$output" = '{"ok":true}' ]
	wait_for has_record b '.type == "peer" and .event == "drop"'
	run -0 --separate-stderr ctl b peers
	[ -z "$output" ]
	run -1 --separate-stderr ctl b add enode://zz@127.0.0.1:1
	[ -z "$output" ]
	[[ $stderr == "p2p-ctl: admin_addPeer: invalid enode: "*"(code -32000)" ]]
	# c takes no peers but trusted ones.
	start_sd c --nodiscover --maxpeers 0
	C=$(sd_enode c)
	run -1 --separate-stderr ctl b add --wait "$C"
	jq -e '.ok == false and .disconnect.code == 4' <<<"$output"
	run -0 --separate-stderr ctl c trust "$(sd_enode b)"
	[ "$output" = '{"ok":true}' ]
	run -0 --separate-stderr ctl b add --wait "$C"
	jq -e '.ok' <<<"$output"
	wait_for ctl_has c ".id == \"$(sd_id b)\" and .network.trusted" peers
	run -0 --separate-stderr ctl c untrust "$(sd_enode b)"
	[ "$output" = '{"ok":true}' ]
	# Untrusted, it stays connected.
	wait_for ctl_has c ".id == \"$(sd_id b)\" and (.network.trusted | not)" peers
}

@test "ctl: add --wait reports success, a refused port, a wrong node ID, too many peers" {
	start_sd a --nodiscover --caps foo/1
	start_sd b --nodiscover --caps foo/1
	run -0 --separate-stderr ctl b add --wait "$(sd_enode a)"
	[ "${#lines[@]}" = 1 ]
	jq -e --arg id "$(sd_id a)" --arg enode "$(sd_enode a)" '
	    .ok == true and .id == $id and .enode == $enode and
	    (.name | type == "string") and .caps == ["foo/1"] and
	    .already == false' <<<"$output"
	run -0 --separate-stderr ctl b add --wait "$(sd_enode a)"
	jq -e '.ok and .already == true' <<<"$output"
	# Nobody listens.
	free_port
	run -1 --separate-stderr ctl b add --wait "enode://$EIP778_PUB@127.0.0.1:$FREE_PORT"
	jq -e '.ok == false and .phase == "tcp" and .error == "ECONNREFUSED" and
	    (.detail | type == "string") and .disconnect == null' <<<"$output"
	[[ $stderr == *"p2p_connect: "*"not connected: ECONNREFUSED in phase tcp"* ]]
	# a listens there, but with another key: the handshake fails.
	run -1 --separate-stderr ctl b add --wait "enode://$EIP778_PUB@127.0.0.1:$(sd_port a)"
	jq -e '.ok == false and .phase == "auth"' <<<"$output"
	# c admits nobody untrusted: reason 0x04 after the encryption
	# handshake (its checkpoint 1).
	start_sd c --nodiscover --caps foo/1 --maxpeers 0
	run -1 --separate-stderr ctl b add --wait "$(sd_enode c)"
	jq -e '.ok == false and (.phase == "admit" or .phase == "hello") and
	    .disconnect.code == 4 and .disconnect.reason == "too many peers" and
	    .disconnect.by == "remote"' <<<"$output"
}

# dial_seen EVENTS NODE: one more peer for NODE, until EVENTS shows one.
dial_seen() {
	p2p-dial --stage hello --caps foo/1 "$(sd_enode "$2")" >/dev/null || true
	out_has "$1" '.type == "add"'
}

@test "ctl: events show add, msgrecv, msgsend and drop of a session; send reaches it" {
	start_sd a --nodiscover --caps foo/1
	p2p-ctl --datadir "$TMP/a" events --data >"$TMP/ev.out" 2>"$TMP/ev.err" 3>&- &
	EPID=$!
	PIDS="$PIDS $EPID"
	# Subscribed once a peer's add shows.
	wait_for dial_seen "$TMP/ev.out" a
	bg sess 5 p2p-dial --session --caps foo/1 --linger 60s \
	    --nodekeyhex "$EIP778_KEY" "$(sd_enode a)"
	wait_for out_has "$TMP/sess.out" '.type == "dial" and .ok'
	wait_for out_has "$TMP/ev.out" ".type == \"add\" and .peer == \"$EIP778_ID\""
	echo '{"type":"send","cap":"foo/1","code":3,"data":"0x83616263"}' >&5
	wait_for out_has "$TMP/ev.out" ".type == \"msgrecv\" and .peer == \"$EIP778_ID\""
	# An absolute code (foo/1 starts at 0x10), by node ID...
	run -0 --separate-stderr ctl a send "$EIP778_ID" 0x13 0xc0
	[ "$output" = '{"ok":true}' ]
	wait_for out_has "$TMP/sess.out" '.type == "msg" and .cap == "foo/1" and .code == 3 and .data == "0xc0"'
	# ... and a capability's own code, by enode URL.
	run -0 --separate-stderr ctl a peers
	enode=$(jq -r "select(.id == \"$EIP778_ID\") | .enode" <<<"$output")
	run -0 --separate-stderr ctl a send "$enode" 1 c3010203 --cap foo/1
	[ "$output" = '{"ok":true}' ]
	wait_for out_has "$TMP/sess.out" '.type == "msg" and .cap == "foo/1" and .code == 1 and .data == "0xc3010203"'
	echo '{"type":"disconnect","reason":8}' >&5
	exec 5>&-
	wait_for out_has "$TMP/ev.out" ".type == \"drop\" and .peer == \"$EIP778_ID\""
	kill -INT "$EPID"
	status_of 0 "$EPID"
	jq -se --arg id "$EIP778_ID" '[.[] | select(.peer == $id)] |
	    .[0].type == "add" and .[-1].type == "drop" and
	    any(.[]; .type == "msgrecv" and .protocol == "foo" and .msg_code == 3
	        and .msg_size == 4 and .data == "0x83616263") and
	    any(.[]; .type == "msgsend" and .protocol == "foo" and .msg_code == 3
	        and .msg_size == 1 and .data == "0xc0") and
	    any(.[]; .type == "msgsend" and .msg_code == 1 and .data == "0xc3010203")' \
	    "$TMP/ev.out" || { cat "$TMP/ev.out"; false; }
	[ ! -s "$TMP/ev.err" ]
}

@test "ctl: events ends with status 1 when the daemon goes away" {
	start_sd a --nodiscover
	p2p-ctl --datadir "$TMP/a" events >"$TMP/ev.out" 2>"$TMP/ev.err" 3>&- &
	EPID=$!
	wait_for dial_seen "$TMP/ev.out" a
	kill -TERM "$PID_a"
	status_of 0 "$PID_a"
	status_of 1 "$EPID"
	grep -q 'admin_subscribe: .*closed the connection' "$TMP/ev.err"
}

@test "ctl: disconnects, dials, table, limits and reload" {
	start_sd a --maxpeers 3 --dialratio 3
	start_sd b --nodiscover
	# A failed dial for the log: the wrong key at a's address.
	run -1 --separate-stderr ctl b add --wait "enode://$EIP778_PUB@127.0.0.1:$(sd_port a)"
	run -0 --separate-stderr ctl b disconnects
	[ "${#lines[@]}" -ge 1 ]
	jq -e --arg id "$EIP778_ID" '(.at | type == "number") and .id == $id and
	    (.enode | startswith("enode://")) and .direction == "outbound" and
	    .phase == "auth" and (.error | type == "string") and has("detail") and
	    has("disconnect") and has("duration_ms")' <<<"${lines[0]}"
	run -0 --separate-stderr ctl b dials
	[ "${#lines[@]}" = 1 ]
	jq -e --arg id "$EIP778_ID" '
	    (.slots | [.peers, .max_peers, .inbound, .max_inbound, .outbound,
	        .max_dialed, .pending, .max_pending, .dialing, .tasks] |
	        all(type == "number")) and
	    (.static | any(.id == $id and (.enode | startswith("enode://")) and
	        .connected == false and has("dialing") and
	        has("last_resolved_ms") and has("resolve_backoff_ms"))) and
	    (.history | type == "array")' <<<"$output"
	# Discovery off: an error, code -32000.
	run -1 --separate-stderr ctl b table
	[[ $stderr == "p2p-ctl: p2p_table: "*"(code -32000)" ]]
	# A node that bonds with a lands in its table.
	start_sd c --bootnodes "$(sd_enode a)"
	wait_for ctl_has a ".id == \"$(sd_id c)\"" table
	run -0 --separate-stderr ctl a table
	jq -se --arg id "$(sd_id c)" 'any(.[]; .id == $id and
	    (.bucket | type == "number") and (.enode | startswith("enode://")) and
	    has("last_pong") and (.findnode_fails | type == "number") and
	    has("liveness") and (.enr_seq | type == "number"))' <<<"$output"
	run -0 --separate-stderr ctl a limits
	jq -e '.max_peers == 3 and .max_inbound == 2 and .max_dialed == 1 and
	    .max_pending == 50 and .dial_ratio == 3' <<<"$output"
	run -0 --separate-stderr ctl a limits --maxpeers 10 --dialratio 2 --maxpendpeers 5
	jq -e '.max_peers == 10 and .max_inbound == 5 and .max_dialed == 5 and
	    .max_pending == 5 and .dial_ratio == 2' <<<"$output"
	run -0 --separate-stderr ctl a limits
	jq -e '.max_peers == 10 and .max_pending == 5' <<<"$output"
	# reload: the node lists read again, as on SIGHUP.
	printf '["%s"]\n' "$(sd_enode a)" >"$TMP/b/static-nodes.json"
	run -0 --separate-stderr ctl b reload
	jq -e '.static.added == 1 and .static.removed == 0 and .static.listed == 1 and
	    .trusted == {"added": 0, "removed": 0, "listed": 0}' <<<"$output"
	wait_for has_record b ".type == \"peer\" and .event == \"add\" and .id == \"$(sd_id a)\""
	echo '[1]' >"$TMP/b/trusted-nodes.json"
	run -1 --separate-stderr ctl b reload
	[ -z "$output" ]
	[[ $stderr == "p2p-ctl: p2p_reload: "*"trusted-nodes.json"*"(code -32000)" ]]
}

@test "ctl: JSON-RPC errors exit 1 with the method, the message and the code" {
	start_sd a --nodiscover
	run -1 --separate-stderr ctl a call admin_nothing
	[ -z "$output" ]
	[ "$stderr" = "p2p-ctl: admin_nothing: the method admin_nothing does not exist/is not available (code -32601)" ]
	run -1 --separate-stderr ctl a call admin_addPeer '[]'
	[ "$stderr" = "p2p-ctl: admin_addPeer: missing value for required argument 0 (code -32602)" ]
	run -1 --separate-stderr ctl a call admin_addPeer '["a", "b"]'
	[ "$stderr" = "p2p-ctl: admin_addPeer: too many arguments, want at most 1 (code -32602)" ]
	run -1 --separate-stderr ctl a call admin_unsubscribe '["0x1234"]'
	[[ $stderr == *"subscription not found (code -32000)" ]]
	# The connection is usable after an error: a call that works.
	run -0 --separate-stderr ctl a call admin_peers
	[ "$output" = '[]' ]
}

@test "ctl: a daemon that cannot be reached is exit 3, saying where and why" {
	run -3 --separate-stderr p2p-ctl --datadir "$TMP/none" nodeinfo
	[ -z "$output" ]
	[[ $stderr == "p2p-ctl: cannot connect to $TMP/none/p2pserverd.ipc: no such socket"* ]]
	start_sd a --nodiscover
	# Stopped, it does not answer: --timeout.
	kill -STOP "$PID_a"
	run -3 --separate-stderr ctl a --timeout 300ms nodeinfo
	kill -CONT "$PID_a"
	[[ $stderr == "p2p-ctl: admin_nodeInfo: $TMP/a/p2pserverd.ipc: no answer within 300ms"* ]]
	# Not ours to open.
	run -3 --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$(command -v p2p-ctl)" --datadir "$TMP/a" nodeinfo
	[[ $stderr == *"$TMP/a/p2pserverd.ipc: permission denied"* ]]
	# A daemon killed outright leaves its socket: refused.
	kill -KILL "$PID_a"
	wait "$PID_a" || true
	PIDS=
	[ -S "$TMP/a/p2pserverd.ipc" ]
	run -3 --separate-stderr ctl a nodeinfo
	[[ $stderr == "p2p-ctl: cannot connect to $TMP/a/p2pserverd.ipc: connection refused"* ]]
	# The next daemon replaces the stale socket.
	start_sd a --nodiscover
	run -0 --separate-stderr ctl a nodeinfo
	jq -e --arg id "$(sd_id a)" '.id == $id' <<<"$output"
}

@test "ctl: usage errors are exit 2" {
	run -2 --separate-stderr p2p-ctl
	[[ $stderr == *"no command given"* && $stderr == *"usage: p2p-ctl "* ]]
	run -2 --separate-stderr p2p-ctl bogus
	[[ $stderr == *"unknown command 'bogus'"* ]]
	run -2 --separate-stderr p2p-ctl nodeinfo extra
	run -2 --separate-stderr p2p-ctl add
	run -2 --separate-stderr p2p-ctl peers --wait
	[[ $stderr == *"peers takes no --wait"* ]]
	run -2 --separate-stderr p2p-ctl --control x --datadir y peers
	run -2 --separate-stderr p2p-ctl --timeout soon peers
	run -2 --separate-stderr p2p-ctl limits --maxpeers -1
	run -2 --separate-stderr p2p-ctl send x y 0x
	run -2 --separate-stderr p2p-ctl send x 1 0xabc
	run -2 --separate-stderr p2p-ctl send x 1 0xab --cap foo
	run -2 --separate-stderr p2p-ctl call m '{"a": 1}'
	run -2 --separate-stderr p2p-ctl call m '['
	run -2 --separate-stderr p2p-ctl --bogus peers
	run -0 --separate-stderr p2p-ctl --help
	[[ $output == "usage: p2p-ctl "* && $output == *"p2p_setLimits"* ]]
	run -0 --separate-stderr p2p-ctl --version
}

@test "ctl: peers feed p2p-dial, through jq -r .enode or as they are" {
	start_sd a --nodiscover
	start_sd b --nodiscover
	run -0 --separate-stderr ctl b add --wait "$(sd_enode a)"
	set -o pipefail
	p2p-ctl --datadir "$TMP/b" peers | jq -r .enode | p2p-dial --stage hello >"$TMP/dial.out"
	set +o pipefail
	jq -se 'length == 1 and (.[0] | .type == "dial" and .ok)' "$TMP/dial.out"
	ctl b peers >"$TMP/peers.ndjson"
	run -0 --separate-stderr p2p-dial --stage hello <"$TMP/peers.ndjson"
	[ "${#lines[@]}" = 1 ]
	jqo ".type == \"dial\" and .ok and .enode == \"$(sd_enode a)\""
}

@test "ctl: peers show the record of a node we dialed (asked for over discovery)" {
	start_sd a
	start_sd b
	run -0 --separate-stderr ctl b add --wait "$(sd_enode a)"
	# The record comes once discovery has bonded and asked (EIP-868).
	wait_for ctl_has b 'has("enr")' peers
	ctl b peers | jq -se --arg id "$(sd_id a)" --arg enr "$(head -1 "$TMP/a.out" | jq -r .enr)" \
	    '.[0].id == $id and .[0].enr == $enr'
}
