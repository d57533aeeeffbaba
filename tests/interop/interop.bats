#!/usr/bin/env bats
# RLPx interop with an independent implementation, @ethereumjs/devp2p
# (pinned in package.json and package-lock.json; driver: peer.js).  Both
# directions: ethereumjs listens and p2p-dial dials it, ethereumjs dials
# p2p-listen.  Each side reports the other's Hello; messages of a made-up
# capability foo/1 go both ways, snappy-compressed unless a side says
# version 4.  Loopback only (tests/check.sh runs this in a private network
# namespace when root).
load ../net/helpers

PEER_JS=$BATS_TEST_DIRNAME/peer.js
OUR_KEY=b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291
JS_KEY=49a7b37aa6f6645917e7b807e9d1c00d4fa71f18343b0d4122a4d2df64dd6fee

setup() {
	TMP=$(mktemp -d "${BATS_TMPDIR:-/tmp}/p2p-interop.XXXXXX")
	[ -d "$BATS_TEST_DIRNAME/node_modules/@ethereumjs/devp2p" ] ||
		{ echo "run 'npm ci' in tests/interop first (make check does)" >&2; false; }
	JS_ID=$(p2p-keygen --nodekeyhex "$JS_KEY" | jq -r .pubkey)
}

teardown() {
	[ -n "${JSPID:-}" ] && kill "$JSPID" 2>/dev/null
	[ -n "${JSPID:-}" ] && wait "$JSPID" 2>/dev/null
	[ -n "${LPID:-}" ] && kill "$LPID" 2>/dev/null
	[ -n "${LPID:-}" ] && wait "$LPID" 2>/dev/null
	rm -rf "$TMP"
}

# js_listen ARGS...: ethereumjs listening on 127.0.0.1; sets JSPID, JS_ENODE.
js_listen() {
	# --timeout: peer.js's own hang guard, as generous as ours.
	node "$PEER_JS" listen "$JS_KEY" --timeout 300000 "$@" >"$TMP/js.out" 2>"$TMP/js.err" 3>&- &
	JSPID=$!
	wait_for nonempty "$TMP/js.out" || { cat "$TMP/js.err" >&2; false; }
	local port
	port=$(head -1 "$TMP/js.out" | jq -r 'select(.type == "listening") | .port')
	[ -n "$port" ] || { cat "$TMP/js.err" >&2; false; }
	JS_ENODE="enode://$JS_ID@127.0.0.1:$port"
}

# js_dial ARGS...: ethereumjs dialing $ENODE (p2p-listen); sets JSPID.
js_dial() {
	node "$PEER_JS" dial "$JS_KEY" "$ENODE" --timeout 300000 "$@" >"$TMP/js.out" 2>"$TMP/js.err" 3>&- &
	JSPID=$!
}

# js_wait: waits for the ethereumjs peer to exit by itself; fails if it
# failed.
js_wait() {
	if wait_for exited "$JSPID" && wait "$JSPID"; then
		return 0
	fi
	echo "ethereumjs peer failed or did not exit:" >&2
	cat "$TMP/js.out" "$TMP/js.err" >&2
	return 1
}

# js_records TYPE: the ethereumjs peer's records of that type.
js_records() {
	jq -c "select(.type == \"$1\")" "$TMP/js.out"
}

our_pub() { p2p-keygen --nodekeyhex "$OUR_KEY" | jq -r .pubkey; }

@test "p2p-dial -> ethereumjs: handshake, Hello fields as each side sees them, Ping/Pong" {
	js_listen --caps foo/1,bar/3
	run -0 p2p-dial --nodekeyhex "$OUR_KEY" --caps foo/1,baz/2 --name interop-test "$JS_ENODE"
	jqo '.ok and .phase == "ping" and .error == null and .ms.ping > 0
	    and .remote.id == "'"$JS_ID"'" and .remote.version == 5
	    and (.remote.name | startswith("ethereumjs-devp2p/"))
	    and (.remote.caps | sort) == ["bar/3", "foo/1"] and .remote.shared == ["foo/1"]
	    and .remote.eip8 and .remote.snappy and .remote.listen_port == '"${JS_ENODE##*:}"'
	    and .disconnect == {"code": 0, "reason": "disconnect requested", "by": "local"}'
	js_wait
	js_records added | jq -se '.[0].hello == {"version": 5, "name": "interop-test",
	    "caps": ["baz/2", "foo/1"], "port": 0, "id": "'"$(our_pub)"'"}
	    and .[0].protocols == ["foo/1"]'
	js_records removed | jq -se '.[0] == {"type": "removed", "reason": 0, "by_us": false}'
}

@test "p2p-dial -> ethereumjs: messages both ways with snappy, small and large" {
	js_listen --greet
	# 100,000 bytes that compress well, as an RLP string.
	printf '0xb90186a0%s' "$(yes 0123456789abcdef | tr -d '\n' | head -c 200000)" >"$TMP/big"
	{
		echo '{"type":"send","cap":"foo/1","code":0,"data":"0xc483616263"}'
		printf '{"type":"send","cap":"foo/1","code":0,"data":"%s"}\n' "$(cat "$TMP/big")"
		echo '{"type":"send","cap":"foo/1","code":5,"data":"0x80"}'
	} >"$TMP/cmds"
	run -0 --separate-stderr p2p-dial --session --linger 2s --caps foo/1 "$JS_ENODE" <"$TMP/cmds"
	jqo '.type == "dial" and .ok and .remote.snappy' "${lines[0]}"
	# From ethereumjs: its greeting (code 2) and the two echoes (code 1).
	msgs=$(printf '%s\n' "${lines[@]}" | jq -c 'select(.type == "msg")')
	jq -se '[.[] | [.cap, .code]] == [["foo/1", 2], ["foo/1", 1], ["foo/1", 1]]' <<<"$msgs"
	jq -se --rawfile big "$TMP/big" '.[0].data == "0xcb8a657468657265756d6a73"
	    and .[1].data == "0xc483616263" and .[2].data == $big and .[2].size == 100004' <<<"$msgs"
	js_wait
	js_records msg | jq -se --rawfile big "$TMP/big" '[.[] | .code] == [0, 0, 5]
	    and .[0].data == "0xc483616263" and .[1].data == $big and .[2].data == "0x80"'
}

