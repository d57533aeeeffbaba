#!/usr/bin/env bats
# p2p-serverd: its data directory, admission checks, limits, static and
# trusted nodes, signals.  Loopback only; every wait is for a condition.
load helpers

sd_records() { jq -c "select(.type == \"$2\")" "$TMP/$1.out"; }
# peers_of NAME: peers added minus peers dropped so far.
peers_of() {
	jq -s '[.[] | select(.type == "peer") | if .event == "add" then 1 else -1 end] | add // 0' "$TMP/$1.out"
}
peers_are() { [ "$(peers_of "$2")" = "$1" ]; }

@test "serverd: --datadir alone runs a node; key 0600, identity and record kept across restarts" {
	start_sd a
	jq -e '.type == "started" and (.enode | startswith("enode://")) and
	    (.enr | startswith("enr:")) and .discovery and .maxpeers == 25' \
	    <(head -1 "$TMP/a.out")
	[ "$(stat -c %a "$TMP/a/nodekey")" = 600 ]
	[ -f "$TMP/a/nodes.db" ]
	id=$(head -1 "$TMP/a.out" | jq -r .id)
	seq=$(head -1 "$TMP/a.out" | jq -r .seq)
	port=$(head -1 "$TMP/a.out" | jq -r '.listen | split(":")[1]')
	kill -TERM "$PID_a"
	status_of 0 "$PID_a"
	PIDS=
	# Same port, same content: same record number.
	start_sd a --addr "127.0.0.1:$port"
	[ "$(head -1 "$TMP/a.out" | jq -r .id)" = "$id" ]
	[ "$(head -1 "$TMP/a.out" | jq -r .seq)" = "$seq" ]
}

@test "serverd: a datadir in use is refused (exit 3); a file as datadir and bad node lists are clear errors" {
	start_sd a
	run p2p-serverd --datadir "$TMP/a" --addr 127.0.0.1:0
	[ "$status" = 3 ]
	[[ $output == *"in use by another p2p-serverd (pid $PID_a)"* ]]
	: >"$TMP/file"
	run p2p-serverd --datadir "$TMP/file" --addr 127.0.0.1:0
	[ "$status" = 1 ]
	[[ $output == *"--datadir $TMP/file: "* ]]
	mkdir "$TMP/b"
	echo '["enode://1234@127.0.0.1:30303"]' >"$TMP/b/static-nodes.json"
	cp "$TMP/b/static-nodes.json" "$TMP/saved.json"
	run p2p-serverd --datadir "$TMP/b" --addr 127.0.0.1:0
	[ "$status" = 1 ]
	[[ $output == *"static-nodes.json: entry 1 \"enode://1234@127.0.0.1:30303\": "* ]]
	cmp "$TMP/b/static-nodes.json" "$TMP/saved.json"
	echo '{"enode": 1}' >"$TMP/b/trusted-nodes.json"
	echo '[]' >"$TMP/b/static-nodes.json"
	run p2p-serverd --datadir "$TMP/b" --addr 127.0.0.1:0
	[ "$status" = 1 ]
	[[ $output == *"trusted-nodes.json: not a JSON array"* ]]
	run p2p-serverd --datadir "$TMP/c" --static enode://zz@127.0.0.1:1
	[ "$status" = 2 ]
	[[ $output == *"--static"* ]]
}

@test "serverd: a port in use is a clear error" {
	start_sd a
	port=$(head -1 "$TMP/a.out" | jq -r '.listen | split(":")[1]')
	run p2p-serverd --datadir "$TMP/b" --addr "127.0.0.1:$port"
	[ "$status" = 1 ]
	[[ $output == *"cannot start on 127.0.0.1:$port: network error: Address already in use"* ]]
}

@test "serverd: two nodes that know one bootnode find and connect to each other" {
	start_sd boot --caps eth/63
	start_sd a --caps eth/63 --bootnodes "$(sd_enode boot)"
	start_sd b --caps eth/63 --bootnodes "$(sd_enode boot)"
	ida=$(head -1 "$TMP/a.out" | jq -r .id)
	idb=$(head -1 "$TMP/b.out" | jq -r .id)
	# Whoever dialed first, both ends see the other (by ID: an inbound
	# peer's enode has the port it came from).
	wait_for has_record a ".type == \"peer\" and .event == \"add\" and .id == \"$idb\""
	wait_for has_record b ".type == \"peer\" and .event == \"add\" and .id == \"$ida\""
	jq -se '[.[] | select(.type == "peer")] | all(.caps == ["eth/63"])' "$TMP/a.out"
}

