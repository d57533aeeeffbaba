#!/usr/bin/env bats
# Discovery v4 interop with an independent implementation, the DPT of
# @ethereumjs/devp2p (pinned in package.json and package-lock.json; driver:
# dpt.js).  Both ways: ethereumjs bootstraps from p2p-discover serve, the
# one-shot subcommands query a DPT, and a mixed network of both is crawled.
# What ethereumjs does not do (EIP-868, excluding itself from Neighbours,
# 1,280-byte Neighbours) is described in shared/notes/ethereumjs-devp2p.md.
# Loopback only (tests/check.sh runs this in a private network namespace
# when root); ethereumjs's DNS discovery stays off.
load helpers

DPT_JS=$BATS_TEST_DIRNAME/dpt.js

# start_dpt NAME KEY ARGS...: an ethereumjs DPT (dpt.js) in the background,
# output in $TMP/NAME.out; returns once it listens.
start_dpt() {
	local name=$1 key=$2
	shift 2
	# --timeout: dpt.js's own hang guard, as generous as ours.
	node "$DPT_JS" "$key" --timeout 300000 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" 3>&- &
	PIDS="$PIDS $!"
	wait_for dpt_listening "$name" || { cat "$TMP/$name.err" >&2; return 1; }
}

# dpt_listening NAME: the DPT has printed its listening record.
dpt_listening() {
	# (jq 1.6 -e says yes to empty input: -s gives it an array)
	head -1 "$TMP/$1.out" | jq -se '.[0].type == "listening"' >/dev/null 2>&1
}

pub_of() { enode_of "$1" | cut -c9-136; }
# dpt_enode NAME: the DPT's enode URL, from what dpt.js printed.
dpt_enode() {
	head -1 "$TMP/$1.out" | jq -r '"enode://\(.id)@127.0.0.1:\(.tcp)"
	    + (if .udp == .tcp then "" else "?discport=\(.udp)" end)'
}

# table_size NAME: a serve node's table size after its last event.
table_size() {
	jq -s '[.[] | select(.type == "added" or .type == "removed")] | last | .table // 0' "$TMP/$1.out"
}
# dpt_has NAME PUBKEY: the DPT reported PUBKEY as added.
dpt_has() {
	jq -se --arg id "$2" 'any(.[]; .type == "peer:added" and .id == $id)' "$TMP/$1.out" >/dev/null
}

