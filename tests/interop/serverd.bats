#!/usr/bin/env bats
# p2p-serverd with an independent implementation, @ethereumjs/devp2p: its
# RLPx peer (peer.js) dials the daemon and is dialed by it; its DPT
# (dpt.js) finds the daemon through discovery, and the daemon finds an
# ethereumjs node (DPT and RLPx on one key) and connects to it.  The
# capability is the made-up foo/1 (ethereumjs's eth needs a chain).
# Loopback only (tests/check.sh runs this in a private network namespace
# when root).
load helpers

PEER_JS=$BATS_TEST_DIRNAME/peer.js
DPT_JS=$BATS_TEST_DIRNAME/dpt.js

# start_sd ARGS...: the daemon on 127.0.0.1:0, records in $TMP/sd.out.
start_sd() {
	p2p-serverd --datadir "$TMP/sd" --addr 127.0.0.1:0 --caps foo/1 "$@" \
	    >"$TMP/sd.out" 2>"$TMP/sd.err" 3>&- &
	SDPID=$!
	PIDS="$PIDS $SDPID"
	wait_for nonempty "$TMP/sd.out" || { cat "$TMP/sd.err" >&2; return 1; }
	SD_ENODE=$(head -1 "$TMP/sd.out" | jq -r .enode)
}

# js NAME ARGS...: a node.js driver in the background, output in
# $TMP/NAME.out; sets JSPID.
js() {
	local name=$1
	shift
	node "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" 3>&- &
	JSPID=$!
	PIDS="$PIDS $JSPID"
}

has() { jq -se "any(.[]; $2)" "$TMP/$1.out" >/dev/null 2>&1; }

@test "ethereumjs dials p2p-serverd: both add the peer; SIGTERM gives it client quitting" {
	start_sd --nodiscover
	js peer "$PEER_JS" dial "$JS_KEY" "$SD_ENODE" --timeout 300000
	wait_for has peer '.type == "added"'
	wait_for has sd '.type == "peer" and .event == "add"'
	jq -se '[.[] | select(.type == "added")][0].hello |
	    (.name | startswith("p2pcore/")) and .caps == ["foo/1"] and .version == 5' "$TMP/peer.out"
	jq -se --arg pub "$JS_PUB" '[.[] | select(.type == "peer")][0] |
	    .inbound and (.enode | .[8:136]) == $pub and .caps == ["foo/1"] and
	    (.name | startswith("ethereumjs"))' "$TMP/sd.out"
	kill -TERM "$SDPID"
	wait_for has peer '.type == "removed"'
	jq -se '[.[] | select(.type == "removed")][0] | .reason == 8 and (.by_us | not)' "$TMP/peer.out"
}

@test "p2p-serverd dials ethereumjs as a static node" {
	js peer "$PEER_JS" listen "$JS_KEY" --timeout 300000
	wait_for has peer '.type == "listening"'
	port=$(head -1 "$TMP/peer.out" | jq .port)
	start_sd --nodiscover --static "enode://$JS_PUB@127.0.0.1:$port"
	wait_for has sd '.type == "peer" and .event == "add" and .static and (.inbound | not)'
	wait_for has peer '.type == "added"'
}

# The daemon's table learnt the DPT (its ping); the DPT added the daemon.
@test "ethereumjs's DPT finds p2p-serverd, and p2p-serverd finds and connects to that ethereumjs node" {
	start_sd
	# One ethereumjs node: RLPx (peer.js) and discovery (dpt.js) on one
	# key, the DPT announcing the RLPx port, bootstrapping from us.
	js peer "$PEER_JS" listen "$JS_KEY" --timeout 300000
	wait_for has peer '.type == "listening"'
	port=$(head -1 "$TMP/peer.out" | jq .port)
	js dpt "$DPT_JS" "$JS_KEY" --tcp "$port" --bootnodes "$SD_ENODE" --timeout 300000
	sd_pub=$(cut -c9-136 <<<"$SD_ENODE")
	wait_for has dpt ".type == \"peer:added\" and .id == \"$sd_pub\""
	# Found through discovery only (no static, no bootnode of ours):
	# a dynamic dial.
	wait_for has sd ".type == \"peer\" and .event == \"add\" and .id == \"$JS_ID\" and (.static | not) and (.inbound | not)"
	wait_for has peer '.type == "added"'
}