@test "serverd: a static node is dialed; SIGTERM tells it client quitting, exit 0" {
	start_listen
	start_sd a --nodiscover --static "$ENODE"
	wait_for has_record a '.type == "peer" and .event == "add" and .static'
	wait_for lines_ge 1 listen_records hello
	kill -TERM "$PID_a"
	status_of 0 "$PID_a"
	PIDS=
	wait_for has_listen_disconnect
	listen_records disconnect | jq -e '.code == 8 and .by == "remote"'
}
has_listen_disconnect() { [ -n "$(listen_records disconnect)" ]; }

@test "serverd: trusted peers get in above maxpeers, others hear too many peers" {
	start_sd t --nodiscover
	start_sd u --nodiscover
	start_sd a --nodiscover --maxpeers 0 --trusted "$(sd_enode t)"
	for n in t u; do
		printf '["%s"]\n' "$(sd_enode a)" >"$TMP/$n/static-nodes.json"
		eval "kill -HUP \$PID_$n"
	done
	wait_for has_record a '.type == "peer" and .event == "add" and .trusted'
	# u is refused after the encryption handshake: reason 0x04.
	wait_for has_record a '.type == "conn" and .phase == "admit" and .error == "ETOOMANY" and .disconnect.code == 4'
	wait_for has_record u '.type == "conn" and .disconnect.code == 4 and .disconnect.by == "remote"'
	[ "$(peers_of a)" = 1 ]
}

@test "serverd: the inbound limit holds (maxpeers - maxpeers/dialratio)" {
	start_sd a --maxpeers 3 --dialratio 3
	head -1 "$TMP/a.out" | jq -e '.max_inbound == 2 and .max_dialed == 1'
	E=$(sd_enode a)
	for i in 1 2 3; do
		start_sd "c$i" --nodiscover --static "$E"
	done
	wait_for peers_are 2 a
	wait_for has_record a '.type == "conn" and .error == "ETOOMANY" and .direction == "inbound"'
	[ "$(peers_of a)" = 2 ]
}

@test "serverd: NetRestrict closes outside connections before any crypto and never dials outside" {
	start_sd a --nodiscover --netrestrict 127.0.0.2/32
	start_sd b --nodiscover --static "$(sd_enode a)"
	wait_for has_record a '.type == "conn" and .error == "ERESTRICTED" and .phase == "tcp"'
	# b saw the connection close without a handshake.
	wait_for has_record b '.type == "conn" and .phase == "auth"'
	start_sd c --nodiscover --netrestrict 127.0.0.2/32 --static "$(sd_enode a)"
	wait_for has_record c '.type == "static" and .error == "ERESTRICTED"'
	! has_record c '.type == "conn"'
}

@test "serverd: a node dialing itself hears connected to self" {
	key=$(printf '%064x' 7)
	start_sd a --nodiscover --nodekeyhex "$key"
	run p2p-dial --stage hello --nodekeyhex "$key" "$(sd_enode a)"
	jq -e '.disconnect.code == 10' <<<"$output"
	wait_for has_record a '.type == "conn" and .error == "ESELF" and .disconnect.code == 10'
	# A static entry for ourselves is dropped, never dialed.
	kill -TERM "$PID_a"
	status_of 0 "$PID_a"
	PIDS=
	start_sd a --nodiscover --nodekeyhex "$key" --static "$(sd_enode a)"
	wait_for has_record a '.type == "static" and .error == "ESELF"'
}

