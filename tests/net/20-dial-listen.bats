#!/usr/bin/env bats
# p2p-dial against p2p-listen on loopback: every stage, both auth formats,
# snappy on and off, the largest message, bad and stalling peers, identity
# checks, every disconnect reason both ways, and many handshakes in a row.
load helpers

@test "every stage: dial stops where asked, both sides report the phases" {
	start_listen --count 4 --caps foo/1
	for s in tcp auth hello ping; do
		run -0 p2p-dial --stage "$s" --caps foo/1 "$ENODE"
		jqo ".type == \"dial\" and .ok and .phase == \"$s\" and .error == null"
		# Before the handshake there is no channel for a Disconnect.
		if [ "$s" = tcp ]; then
			jqo '.disconnect == null and .remote == null'
		else
			jqo '.disconnect.by == "local" and .disconnect.code == 0'
		fi
	done
	wait_listen
	[ "$(listen_records accept | wc -l)" = 4 ]
	[ "$(listen_records auth | wc -l)" = 3 ]
	[ "$(listen_records hello | wc -l)" = 2 ]
	[ "$(listen_records disconnect | wc -l)" = 4 ]
	listen_records disconnect | jq -se '[.[].phase] == ["tcp", "auth", "hello", "hello"]'
}

@test "the dial record has every field, with the listener's Hello" {
	start_listen --count 1 --caps foo/1,bar/2 --name "test listener"
	run -0 p2p-dial --caps bar/1,foo/1 "$ENODE"
	jqo '.ok and .phase == "ping" and .enode == "'"$ENODE"'"
	    and (.ms | (.tcp >= 0 and .auth > 0 and .hello >= 0 and .ping > 0))
	    and .remote.name == "test listener" and .remote.version == 5
	    and .remote.caps == ["bar/2", "foo/1"] and .remote.shared == ["foo/1"]
	    and .remote.listen_port == '"$LPORT"' and .remote.eip8 and .remote.snappy
	    and (.remote.id | test("^[0-9a-f]{128}$"))
	    and ("enode://" + .remote.id + "@127.0.0.1:'"$LPORT"'") == .enode'
	wait_listen
	listen_records hello | jq -se '.[0].remote.caps == ["bar/1", "foo/1"]
	    and .[0].remote.name == "p2pcore/v0.1.0"'
}

# As go-ethereum does, the recipient answers in the format it was spoken to.
@test "a pre-EIP-8 auth is answered with a pre-EIP-8 ack, the listener says so" {
	start_listen --count 2
	run -0 p2p-dial --legacy-auth "$ENODE"
	jqo '.ok and .phase == "ping" and (.remote.eip8 | not)'
	run -0 p2p-dial "$ENODE"
	wait_listen
	listen_records auth | jq -se '[.[].eip8] == [false, true]'
}

@test "snappy is on only when both Hellos say version 5" {
	start_listen --count 3
	run -0 p2p-dial "$ENODE"
	jqo '.remote.snappy and .remote.version == 5'
	run -0 p2p-dial --no-snappy "$ENODE"
	jqo '(.remote.snappy | not) and .remote.version == 5'
	kill "$LPID"; wait "$LPID" || true
	start_listen --count 1 --no-snappy
	run -0 p2p-dial "$ENODE"
	jqo '(.remote.snappy | not) and .remote.version == 4'
}

# input_read PID SIZE: process PID has read SIZE bytes of its stdin (a
# regular file: its offset).
input_read() {
	[ "$(awk '$1 == "pos:" { print $2 }' "/proc/$1/fdinfo/0" 2>/dev/null)" = "$2" ]
}

