#!/usr/bin/env bats
# p2p-serverd's control socket itself, below p2p-ctl: the JSON-RPC 2.0
# framing, the error codes, the limits, idle and slow clients, the
# socket file, go-ethereum's result shapes.  Clients are socat; answers
# are checked with jq.  Loopback only; every wait is for a condition
# (wait_for), never for time.
load helpers

# teardown: the idle clients too (their pids in idle.pids), then the
# default one (helpers.bash).
eval "net_$(declare -f teardown)"
teardown() {
	if [ -s "$TMP/idle.pids" ]; then
		kill $(cat "$TMP/idle.pids") 2>/dev/null
	fi
	net_teardown
}

sock() { echo "$TMP/$1/p2pserverd.ipc"; }

# rpc SOCK TEXT: TEXT written on a new connection to SOCK, which is then
# half closed; prints what comes back until the daemon closes it (the
# -t is a hang guard: socat ends as soon as both sides are done).
rpc() { printf '%s' "$2" | socat -t "$HANG_GUARD" - "UNIX-CONNECT:$1"; }

# call SOCK METHOD [PARAMS]: one request with id 1; prints the answer.
call() {
	rpc "$1" "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":${3:-[]}}"
}

# answers_has SOCK METHOD FILTER: METHOD's result passes FILTER.
answers_has() {
	call "$1" "$2" | jq -e ".result | $3" >/dev/null
}

# out_has FILE FILTER: a line of FILE passes FILTER.
out_has() { jq -se "any(.[]; $2)" "$1" >/dev/null; }
# count_is N FILE FILTER: N lines of FILE pass FILTER.
count_is() { [ "$(jq -s "[.[] | select($3)] | length" "$2")" = "$1" ]; }

# client NAME FD SOCK: a long-lived connection to SOCK; what we write on
# FD is sent, what comes back is in $TMP/NAME.out.  Closing FD half
# closes it.
client() { bg "$1" "$2" socat -t "$HANG_GUARD" - "UNIX-CONNECT:$3"; }

fds_le() { [ "$(fd_count "$2")" -le "$1" ]; }
fds_ge() { [ "$(fd_count "$2")" -ge "$1" ]; }

# ---- framing ----

@test "control: values back to back, split across writes, and after whitespace are each answered" {
	start_sd a --nodiscover
	run -0 --separate-stderr rpc "$(sock a)" \
	    '{"jsonrpc":"2.0","id":1,"method":"rpc_modules"}{"jsonrpc":"2.0","id":2,"method":"admin_datadir"}'
	[ "${#lines[@]}" = 2 ]
	jqo '.jsonrpc == "2.0" and .id == 1 and .result.admin == "1.0" and .result.rpc == "1.0"'
	jqo ".id == 2 and .result == \"$TMP/a\"" "${lines[1]}"
	# Whitespace of every kind between values; params null is none.
	run -0 --separate-stderr rpc "$(sock a)" \
	    $' \r\n\t{"id":3,"method":"admin_peers","params":null}\n\n[{"id":4,"method":"admin_peers"}]\r\n'
	[ "${#lines[@]}" = 2 ]
	jqo '.id == 3 and .result == []'
	jqo '. == [{"jsonrpc":"2.0","id":4,"result":[]}]' "${lines[1]}"
	# One write ends inside the second request's string, just after a
	# backslash, with a } and a ] in the string: the daemon answers
	# the first, then keeps its place in the second until the rest.
	client c 5 "$(sock a)"
	printf '%s' '{"jsonrpc":"2.0","id":1,"method":"rpc_modules"}{"jsonrpc":"2.0","id":"x}]\' >&5
	wait_for out_has "$TMP/c.out" '.id == 1'
	[ "$(wc -l <"$TMP/c.out")" = 1 ]
	printf '%s' '"{[","method":"rpc_modules"}' >&5
	wait_for out_has "$TMP/c.out" '.id == "x}]\"{["'
	# The bytes of one request in many writes.
	for part in '{"jsonrpc"' ':"2.0","id"' ':3,"met' 'hod":"rpc_mo' 'dules"' '}'; do
		printf '%s' "$part" >&5
	done
	exec 5>&-
	status_of 0 "$BGPID"
	jq -se 'length == 3 and .[2].id == 3 and .[2].result.rpc == "1.0"' "$TMP/c.out"
}