@test "serverd: two nodes dialing each other at once keep exactly one connection" {
	# Each learns the other from its static-nodes.json on the same
	# SIGHUP, so both dial at once.
	for round in 1 2 3; do
		start_sd x --nodiscover
		start_sd y --nodiscover
		printf '["%s"]\n' "$(sd_enode y)" >"$TMP/x/static-nodes.json"
		printf '["%s"]\n' "$(sd_enode x)" >"$TMP/y/static-nodes.json"
		kill -HUP "$PID_x" "$PID_y"
		wait_for same_conn
		# Neither side lost its connection to the other's refusal (as
		# v1.8.24 often does, leaving none until the dial history
		# expires).
		! has_record x '.type == "peer" and .event == "drop" and .disconnect.by == "remote"'
		! has_record y '.type == "peer" and .event == "drop" and .disconnect.by == "remote"'
		kill -TERM "$PID_x" "$PID_y"
		status_of 0 "$PID_x"
		status_of 0 "$PID_y"
		PIDS=
		rm -rf "$TMP/x" "$TMP/y"
	done
}
# The live peer records of x and y describe one TCP connection.
same_conn() {
	local lx rx ly ry
	[ "$(peers_of x)" = 1 ] && [ "$(peers_of y)" = 1 ] || return 1
	read -r lx rx < <(jq -rs '[.[] | select(.type == "peer" and .event == "add")] | last | "\(.local) \(.remote)"' "$TMP/x.out")
	read -r ly ry < <(jq -rs '[.[] | select(.type == "peer" and .event == "add")] | last | "\(.local) \(.remote)"' "$TMP/y.out")
	[ "$lx" = "$ry" ] && [ "$rx" = "$ly" ]
}

@test "serverd: SIGHUP applies a changed static-nodes.json" {
	start_listen
	start_sd a --nodiscover
	printf '["%s"]\n' "$ENODE" >"$TMP/a/static-nodes.json"
	kill -HUP "$PID_a"
	wait_for has_record a '.type == "reload" and .static.added == 1'
	wait_for has_record a '.type == "peer" and .event == "add" and .static'
	# A broken file changes nothing and says why.
	echo '[' >"$TMP/a/static-nodes.json"
	kill -HUP "$PID_a"
	wait_for has_record a '.type == "reload" and .error != null'
	[ "$(peers_of a)" = 1 ]
	# Removing the node disconnects it.
	echo '[]' >"$TMP/a/static-nodes.json"
	kill -HUP "$PID_a"
	wait_for has_record a '.type == "reload" and .static.removed == 1'
	wait_for peers_are 0 a
}

@test "serverd: a config file sets options; flags override it; unknown keys are errors" {
	printf '{"maxpeers": 7, "nodiscover": true, "name": "cfg"}\n' >"$TMP/cfg.json"
	start_sd a --config "$TMP/cfg.json" --maxpeers 9
	head -1 "$TMP/a.out" | jq -e '.maxpeers == 9 and (.discovery | not)'
	printf '{"maxpeer": 7}\n' >"$TMP/bad.json"
	run p2p-serverd --datadir "$TMP/b" --config "$TMP/bad.json"
	[ "$status" = 1 ]
	[[ $output == *"bad.json: unknown option \"maxpeer\""* ]]
}

@test "serverd: examples/echo-proto embeds two servers and exchanges a message" {
	run -0 "$P2P_BIN/../examples/echo-proto"
	[[ $output == *'A: got echo "hello through echo/1"'* ]]
}

@test "serverd: 200 connections that never speak do not keep a real peer out" {
	start_sd a --nodiscover
	port=$(head -1 "$TMP/a.out" | jq -r '.listen | split(":")[1]')
	# 200 silent connections: 50 take the handshake slots (the default
	# --maxpendpeers), the rest wait in the kernel's backlog.
	for i in $(seq 200); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$port" || true
	done
	# Each wave of silent ones is cut by the 5 s handshake deadline,
	# freeing its slots; the real peer gets in behind them.
	wait_for p2p-dial --stage hello --handshake-timeout 60s --timeout 90s "$(sd_enode a)"
	wait_for has_record a '.type == "peer" and .event == "add"'
	# Slots were held: at least two waves of 50 timed out before the
	# peer got in (with unlimited slots it would have been first).
	jq -se '[.[] | select(.type == "peer" or .error == "ETIMEOUT")] |
	    (map(.type) | index("peer")) >= 100' "$TMP/a.out"
}

@test "make run's devnet: 8 daemons that know one bootnode reach the full mesh, then all stop" {
	run -0 --separate-stderr env P2P_BIN="$P2P_BIN" sh "$BATS_TEST_DIRNAME/../../scripts/localnet.sh"
	printf '%s\n' "${lines[@]}" | jq -se '
	    ([.[] | select(.type == "node")] | length == 8 and
	        all(.peers == 7 and (.inbound + .outbound | length) == 7)) and
	    ([.[] | select(.type == "devnet")][0] |
	        .full_mesh and .connections == 28)'
	[ "$(grep -c "^n[0-7]: out " <<<"$stderr")" = 8 ]
	! pgrep -f "p2p-devnet" >/dev/null
}