# A message of 2^24-1 bytes of frame content (code byte + payload) goes
# through; one byte more is refused on the sending side and the session
# goes on.
@test "the largest message passes, one byte more is refused" {
	# 16 MiB through two ASan builds on a loaded machine can take longer
	# than go-ethereum's 30 s a frame.
	export P2P_MSG_TIMEOUT=120s
	local n=$(((1 << 24) - 2))
	# The listener's input stays open: it never ends the session itself
	# (from a closed input it would, --linger after the Hellos, however
	# far the 16 MiB had got); the dialer's Disconnect ends it.
	mkfifo "$TMP/lin"
	exec 6<>"$TMP/lin"
	start_listen --session --no-snappy --caps foo/1 <"$TMP/lin"
	{
		printf '{"type":"send","code":16,"data":"0x'
		printf '%0*d' $((2 * n)) 0
		printf '"}\n{"type":"send","code":16,"data":"0x'
		printf '%0*d' $((2 * n + 2)) 0
		printf '"}\n{"type":"send","code":17,"data":"0xc0"}\n'
	} >"$TMP/sends"
	# --linger 0s: the session ends as soon as its input's messages have
	# left.  The listener stops reading after the Hellos, until 2 s after
	# the dialer has read all its input: 16 MiB are still queued when the
	# input ends, and a Disconnect sent then (it waits at most 1 s for
	# the output to move) would cut the message off.
	p2p-dial --session --linger 0s --caps foo/1 "$ENODE" <"$TMP/sends" \
	    >"$TMP/dial.out" 2>"$TMP/dial.err" 3>&- &
	local dpid=$!
	PIDS="$PIDS $dpid"
	wait_for has_record dial '.type == "dial"'
	kill -STOP "$LPID"
	wait_for input_read "$dpid" "$(stat -c %s "$TMP/sends")"
	# The stall itself, not a wait for a condition: the outcome must
	# not depend on its length.
	sleep 2
	kill -CONT "$LPID"
	status_of 0 "$dpid"
	head -1 "$TMP/dial.out" | jq -e '.type == "dial" and .ok'
	# Slow builds may see a Pong (a msg record) too; the error is the only one.
	jq -se '[.[] | select(.type == "error") | .error] == ["ETOOBIG"]' "$TMP/dial.out"
	wait_listen
	listen_sizes msg | jq -se --argjson n "$n" '[.[] | select(.cap != "p2p") | [.code, .size]] == [[0, $n], [1, 1]]'
}

@test "with snappy the limit is on the uncompressed payload" {
	# 16 MiB through two ASan builds on a loaded machine can take longer
	# than go-ethereum's 30 s a frame.
	export P2P_MSG_TIMEOUT=120s
	local n=$(((1 << 24) - 1))
	# The listener's input stays open: it never ends the session itself
	# (from a closed input it would, --linger after the Hellos, however
	# far the 16 MiB had got); the dialer's Disconnect ends it.
	mkfifo "$TMP/lin"
	exec 6<>"$TMP/lin"
	start_listen --session --caps foo/1 <"$TMP/lin"
	{
		printf '{"type":"send","code":16,"data":"0x'
		printf '%0*d' $((2 * n)) 0
		printf '"}\n'
	} >"$TMP/sends"
	run -0 --separate-stderr p2p-dial --session --caps foo/1 "$ENODE" <"$TMP/sends"
	wait_listen
	listen_sizes msg | jq -se --argjson n "$n" '[.[] | select(.cap != "p2p") | .size] == [$n]'
}

@test "garbage and oversized handshakes are refused, the listener goes on" {
	start_listen --count 4
	# Each connection's end is waited for, so the records come in order.
	# An EIP-8 size prefix of 65535: over 2 KiB, refused unread.
	printf '\377\377' >/dev/tcp/127.0.0.1/"$LPORT"
	wait_for lines_ge 1 listen_records disconnect
	# 400 bytes of noise behind a 256-byte prefix: decryption fails.
	{ printf '\001\000'; head -c 398 /dev/urandom; } >/dev/tcp/127.0.0.1/"$LPORT"
	wait_for lines_ge 2 listen_records disconnect
	# 307 bytes, neither a legacy auth nor a whole EIP-8 one (prefix 1024).
	{ printf '\004'; head -c 306 /dev/zero; } >/dev/tcp/127.0.0.1/"$LPORT"
	wait_for lines_ge 3 listen_records disconnect
	run -0 p2p-dial "$ENODE"
	jqo '.ok'
	wait_listen
	listen_records disconnect | jq -se '[.[0:3][] | .error] as $e | $e[0] == "ETOOBIG"
	    and ($e[1] | IN("EPUBKEY", "EMAC", "EHANDSHAKE")) and $e[2] == "ECLOSED"'
	listen_records disconnect | jq -se '[.[0:3][] | .phase] == ["tcp", "tcp", "tcp"]'
	[ "$(listen_records hello | wc -l)" = 1 ]
}