@test "p2p-dial -> ethereumjs without snappy: version 4 Hello, messages still pass" {
	js_listen
	echo '{"type":"send","cap":"foo/1","code":0,"data":"0xc3820102"}' >"$TMP/cmds"
	run -0 --separate-stderr p2p-dial --session --no-snappy --linger 1s --caps foo/1 "$JS_ENODE" <"$TMP/cmds"
	jqo '.ok and (.remote.snappy | not)' "${lines[0]}"
	printf '%s\n' "${lines[@]}" | jq -se '[.[] | select(.type == "msg") | .data] == ["0xc3820102"]'
	js_wait
	js_records added | jq -se '.[0].hello.version == 4'
	js_records msg | jq -se '[.[] | .data] == ["0xc3820102"]'
}

@test "ethereumjs -> p2p-listen: handshake, Hellos, messages both ways, our Disconnect" {
	# The session's commands go in through a FIFO, each once the step
	# before it has shown in the records (never after a fixed time).
	mkfifo "$TMP/cmds"
	exec 7<>"$TMP/cmds"
	start_listen --session --linger 60s --nodekeyhex "$OUR_KEY" --caps foo/1 \
	    --name interop-listener <&7
	js_dial --greet
	wait_for lines_ge 1 listen_records hello
	echo '{"type":"send","cap":"foo/1","code":0,"data":"0xc58364656667"}' >&7
	# Its greeting and its echo of ours.
	wait_for lines_ge 2 listen_records msg
	echo '{"type":"disconnect","reason":4}' >&7
	js_wait
	wait_listen
	exec 7>&-
	listen_records auth | jq -se '.[0].eip8 and .[0].id == "'"$JS_ID"'"'
	listen_records hello | jq -se '.[0].remote | .id == "'"$JS_ID"'" and .version == 5
	    and (.name | startswith("ethereumjs-devp2p/")) and .caps == ["foo/1"]
	    and .shared == ["foo/1"] and .snappy and .eip8 and .listen_port == 0'
	# ethereumjs greets (code 2), then echoes our code 0 as code 1.
	listen_records msg | jq -se '[.[] | [.cap, .code, .data]] == [["foo/1", 2, "0xcb8a657468657265756d6a73"],
	    ["foo/1", 1, "0xc58364656667"]]'
	listen_records disconnect | jq -se '.[0] | .error == null and .code == 4 and .by == "local"'
	js_records added | jq -se '.[0].hello | .name == "interop-listener" and .version == 5
	    and .caps == ["foo/1"] and .id == "'"$(our_pub)"'" and .port == '"$LPORT"
	js_records msg | jq -se '[.[] | [.code, .data]] == [[0, "0xc58364656667"]]'
	js_records removed | jq -se '.[0] == {"type": "removed", "reason": 4, "by_us": false}'
}

# ethereumjs sends Disconnect as a bare, uncompressed RLP integer even after
# version 5 Hellos; we decode it leniently.
@test "an ethereumjs Disconnect (bare and uncompressed) is decoded by both tools" {
	js_listen --disconnect 8
	echo '{"type":"send","cap":"foo/1","code":0,"data":"0xc0"}' >"$TMP/cmds"
	run -0 --separate-stderr p2p-dial --session --linger 5s --caps foo/1 "$JS_ENODE" <"$TMP/cmds"
	printf '%s\n' "${lines[@]}" | jq -se '.[-1] == {"type": "disconnect", "error": null,
	    "code": 8, "reason": "client quitting", "by": "remote"}'
	js_wait
	mkfifo "$TMP/cmds2"
	exec 7<>"$TMP/cmds2"
	start_listen --count 1 --caps foo/1 --session --linger 60s <&7
	js_dial --disconnect 5
	wait_for lines_ge 1 listen_records hello
	echo '{"type":"send","cap":"foo/1","code":0,"data":"0xc0"}' >&7
	js_wait
	wait_listen
	exec 7>&-
	listen_records disconnect | jq -se '.[0] | .error == null and .code == 5 and .by == "remote"
	    and .reason == "already connected"'
}

@test "no shared capability: ethereumjs sends 0x03, p2p-listen --require-caps does too" {
	# ethereumjs never reports a peer it did not add: its exit is a timeout.
	js_listen --caps foo/1 --timeout 3000
	run -1 p2p-dial --caps bar/1 "$JS_ENODE"
	jqo '(.ok | not) and .error == "EDISCONNECTED" and .disconnect.code == 3
	    and .disconnect.by == "remote" and .disconnect.reason == "useless peer"'
	js_wait || true
	# Both sides find nothing shared; whichever speaks first, it is 0x03.
	start_listen --count 1 --caps bar/1 --require-caps
	js_dial --caps foo/1 --timeout 3000
	wait_listen
	listen_records disconnect | jq -se '.[0] | .code == 3 and .error == null'
}