@test "control: a batch is answered as one array, in order, ids echoed; bad entries get their own errors" {
	start_sd a --nodiscover
	run -0 --separate-stderr rpc "$(sock a)" \
	    '[{"jsonrpc":"2.0","id":1,"method":"rpc_modules"},{"jsonrpc":"2.0","id":"two","method":"admin_datadir"},{"jsonrpc":"2.0","id":3,"method":"admin_peers"}]'
	[ "${#lines[@]}" = 1 ]
	jqo "length == 3 and map(.id) == [1, \"two\", 3] and
	    .[0].result.admin == \"1.0\" and .[1].result == \"$TMP/a\" and
	    .[2].result == [] and all(.jsonrpc == \"2.0\")"
	# A number, an object without method, an unknown method, a good
	# one, a notification (no answer), a bad params.
	run -0 --separate-stderr rpc "$(sock a)" \
	    '[1,{"jsonrpc":"2.0","id":2},{"jsonrpc":"2.0","id":3,"method":"nope_nothing"},{"jsonrpc":"2.0","id":4,"method":"rpc_modules"},{"jsonrpc":"2.0","method":"rpc_modules"},{"jsonrpc":"2.0","id":6,"method":"admin_peers","params":{}}]'
	[ "${#lines[@]}" = 1 ]
	jqo 'length == 5 and map(.id) == [null, 2, 3, 4, 6] and
	    .[0].error.code == -32600 and .[1].error.code == -32600 and
	    .[2].error == {"code": -32601, "message": "the method nope_nothing does not exist/is not available"} and
	    .[3].result.rpc == "1.0" and (.[3] | has("error") | not) and
	    .[4].error.code == -32600'
	# An empty batch is one error; the connection goes on.
	run -0 --separate-stderr rpc "$(sock a)" '[]{"jsonrpc":"2.0","id":2,"method":"rpc_modules"}'
	[ "${#lines[@]}" = 2 ]
	jqo '.id == null and .error.code == -32600 and (.error.message | type == "string")'
	jqo '.id == 2 and .result.p2p == "1.0"' "${lines[1]}"
	# A batch of notifications only: nothing is said.
	run -0 --separate-stderr rpc "$(sock a)" \
	    '[{"jsonrpc":"2.0","method":"rpc_modules"},{"jsonrpc":"2.0","method":"admin_peers"}]'
	[ -z "$output" ]
}

@test "control: a notification gets no answer but does its work" {
	start_sd a --nodiscover
	start_sd b --nodiscover
	run -0 --separate-stderr rpc "$(sock b)" \
	    "{\"jsonrpc\":\"2.0\",\"method\":\"admin_addPeer\",\"params\":[\"$(sd_enode a)\"]}"
	[ -z "$output" ]
	wait_for answers_has "$(sock b)" admin_peers \
	    "any(.[]; .id == \"$(sd_id a)\" and .network.static)"
	answers_has "$(sock b)" p2p_dialState \
	    ".static | any(.id == \"$(sd_id a)\" and .connected)"
	# A notification of an unknown method is not answered either.
	run -0 --separate-stderr rpc "$(sock b)" '{"jsonrpc":"2.0","method":"nope_nothing"}'
	[ -z "$output" ]
}

@test "control: string, numeric and null ids are echoed exactly" {
	start_sd a --nodiscover
	ids=('"abc"' '""' '"0x1f"' '"a\"b\\\\c\u00e9"' '0' '-1' '7' '9007199254740993'
	    '9223372036854775807' '-9223372036854775808' '1.5' 'null')
	text=
	for id in "${ids[@]}"; do
		text+="{\"jsonrpc\":\"2.0\",\"id\":$id,\"method\":\"rpc_modules\"}"
	done
	run -0 --separate-stderr rpc "$(sock a)" "$text"
	[ "${#lines[@]}" = "${#ids[@]}" ]
	for i in "${!ids[@]}"; do
		# Numbers as written (jq would make doubles of them),
		# strings as one compact encoding.
		want=$(jq -c -n "${ids[$i]}")
		case ${ids[$i]} in
		[0-9-]*|null) want=${ids[$i]} ;;
		esac
		[[ ${lines[$i]} == "{\"jsonrpc\":\"2.0\",\"id\":$want,\"result\":"* ]] || {
			echo "id ${ids[$i]}: ${lines[$i]}" >&2
			false
		}
	done
}