@test "a peer stalling mid-handshake is cut off at the deadline, nothing leaks" {
	start_listen --handshake-timeout 1s
	base=$(fd_count "$LPID")
	exec 4<>/dev/tcp/127.0.0.1/"$LPORT"
	printf '\001\002\003' >&4
	wait_for lines_ge 1 listen_records accept
	[ "$(fd_count "$LPID")" -gt "$base" ]
	# The peer still holds its end open: only the deadline ends it.
	wait_for lines_ge 1 listen_records disconnect
	listen_records disconnect | jq -se '.[0].error == "ETIMEOUT" and .[0].phase == "tcp"'
	wait_for fds_are "$base" "$LPID"
	exec 4<&-
}

@test "the dialer gives up on a peer that accepts but never answers" {
	# A --session listener takes one peer; the next connection waits in
	# the kernel's backlog: TCP is up but nobody answers.
	start_listen --session --linger 60s </dev/null
	p2p-dial --session --linger 60s "$ENODE" </dev/null >/dev/null 3>&- &
	local busy=$!
	wait_for lines_ge 1 listen_records hello
	run -1 p2p-dial --handshake-timeout 500ms "$ENODE"
	kill "$busy"
	jqo '(.ok | not) and .phase == "tcp" and .error == "ETIMEOUT"'
	jqo '.ms.tcp != null and .ms.auth == null'
}

@test "a Hello whose ID is not the handshake key: DiscUnexpectedIdentity" {
	start_listen --count 1
	run -1 p2p-dial --hello-id "$EIP778_PUB" "$ENODE"
	jqo '(.ok | not) and .phase == "hello" and .error == "EDISCONNECTED"
	    and .disconnect == {"code": 9, "reason": "unexpected identity", "by": "remote"}'
	wait_listen
	listen_records disconnect | jq -se '.[0].error == "EIDENTITY" and .[0].code == 9 and .[0].by == "local"'
}

@test "every disconnect reason, sent by the listener" {
	# One listener per reason, all dialed by one p2p-dial at once.
	local r pids=()
	for r in 0 1 2 3 4 5 6 7 8 9 10 11 16; do
		p2p-listen --addr 127.0.0.1:0 --count 1 --stage hello \
		    --reason "$r" </dev/null >"$TMP/l$r.out" 2>"$TMP/l$r.err" 3>&- &
		pids+=($!)
		PIDS="$PIDS $!"
	done
	for r in 0 1 2 3 4 5 6 7 8 9 10 11 16; do
		wait_for nonempty "$TMP/l$r.out"
		head -1 "$TMP/l$r.out" | jq -c --argjson r "$r" '{enode, r: $r}'
	done >"$TMP/reasons"
	jq -r .enode "$TMP/reasons" >"$TMP/targets"
	run -1 --separate-stderr p2p-dial --stage ping --stdin --concurrency 13 <"$TMP/targets"
	printf '%s\n' "${lines[@]}" | jq -se --slurpfile want "$TMP/reasons" '
	    ($want | map({(.enode): .r}) | add) as $r |
	    length == 13 and all(.[]; .error == "EDISCONNECTED" and
	        .disconnect.code == $r[.enode] and .disconnect.by == "remote" and
	        (.detail | startswith("peer sent Disconnect: ")))'
	for p in "${pids[@]}"; do status_of 0 "$p"; done
}

@test "every disconnect reason, sent by the dialer" {
	start_listen --count 13
	for r in 0 1 2 3 4 5 6 7 8 9 10 11 16; do
		run -0 p2p-dial --stage hello --reason "$r" "$ENODE"
		jqo '.disconnect.code == '"$r"' and .disconnect.by == "local"'
	done
	wait_listen
	listen_records disconnect | jq -se '[.[] | select(.by == "remote") | .code] == [0,1,2,3,4,5,6,7,8,9,10,11,16]'
	listen_records disconnect | jq -se 'map(.reason) | index("too many peers") != null'
}