# wait_until SECS CMD...: wait_for CMD (SECS is ignored: only the hang
# guard limits a wait); on failure prints every node's output.
wait_until() {
	shift	# the old per-call limit: wait_for's hang guard replaces it
	wait_for "$@" && return 0
	for f in "$TMP"/*.out; do echo "== $f" >&2; cat "$f" >&2; done
	return 1
}

dpt_knows_boot() { dpt_has js "$EIP778_PUB"; }
serve_knows_js() {
	jq -se --arg pub "$JS_PUB" 'any(.[]; .type == "added" and .pubkey == $pub)' "$TMP/boot.out" >/dev/null
}

@test "ethereumjs discovers us: a DPT bootstraps from p2p-discover serve; each side adds the other" {
	# ethereumjs keys nodes by ip:tcp: each serve node announces its own.
	start_serve boot --nodekeyhex "$EIP778_KEY" --tcp 30301
	B=$(enode_of boot)
	BPORT=$(head -1 "$TMP/boot.out" | jq .udp)
	# A TCP port unlike its UDP one: we must take it from its Ping.
	start_dpt js "$JS_KEY" --tcp 30303 --bootnodes "$B"
	JS_UDP=$(head -1 "$TMP/js.out" | jq .udp)
	head -1 "$TMP/js.out" | jq -e '.id == "'"$JS_PUB"'" and .tcp == 30303'
	wait_until 10 dpt_knows_boot
	wait_until 10 serve_knows_js
	jq -se '[.[] | select(.type == "peer:added")][0] == {"type": "peer:added", "id": "'"$EIP778_PUB"'",
	    "address": "127.0.0.1", "udp": '"$BPORT"', "tcp": 30301}' "$TMP/js.out"
	# Our record of it: the ID is keccak256 of the public key in the enode.
	jq -se --arg pub "$JS_PUB" '[.[] | select(.type == "added")][0]
	    | .id == "'"$JS_ID"'" and .pubkey == $pub and (.enode | .[8:136]) == $pub
	    and .enode == "enode://\($pub)@127.0.0.1:30303?discport='"$JS_UDP"'"
	    and .ip == "127.0.0.1" and .tcp == 30303 and .udp == '"$JS_UDP"' and .complete' "$TMP/boot.out"
}

dpt_knows_n1() { dpt_has js "$(pub_of n1)"; }

@test "we discover ethereumjs: ping and findnode get answers, requestenr times out (no EIP-868)" {
	start_dpt js "$JS_KEY"
	E=$(dpt_enode js)
	[ "$E" = "enode://$JS_PUB@127.0.0.1:$(head -1 "$TMP/js.out" | jq .udp)" ]
	run -0 p2p-discover ping "$E"
	jqo '.type == "pong" and .enode == "'"$E"'" and .ok and .error == null and .rtt_ms > 0
	    and .enr_seq == null'
	# A node in its table, so that its Neighbours are not empty.
	start_serve n1 --bootnodes "$E" --tcp 31001
	wait_until 10 dpt_knows_n1
	run -0 p2p-discover findnode "$E"
	jqo '.type == "neighbors" and .enode == "'"$E"'" and .ok and .error == null and .count >= 1
	    and .count == (.nodes | length) and any(.nodes[]; .enode == "'"$(enode_of n1)"'")'
	# ethereumjs has no ENRRequest (EIP-868): its decoder rejects packet
	# type 5 and nothing comes back.  Documented, not a failure of ours.
	run -1 p2p-discover requestenr "$E"
	jqo '.type == "enr" and .enode == "'"$E"'" and (.ok | not) and .error == "ETIMEOUT"'
	grep -qF '{"type":"error","error":"Invalid type: 5"}' "$TMP/js.out"
}

# mixed_settled: the boot node holds the six others; each of our serve nodes
# holds all six others, the DPTs included; each DPT added the boot node and
# at least one of our nodes it learned of through discovery.
mixed_settled() {
	local i j
	[ "$(table_size boot)" -ge 6 ] || return 1
	for i in 1 2 3; do
		[ "$(table_size "n$i")" -ge 6 ] || return 1
		for j in 1 2 3; do
			jq -se --arg pub "$(head -1 "$TMP/js$j.out" | jq -r .id)" \
			    'any(.[]; .type == "added" and .pubkey == $pub)' "$TMP/n$i.out" >/dev/null || return 1
		done
		dpt_has "js$i" "$(pub_of boot)" || return 1
		dpt_has "js$i" "$(pub_of n1)" || dpt_has "js$i" "$(pub_of n2)" ||
		    dpt_has "js$i" "$(pub_of n3)" || return 1
	done
}

@test "a mixed network: 3 DPTs and 3 serve nodes around a serve bootnode; a crawl finds all 7" {
	start_serve boot --refresh 2s --tcp 30301
	B=$(enode_of boot)
	for i in 1 2 3; do
		start_dpt "js$i" "$(printf 'dpt%d' "$i" | sha256sum | cut -c1-64)" --bootnodes "$B" --refresh 2000
		start_serve "n$i" --bootnodes "$B" --refresh 2s --tcp $((31000 + i))
	done
	wait_until 15 mixed_settled
	# Spelled out: each DPT added our bootnode and one of the others.
	for i in 1 2 3; do
		dpt_has "js$i" "$(pub_of boot)"
		jq -se --arg ours "$(for n in n1 n2 n3; do pub_of $n; done)" \
		    'any(.[]; .type == "peer:added" and (.id as $id | $ours | split("\n") | index($id) != null))' \
		    "$TMP/js$i.out"
	done
	{
		for n in boot n1 n2 n3; do pub_of $n; done
		for i in 1 2 3; do head -1 "$TMP/js$i.out" | jq -r .id; done
	} | sort >"$TMP/all"
	[ "$(sort -u "$TMP/all" | wc -l)" = 7 ]
	run -0 --separate-stderr p2p-discover crawl --timeout 20s --bootnodes "$B"
	printf '%s\n' "${lines[@]}" >"$TMP/crawl"
	jq -r 'select(.type == "node" and .responded) | .pubkey' "$TMP/crawl" | sort >"$TMP/crawled"
	diff "$TMP/all" "$TMP/crawled"
	jq -se '.[-1] == {"type": "crawl", "nodes": 7, "responsive": 7, "complete": true, "dropped_subnet": 0}' "$TMP/crawl"
	# Records: ours have one; the DPTs ignore ENRRequest.
	for i in 1 2 3; do
		jq -se --arg pub "$(head -1 "$TMP/js$i.out" | jq -r .id)" --arg e "$(dpt_enode "js$i")" \
		    '[.[] | select(.type == "node" and .pubkey == $pub)] | length == 1
		    and .[0].enode == $e and .[0].enr == null' "$TMP/crawl"
	done
	for n in boot n1 n2 n3; do
		jq -se --arg e "$(enode_of $n)" \
		    '[.[] | select(.type == "node" and .enode == $e)] | length == 1 and .[0].enr != null' "$TMP/crawl"
	done
}

dpt_has_17() { [ "$(grep -c '"type":"peer:added"' "$TMP/js.out")" -ge 17 ]; }

# ethereumjs puts 16 IPv4 nodes in one Neighbours packet: 1,373 bytes, over
# the 1,280-byte limit of the spec; we read datagrams up to 2 KiB.
@test "a 16-node Neighbours from ethereumjs (1,373 bytes) is read whole" {
	start_dpt js "$JS_KEY"
	E=$(dpt_enode js)
	for i in $(seq 17); do start_serve "n$i" --bootnodes "$E" --tcp $((31000 + i)); done
	wait_until 10 dpt_has_17
	for i in $(seq 17); do pub_of "n$i"; done >"$TMP/ours"
	# ethereumjs may hand out our own entry (the tool's, bonded): known key.
	echo "$EIP778_PUB" >>"$TMP/ours"
	run -0 p2p-discover findnode --nodekeyhex "$EIP778_KEY" "$E"
	jqo '.ok and .count == 16 and (.nodes | length) == 16 and ([.nodes[].pubkey] | unique | length) == 16'
	jq -r '.nodes[].pubkey' <<<"$output" | sort >"$TMP/got"
	[ -z "$(sort "$TMP/ours" | comm -13 - "$TMP/got")" ]
}