@test "control: an integer past 2^63 (even as an id) is a parse error that says so" {
	# Documented: numbers must fit 64-bit signed integers (geth would
	# echo such an id verbatim; no client of ours sends one).
	start_sd a --nodiscover
	run -0 --separate-stderr rpc "$(sock a)" \
	    '{"jsonrpc":"2.0","id":18446744073709551615,"method":"rpc_modules"}'
	[ "${#lines[@]}" = 1 ]
	jq -e '.id == null and .error.code == -32700 and
	    (.error.message | test("too big integer"))' <<<"${lines[0]}"
}

# ---- errors ----

@test "control: bytes that are not JSON get -32700, id null, and the connection is closed" {
	start_sd a --nodiscover
	for bad in '{bad}' 'hello' '"a string"' '12' '{"id":1,"method":"rpc_modules",}' \
	    '{"id":1,"id":2,"method":"rpc_modules"}'; do
		run --separate-stderr rpc "$(sock a)" \
		    "$bad"'{"jsonrpc":"2.0","id":9,"method":"rpc_modules"}'
		[ "${#lines[@]}" = 1 ] || { echo "$bad: $output" >&2; false; }
		jqo '.jsonrpc == "2.0" and .id == null and .error.code == -32700 and
		    (.error.message | startswith("parse error"))'
	done
	# On a connection kept open: the error, then the daemon closes it;
	# what we send after is not answered.
	client c 5 "$(sock a)"
	printf 'hello' >&5
	wait_for out_has "$TMP/c.out" '.error.code == -32700'
	printf '%s' '{"jsonrpc":"2.0","id":9,"method":"rpc_modules"}' >&5 2>/dev/null || true
	exec 5>&-
	wait "$BGPID" || true
	[ "$(wc -l <"$TMP/c.out")" = 1 ]
	# The daemon is fine.
	run -0 --separate-stderr call "$(sock a)" rpc_modules
	jqo '.result.admin == "1.0"'
}

@test "control: a value cut short by the end of input ({bad) gets -32700" {
	# geth's decoder stops at the b; a daemon that waits for a closing
	# brace must still say why when the input ends without one.
	start_sd a --nodiscover
	run --separate-stderr rpc "$(sock a)" '{bad'
	[ "${#lines[@]}" = 1 ]
	jqo '.id == null and .error.code == -32700'
}