@test "serverd: tells systemd READY=1 once listening (NOTIFY_SOCKET), STOPPING=1 on SIGTERM" {
	socat -u "UNIX-RECV:$TMP/notify" "OPEN:$TMP/notified,creat,append" 3>&- &
	PIDS=$!
	wait_for test -S "$TMP/notify"
	NOTIFY_SOCKET=$TMP/notify start_sd a
	wait_for grep -q READY=1 "$TMP/notified"
	kill -TERM "$PID_a"
	status_of 0 "$PID_a"
	wait_for grep -q STOPPING=1 "$TMP/notified"
}

@test "serverd: --detach keeps the data directory locked by the daemon itself" {
	p2p-serverd --datadir "$TMP/a" --addr 127.0.0.1:0 --detach --pidfile "$TMP/a.pid" >"$TMP/a.out" 2>"$TMP/a.err" 3>&-
	pid=$(cat "$TMP/a.pid")
	PIDS=$pid
	[ "$(cat "$TMP/a/LOCK")" = "$pid" ]
	run p2p-serverd --datadir "$TMP/a" --addr 127.0.0.1:0
	[ "$status" = 3 ]
	[[ $output == *"(pid $pid)"* ]]
	# Errors after detaching still reach the caller, with their status.
	run p2p-serverd --datadir "$TMP/a" --addr 127.0.0.1:0 --detach
	[ "$status" = 3 ]
}

@test "serverd: a reader that goes away stops the daemon cleanly (exit 1, no crash)" {
	start_listen
	run bash -c 'set -o pipefail; p2p-serverd --datadir "$1" --addr 127.0.0.1:0 --nodiscover --static "$2" 2>/dev/null | head -1 >/dev/null' sh "$TMP/a" "$ENODE"
	[ "$status" = 1 ]
}

@test "serverd: node lists count once; a list flag replaces the config file's; switches and values are checked" {
	start_listen
	mkdir -p "$TMP/a"
	printf '["%s"]\n' "$ENODE" >"$TMP/a/static-nodes.json"
	# trusted-nodes.json may name bare keys: trust is by ID.
	printf '["%s"]\n' "${ENODE%@*}" >"$TMP/a/trusted-nodes.json"
	other=$(p2p-keygen --nodekeyhex "$(printf '%064x' 9)" | jq -r .pubkey)
	printf '{"static": ["enode://%s@127.0.0.1:1"], "nodial": true}\n' "$other" >"$TMP/cfg.json"
	start_sd a --config "$TMP/cfg.json" --static "$ENODE" --nodiscover
	head -1 "$TMP/a.out" | jq -e '.static == 1 and .trusted == 1'
	printf '{"name": true}\n' >"$TMP/bad.json"
	run p2p-serverd --datadir "$TMP/b" --config "$TMP/bad.json"
	[ "$status" = 1 ]
	[[ $output == *'"name" needs a value'* ]]
	printf '{"nodiscover": ""}\n' >"$TMP/bad.json"
	run p2p-serverd --datadir "$TMP/b" --config "$TMP/bad.json"
	[ "$status" = 1 ]
	[[ $output == *'"nodiscover" takes true or false'* ]]
}

@test "serverd: a static peer that went away is dialed again once its dial history expires" {
	key=$(printf '%064x' 11)
	start_listen --nodekeyhex "$key"
	# A 3 s history instead of v1.8.24's 30 s (P2P_DIAL_HISTORY).
	P2P_DIAL_HISTORY=3 start_sd a --nodiscover --static "$ENODE"
	wait_for has_record a '.type == "peer" and .event == "add"'
	# The history kept is the 3 s asked for: with the default, the entry of
	# the dial just made would say up to 30000 ms (gone already is fine).
	p2p-ctl --datadir "$TMP/a" call p2p_dialState |
	    jq -e 'all(.history[]; .expires_in_ms <= 3000)'
	kill -TERM "$LPID"
	wait "$LPID" || true
	wait_for has_record a '.type == "peer" and .event == "drop"'
	# Back on the same address: the daemon dials it again by itself
	# once the dial history expires, whatever the clock says now.
	p2p-listen --addr "127.0.0.1:$LPORT" --nodekeyhex "$key" >"$TMP/listen2.out" 2>&1 3>&- &
	LPID=$!
	wait_for lines_ge 2 jq -c 'select(.type == "peer" and .event == "add")' "$TMP/a.out"
}