@test "targets from stdin, a bad line among them, several at once" {
	start_listen --count 6
	{
		for _ in 1 2 3; do echo "$ENODE"; done
		echo "# a comment"
		echo "enode://nonsense"
		echo
		for _ in 1 2 3; do echo "$ENODE"; done
	} >"$TMP/targets"
	run -1 p2p-dial --concurrency 3 --stdin <"$TMP/targets"
	[ "$(json_lines)" = 7 ]
	[ "$(jq -s '[.[] | select(.ok)] | length' <<<"$output")" = 6 ]
	jq -se '[.[] | select(.ok | not)] == [.[] | select(.enode == "enode://nonsense" and .phase == null and .error == "EIDLEN")]' <<<"$output"
	wait_listen
}

@test "a refused connection is ECONNREFUSED" {
	start_listen --count 1
	kill "$LPID"; wait "$LPID" || true
	run -1 p2p-dial "$ENODE"
	jqo '(.ok | not) and .phase == null and .error == "ECONNREFUSED" and .remote == null'
}

@test "1000 handshakes in a row: no fd or memory growth in the listener" {
	start_listen
	yes "$ENODE" | head -100 | p2p-dial --stage hello --stdin >/dev/null
	wait_for lines_ge 100 listen_records disconnect
	fds=$(fd_count "$LPID")
	rss=$(rss_kb "$LPID")
	run -0 --separate-stderr bash -c "yes '$ENODE' | head -1000 | p2p-dial --stage hello --stdin | jq -s '[.[] | select(.ok)] | length'"
	[ "$output" = 1000 ]
	wait_for lines_ge 1100 listen_records disconnect
	[ "$(listen_records disconnect | wc -l)" = 1100 ]
	echo "fds $fds -> $(fd_count "$LPID"), rss ${rss} kB -> $(rss_kb "$LPID") kB"
	[ "$(fd_count "$LPID")" = "$fds" ]
	# ASan's quarantine holds freed memory on purpose: check RSS only
	# on the plain build (LeakSanitizer checks the sanitized one at exit).
	if [[ "${P2P_MAKEFLAGS:-}" != *SAN=1* ]]; then
		[ "$(rss_kb "$LPID")" -lt $((rss + 2048)) ]
	fi
	kill -TERM "$LPID"
	wait "$LPID"
}

@test "--require-caps: a peer sharing no capability is told 0x03, useless peer" {
	start_listen --count 2 --caps bar/1 --require-caps
	run -1 p2p-dial --caps foo/1 "$ENODE"
	jqo '.phase == "hello" and .error == "EDISCONNECTED" and .remote.shared == []
	    and .disconnect == {"code": 3, "reason": "useless peer", "by": "remote"}'
	run -0 p2p-dial --caps bar/1,foo/1 "$ENODE"
	jqo '.ok and .remote.shared == ["bar/1"]'
	wait_listen
	listen_records disconnect | jq -se '[.[] | [.code, .by]] == [[3, "local"], [0, "remote"]]'
}

@test "records from other tools feed straight in: the enode member is dialled" {
	start_listen --count 1
	{
		head -1 "$TMP/listen.out"
		echo '{"type":"crawl","nodes":1}'
		echo '{not json'
	} >"$TMP/records"
	run -1 p2p-dial --stdin <"$TMP/records"
	[ "$(json_lines)" = 2 ]
	jqo '.type == "dial" and .ok and .enode == "'"$ENODE"'"' "${lines[0]}"
	jqo '.type == "dial" and (.ok | not) and .error == "EFIELD" and .enode == "{not json"' "${lines[1]}"
	wait_listen
}

@test "P2P_MSG_TIMEOUT: a peer quiet that long is cut with Disconnect read timeout" {
	P2P_MSG_TIMEOUT=1s start_listen --session --linger 60s </dev/null
	# The dialer's input stays open and says nothing; its own Ping
	# would come after 15 s.
	mkfifo "$TMP/in"
	exec 5<>"$TMP/in"
	run --separate-stderr timeout 60 p2p-dial --session "$ENODE" <"$TMP/in"
	exec 5>&-
	jqo '.type == "dial" and .ok' "${lines[0]}"
	jqo '.type == "disconnect" and .by == "remote" and .code == 11' "${lines[-1]}"
	wait_listen || true
	listen_records disconnect | jq -se 'length == 1 and .[0].error == "ETIMEOUT"'
}