@test "control: -32601 and -32602 in go-ethereum's words; bad params and version are -32600" {
	start_sd a --nodiscover
	run -0 --separate-stderr call "$(sock a)" admin_nothing
	jqo '.id == 1 and .error == {"code": -32601, "message": "the method admin_nothing does not exist/is not available"}'
	run -0 --separate-stderr call "$(sock a)" admin_peers '[1]'
	jqo '.error == {"code": -32602, "message": "too many arguments, want at most 0"}'
	run -0 --separate-stderr call "$(sock a)" admin_addPeer '["enode://x", "y"]'
	jqo '.error == {"code": -32602, "message": "too many arguments, want at most 1"}'
	run -0 --separate-stderr call "$(sock a)" admin_addPeer
	jqo '.error == {"code": -32602, "message": "missing value for required argument 0"}'
	run -0 --separate-stderr call "$(sock a)" admin_addPeer '[null]'
	jqo '.error == {"code": -32602, "message": "missing value for required argument 0"}'
	run -0 --separate-stderr call "$(sock a)" admin_addPeer '[1]'
	jqo '.error.code == -32602 and (.error.message | startswith("invalid argument 0: "))'
	run -0 --separate-stderr call "$(sock a)" admin_subscribe '["peerEvents", 5]'
	jqo '.error.code == -32602 and (.error.message | startswith("invalid argument 1: "))'
	# A trailing null is an absent optional argument.
	run -0 --separate-stderr call "$(sock a)" admin_subscribe '["peerEvents", null]'
	jqo '.result | test("^0x[0-9a-f]+$")'
	run -0 --separate-stderr call "$(sock a)" admin_subscribe '["nothing"]'
	jqo '.error.code == -32601'
	run -0 --separate-stderr call "$(sock a)" admin_addPeer '["enode://zz@127.0.0.1:1"]'
	jqo '.error.code == -32000 and (.error.message | startswith("invalid enode: "))'
	# Named params, a wrong version, a method that is not a string.
	run -0 --separate-stderr call "$(sock a)" admin_peers '{}'
	jqo '.id == 1 and .error.code == -32600'
	run -0 --separate-stderr rpc "$(sock a)" '{"jsonrpc":"1.0","id":"v","method":"rpc_modules"}'
	jqo '.id == "v" and .error.code == -32600'
	run -0 --separate-stderr rpc "$(sock a)" '{"jsonrpc":"2.0","id":2,"method":7}'
	jqo '.id == 2 and .error.code == -32600'
	run -0 --separate-stderr rpc "$(sock a)" '{"jsonrpc":"2.0","id":[1],"method":"rpc_modules"}'
	jqo '.id == null and .error.code == -32600'
	# Errors keep the connection: all four answered on one.
	run -0 --separate-stderr rpc "$(sock a)" \
	    '{"id":1,"method":"x_y"}{"id":2,"method":"admin_peers","params":[1]}{"id":3,"method":"admin_peers","params":{}}{"id":4,"method":"rpc_modules"}'
	[ "${#lines[@]}" = 4 ]
	jqo '.id == 4 and .result.rpc == "1.0"' "${lines[3]}"
}

# ---- limits ----

@test "control: a 10 MiB request is cut off at 1 MiB with -32600; peers and other clients go on" {
	start_sd a --nodiscover
	start_sd b --nodiscover
	run -0 --separate-stderr p2p-ctl --datadir "$TMP/b" add --wait "$(sd_enode a)"
	jqo '.ok'
	{
		printf '%s' '{"jsonrpc":"2.0","id":1,"method":"'
		head -c $((10 * 1024 * 1024)) /dev/zero | tr '\0' a
	} >"$TMP/big"
	# A writer and a reader on one connection (socat hands the socket
	# to the script): the daemon stops reading, answers, and closes.
	BIG=$TMP/big OUT=$TMP/big.out RC=$TMP/big.rc \
	    socat "UNIX-CONNECT:$(sock a)" SYSTEM:'cat "$BIG" 2>/dev/null & cat >"$OUT" 2>/dev/null; wait $!; echo $? >"$RC"',nofork
	run -0 cat "$TMP/big.out"
	[ "${#lines[@]}" = 1 ]
	jqo '.id == null and .error == {"code": -32600, "message": "request larger than 1048576 bytes"}'
	# The writer did not get its 10 MiB through.
	[ "$(cat "$TMP/big.rc")" != 0 ]
	run -0 --separate-stderr call "$(sock a)" rpc_modules
	jqo '.result.admin == "1.0"'
	answers_has "$(sock a)" admin_peers "length == 1 and .[0].id == \"$(sd_id b)\""
	answers_has "$(sock b)" admin_peers "length == 1 and .[0].id == \"$(sd_id a)\""
	run ! has_record a '.type == "peer" and .event == "drop"'
}