# max_live NAME FILTER: the most peers matching FILTER NAME ever held.
max_live() {
	jq -s "reduce (.[] | select(.type == \"peer\")) as \$p ({n: 0, max: 0};
	    if (\$p | $2) then
	        (if \$p.event == \"add\" then .n += 1 else .n -= 1 end) |
	        .max = ([.max, .n] | max)
	    else . end) | .max" "$TMP/$1.out"
}

@test "serverd: the dial ratio holds: maxpeers 3 / dialratio 3 dials one peer, lets in two" {
	start_sd boot
	for n in 1 2 3 4; do start_sd "n$n" --bootnodes "$(sd_enode boot)"; done
	start_sd r --maxpeers 3 --dialratio 3 --bootnodes "$(sd_enode boot)"
	wait_for peers_are 3 r
	[ "$(max_live r '.inbound | not')" -le 1 ]
	[ "$(max_live r '.inbound')" -le 2 ]
	# The others were turned away once r was full.
	wait_for has_record r '.type == "conn" and .error == "ETOOMANY"'
}

@test "serverd: out of file descriptors it backs off, says so once a period, then serves again" {
	(ulimit -n 40 && exec p2p-serverd --datadir "$TMP/a" --addr 127.0.0.1:0 --nodiscover \
	    >"$TMP/a.out" 2>"$TMP/a.err" 3>&-) &
	PID_a=$!
	PIDS=$PID_a
	wait_for nonempty "$TMP/a.out"
	port=$(head -1 "$TMP/a.out" | jq -r '.listen | split(":")[1]')
	for i in $(seq 60); do exec {fd}<>"/dev/tcp/127.0.0.1/$port"; fds="${fds:-} $fd"; done
	wait_for has_record a '.type == "error" and .error == "ENET"'
	sd_records a error | jq -se '.[0] | .nofile_limit == 40 and
	    (.detail | test("Too many open files"))'
	for fd in $fds; do exec {fd}<&-; done
	wait_for bash -c "p2p-dial --stage hello '$(sd_enode a)' | jq -e 'select(.ok)'"
	# One record per 10 s, not one per attempt; no libevent flood.
	[ "$(sd_records a error | wc -l)" -le 3 ]
	[ "$(wc -l <"$TMP/a.err")" -le 10 ]
}

@test "serverd: a malformed node key is a clear error and stays as it was" {
	mkdir -p "$TMP/a"
	printf 'not a key\n' >"$TMP/a/nodekey"
	chmod 600 "$TMP/a/nodekey"
	cp "$TMP/a/nodekey" "$TMP/saved"
	run p2p-serverd --datadir "$TMP/a" --addr 127.0.0.1:0
	[ "$status" = 1 ]
	[[ $output == *"$TMP/a/nodekey"* ]]
	cmp "$TMP/a/nodekey" "$TMP/saved"
}

@test "serverd: a connected peer made trusted by SIGHUP is trusted at once" {
	start_listen
	start_sd a --nodiscover --static "$ENODE"
	wait_for has_record a '.type == "peer" and .event == "add" and (.trusted | not)'
	printf '["%s"]\n' "$ENODE" >"$TMP/a/trusted-nodes.json"
	kill -HUP "$PID_a"
	wait_for has_record a '.type == "reload" and .trusted.added == 1'
	kill -TERM "$PID_a"
	status_of 0 "$PID_a"
	PIDS=
	jq -se '[.[] | select(.type == "peer" and .event == "drop")][0].trusted' "$TMP/a.out"
}

@test "serverd: --extip is announced, --name is our Hello's, --log-format json logs JSON" {
	start_sd a --nodiscover --extip 127.0.0.9 --name "test-node/1" --log-format json --verbosity 4
	head -1 "$TMP/a.out" | jq -e '(.enode | test("@127\\.0\\.0\\.9:")) and .listen != null'
	run -0 --separate-stderr p2p-dial --stage hello "$(head -1 "$TMP/a.out" | jq -r '.enode | sub("@127.0.0.9:"; "@127.0.0.1:")')"
	jqo '.remote.name == "test-node/1"'
	wait_for has_record a '.type == "peer" and .event == "add"'
	# Every stderr line is a JSON object with a level and a message.
	wait_for nonempty "$TMP/a.err"
	jq -se 'length >= 1 and all(has("lvl") and has("msg"))' "$TMP/a.err"
}