# req_of_size N FILE: an admin_datadir request of exactly N bytes.
req_of_size() {
	local pre='{"jsonrpc":"2.0","id":1,"method":"admin_datadir","params":["' post='"]}'
	{
		printf '%s' "$pre"
		head -c $(($1 - ${#pre} - ${#post})) /dev/zero | tr '\0' a
		printf '%s' "$post"
	} >"$2"
}

# first_answer SOCK FILE: FILE written on a new connection by one process
# while another reads the first answer (the daemon may close before it
# took all of FILE); prints that answer.
first_answer() {
	IN=$2 OUT=$TMP/first socat "UNIX-CONNECT:$1" \
	    SYSTEM:'cat "$IN" 2>/dev/null & head -n 1 >"$OUT"; wait',nofork
	cat "$TMP/first"
}

@test "control: a request of exactly 1 MiB is read, one of 1 MiB and a byte is refused" {
	start_sd a --nodiscover
	req_of_size 1048576 "$TMP/r1"
	[ "$(stat -c %s "$TMP/r1")" = 1048576 ]
	run -0 --separate-stderr first_answer "$(sock a)" "$TMP/r1"
	jqo '.id == 1 and .error.code == -32602'
	req_of_size 1048577 "$TMP/r2"
	run -0 --separate-stderr first_answer "$(sock a)" "$TMP/r2"
	jqo '.id == null and .error == {"code": -32600, "message": "request larger than 1048576 bytes"}'
}

@test "control: 64 levels of nesting are read, 100 are -32700; batches of 1000 run, 1001 are -32600" {
	start_sd a --nodiscover
	open=$(printf '[%.0s' $(seq 63))
	close=$(printf ']%.0s' $(seq 63))
	run -0 --separate-stderr rpc "$(sock a)" \
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rpc_modules\",\"params\":$open$close}"
	jqo '.id == 1 and .error.code == -32602'
	open=$(printf '[%.0s' $(seq 99))
	close=$(printf ']%.0s' $(seq 99))
	run --separate-stderr rpc "$(sock a)" \
	    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rpc_modules\",\"params\":$open$close}{\"id\":2,\"method\":\"rpc_modules\"}"
	[ "${#lines[@]}" = 1 ]
	jqo '.id == null and .error.code == -32700'
	run -0 --separate-stderr rpc "$(sock a)" \
	    "$(jq -c -n '[range(1000) | {jsonrpc: "2.0", id: ., method: "rpc_modules"}]')"
	[ "${#lines[@]}" = 1 ]
	jqo 'length == 1000 and map(.id) == [range(1000)] and all(.result.rpc == "1.0")'
	run -0 --separate-stderr rpc "$(sock a)" \
	    "$(jq -c -n '[range(1001) | {jsonrpc: "2.0", id: ., method: "rpc_modules"}]'){\"id\":2,\"method\":\"rpc_modules\"}"
	[ "${#lines[@]}" = 2 ]
	jqo '.id == null and .error.code == -32600 and (.error.message | test("1001"))'
	jqo '.id == 2' "${lines[1]}"
}

@test "control: 1000 idle clients are held; requests and peers still get through" {
	[ "$(ulimit -Hn)" -ge 1200 ] || skip "the open-files hard limit is under 1200"
	start_sd a --nodiscover
	start_sd b --nodiscover
	base=$(fd_count "$PID_a")
	S=$(sock a)
	# A plain shell starts them (bats traps every command of its own):
	# two connections per socat, joined to each other, so neither ever
	# sends a byte; their pids in idle.pids.
	S=$S bash -c 'for i in $(seq 500); do
		socat "UNIX-CONNECT:$S" "UNIX-CONNECT:$S" >/dev/null 2>&1 &
		echo $!
	done >"$0"; wait' "$TMP/idle.pids" 3>&- &
	SPAWNER=$!
	PIDS="$PIDS $SPAWNER"
	wait_for lines_ge 500 cat "$TMP/idle.pids"
	wait_for fds_ge $((base + 1000)) "$PID_a"
	run -0 --separate-stderr call "$(sock a)" admin_nodeInfo
	jqo ".result.id == \"$(sd_id a)\""
	run -0 --separate-stderr p2p-ctl --datadir "$TMP/b" add --wait "$(sd_enode a)"
	jqo '.ok and .already == false'
	answers_has "$(sock a)" admin_peers "length == 1 and .[0].id == \"$(sd_id b)\""
	kill $(cat "$TMP/idle.pids")
	status_of 0 "$SPAWNER"
	# Each one closed, freed: back to where it was, plus b's connection.
	wait_for fds_le $((base + 1)) "$PID_a"
	run -0 --separate-stderr call "$(sock a)" rpc_modules
}

@test "control: a subscriber that does not read is dropped; its peers and other clients go on" {
	start_sd a --nodiscover --caps foo/1
	# A subscriber that reads, without payloads.
	client ev 5 "$(sock a)"
	printf '%s' '{"jsonrpc":"2.0","id":1,"method":"admin_subscribe","params":["peerEvents"]}' >&5
	wait_for out_has "$TMP/ev.out" '.id == 1 and (.result | startswith("0x"))'
	# One that takes the subscription's answer, with payloads, then
	# reads nothing until we open the FIFO hold; then it reads to the
	# end, which comes only if the daemon closed its end.
	mkfifo "$TMP/hold"
	SUB='{"jsonrpc":"2.0","id":1,"method":"admin_subscribe","params":["peerEvents",{"data":true}]}' \
	    HOLD=$TMP/hold OUT=$TMP/slow.out PIDF=$TMP/slow.pid \
	    socat "UNIX-CONNECT:$(sock a)" SYSTEM:'printf "%s" "$SUB"; head -n 1 >"$OUT"; echo $$ >"$PIDF"; cat "$HOLD"; exec cat >/dev/null',nofork 3>&- &
	SLOW=$!
	PIDS="$PIDS $SLOW"
	wait_for nonempty "$TMP/slow.pid"
	PIDS="$PIDS $(cat "$TMP/slow.pid")"
	jq -e '.id == 1 and (.result | startswith("0x"))' "$TMP/slow.out"
	bg sess 7 p2p-dial --session --caps foo/1 --linger 60s \
	    --nodekeyhex "$EIP778_KEY" "$(sd_enode a)"
	wait_for out_has "$TMP/sess.out" '.type == "dial" and .ok'
	# 100 messages of 60000 bytes: 12 MB of hex for the slow one, well
	# past the daemon's 4 MiB and what the kernel buffers.
	line=$(printf '{"type":"send","cap":"foo/1","code":1,"data":"0xb9ea60%0*d"}' 120000 0)
	for i in $(seq 100); do
		printf '%s\n' "$line"
	done >&7
	wait_for grep -q 'a subscriber that does not read its events was dropped' "$TMP/a.err"
	# The reader saw every message; the peer is still there.
	wait_for count_is 100 "$TMP/ev.out" '.params.result.type? == "msgrecv"'
	jq -se '[.[] | select(.params.result.type? == "msgrecv")] |
	    all(.params.result | .msg_size == 60003 and (has("data") | not))' "$TMP/ev.out"
	answers_has "$(sock a)" admin_peers "length == 1 and .[0].id == \"$EIP778_ID\""
	run ! out_has "$TMP/sess.out" '.type == "disconnect"'
	run ! has_record a '.type == "peer" and .event == "drop"'
	# The slow one was closed by the daemon: released, it reads what
	# the kernel held for it, then the end.
	exec 6>"$TMP/hold"
	exec 6>&-
	wait_for exited "$SLOW"
	wait "$SLOW"
	echo '{"type":"disconnect","reason":8}' >&7
	exec 7>&-
	wait_for out_has "$TMP/ev.out" ".params.result.type? == \"drop\" and .params.result.peer == \"$EIP778_ID\""
	exec 5>&-
}

# ---- the socket file ----

@test "control: the socket is 0600 whatever the umask, and other users cannot connect" {
	umask 000
	start_sd a --nodiscover
	umask 022
	[ "$(stat -c %a "$(sock a)")" = 600 ]
	[ "$(id -u)" = 0 ] || skip "connecting as another user needs root"
	mkdir -m 755 "$TMP/pub"
	chmod 755 "$TMP"
	umask 000
	start_sd b --nodiscover --control "$TMP/pub/ctl.ipc"
	umask 022
	[ "$(stat -c '%a %U' "$TMP/pub/ctl.ipc")" = "600 root" ]
	nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	# nobody sees the socket, and cannot connect to it.
	"${nobody[@]}" test -S "$TMP/pub/ctl.ipc"
	run --separate-stderr "${nobody[@]}" socat -t 10 - "UNIX-CONNECT:$TMP/pub/ctl.ipc" </dev/null
	[ "$status" != 0 ]
	[[ $stderr == *"Permission denied"* ]]
	run -0 --separate-stderr call "$TMP/pub/ctl.ipc" rpc_modules
	jqo '.result.admin == "1.0"'
}

@test "control: a stale socket is replaced, a live one or a file is refused, none is none, SIGTERM removes it" {
	start_sd a --nodiscover
	S=$(sock a)
	head -1 "$TMP/a.out" | jq -e --arg s "$S" '.control == $s'
	# Killed outright, the daemon leaves its socket; the next replaces it.
	kill -KILL "$PID_a"
	wait "$PID_a" || true
	PIDS=
	[ -S "$S" ]
	run socat -t 10 - "UNIX-CONNECT:$S" </dev/null
	[ "$status" != 0 ]
	start_sd a --nodiscover
	run -0 --separate-stderr call "$S" admin_nodeInfo
	jqo ".result.id == \"$(sd_id a)\""
	# A second daemon given the same path: exit 1, naming it; the first
	# keeps its socket.
	run -1 --separate-stderr p2p-serverd --datadir "$TMP/b" --addr 127.0.0.1:0 --nodiscover --control "$S"
	[[ $stderr == *"$S"* ]]
	[ -S "$S" ]
	run -0 --separate-stderr call "$S" admin_nodeInfo
	jqo ".result.id == \"$(sd_id a)\""
	# A file that is not a socket is left alone.
	echo keep >"$TMP/file.ipc"
	run -1 --separate-stderr p2p-serverd --datadir "$TMP/b" --addr 127.0.0.1:0 --nodiscover --control "$TMP/file.ipc"
	[[ $stderr == *"$TMP/file.ipc"* ]]
	[ "$(cat "$TMP/file.ipc")" = keep ]
	# none: no socket.
	p2p-serverd --datadir "$TMP/c" --addr 127.0.0.1:0 --nodiscover --control none \
	    >"$TMP/c.out" 2>"$TMP/c.err" 3>&- &
	PID_c=$!
	PIDS="$PIDS $PID_c"
	wait_for nonempty "$TMP/c.out"
	head -1 "$TMP/c.out" | jq -e '.control == null'
	[ -z "$(find "$TMP/c" -type s)" ]
	[ ! -e "$TMP/c/none" ]
	# A clean exit takes the socket away.
	kill -TERM "$PID_a"
	status_of 0 "$PID_a"
	[ ! -e "$S" ]
}

# ---- go-ethereum's shapes ----

@test "control: admin_nodeInfo and admin_peers have exactly geth's members" {
	start_sd a --nodiscover --caps foo/1 --nodekeyhex "$EIP778_KEY"
	start_sd b --nodiscover --caps foo/1,bar/2 --static "$(sd_enode a)"
	wait_for answers_has "$(sock a)" admin_peers 'length == 1'
	wait_for answers_has "$(sock b)" admin_peers 'length == 1'
	run -0 --separate-stderr call "$(sock a)" admin_nodeInfo
	[ "${#lines[@]}" = 1 ]
	jqo '(keys == ["id", "jsonrpc", "result"]) and
	    (.result | keys == ["enode", "enr", "id", "ip", "listenAddr", "name", "ports", "protocols"]) and
	    (.result.ports | keys == ["discovery", "listener"])'
	# The ID is the Keccak-256 of the public key: EIP-778's pair.
	jqo ".result.id == \"$EIP778_ID\" and .result.id == \"$(sd_id a)\" and
	    (.result.enode | startswith(\"enode://$EIP778_PUB@127.0.0.1:\")) and
	    .result.protocols == {\"foo\": \"unknown\"}"
	run -0 --separate-stderr call "$(sock a)" admin_peers
	jqo '(.result | length == 1) and (.result[0] | keys ==
	    ["caps", "enode", "id", "name", "network", "protocols"]) and
	    (.result[0].network | keys == ["inbound", "localAddress", "remoteAddress", "static", "trusted"])'
	jqo ".result[0] | .id == \"$(sd_id b)\" and (.id | test(\"^[0-9a-f]{64}\$\")) and
	    .caps == [\"bar/2\", \"foo/1\"] and .protocols == {\"foo\": \"unknown\"} and
	    .network.inbound and (.network.static | not) and (.network.trusted | not)"
	run -0 --separate-stderr call "$(sock b)" admin_peers
	jqo ".result[0] | .id == \"$EIP778_ID\" and .enode == \"$(sd_enode a)\" and
	    (.network.inbound | not) and .network.static"
}

@test "control: peerEvents notifications have geth's shape; data only when asked for" {
	start_sd a --nodiscover --caps foo/1
	client d 5 "$(sock a)"
	D=$BGPID
	printf '%s' '{"jsonrpc":"2.0","id":1,"method":"admin_subscribe","params":["peerEvents",{"data":true}]}' >&5
	client n 6 "$(sock a)"
	N=$BGPID
	printf '%s' '{"jsonrpc":"2.0","id":"s","method":"admin_subscribe","params":["peerEvents",{"data":false}]}' >&6
	wait_for out_has "$TMP/d.out" '.id == 1'
	wait_for out_has "$TMP/n.out" '.id == "s"'
	subd=$(head -1 "$TMP/d.out" | jq -r .result)
	subn=$(head -1 "$TMP/n.out" | jq -r .result)
	[[ $subd =~ ^0x[0-9a-f]{32}$ && $subn =~ ^0x[0-9a-f]{32}$ && $subd != "$subn" ]]
	bg sess 7 p2p-dial --session --caps foo/1 --linger 60s \
	    --nodekeyhex "$EIP778_KEY" "$(sd_enode a)"
	wait_for out_has "$TMP/sess.out" '.type == "dial" and .ok'
	echo '{"type":"send","cap":"foo/1","code":3,"data":"0x83616263"}' >&7
	wait_for out_has "$TMP/n.out" '.params.result.type? == "msgrecv"'
	wait_for out_has "$TMP/d.out" '.params.result.type? == "msgrecv"'
	echo '{"type":"disconnect","reason":8}' >&7
	exec 7>&-
	wait_for out_has "$TMP/d.out" '.params.result.type? == "drop"'
	wait_for out_has "$TMP/n.out" '.params.result.type? == "drop"'
	for f in d n; do
		sub=$subd
		[ $f = n ] && sub=$subn
		jq -se --arg sub "$sub" --arg id "$EIP778_ID" '.[1:] | length == 3 and
		    all(keys == ["jsonrpc", "method", "params"] and .jsonrpc == "2.0" and
		        .method == "admin_subscription" and
		        (.params | keys == ["result", "subscription"]) and
		        .params.subscription == $sub and .params.result.peer == $id) and
		    (map(.params.result.type) == ["add", "msgrecv", "drop"]) and
		    (.[0].params.result | (keys - ["local", "remote"]) == ["peer", "type"]) and
		    (.[2].params.result | (.error | type == "string") and
		        (keys - ["local", "remote"]) == ["error", "peer", "type"])' \
		    "$TMP/$f.out" || { cat "$TMP/$f.out"; false; }
	done
	jq -se '.[2].params.result | keys == ["data", "msg_code", "msg_size", "peer", "protocol", "type"] and
	    .protocol == "foo" and .msg_code == 3 and .msg_size == 4 and .data == "0x83616263"' "$TMP/d.out"
	jq -se '.[2].params.result | keys == ["msg_code", "msg_size", "peer", "protocol", "type"] and
	    .protocol == "foo" and .msg_code == 3 and .msg_size == 4' "$TMP/n.out"
	# Unsubscribed, it hears no more; the other still does.
	printf '%s' "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"admin_unsubscribe\",\"params\":[\"$subn\"]}" >&6
	wait_for out_has "$TMP/n.out" '.id == 2 and .result == true'
	p2p-dial --stage hello --caps foo/1 "$(sd_enode a)" >/dev/null
	wait_for count_is 2 "$TMP/d.out" '.params.result.type? == "drop"'
	exec 5>&- 6>&-
	status_of 0 "$D"
	status_of 0 "$N"
	count_is 1 "$TMP/n.out" '.params.result.type? == "drop"'
}
