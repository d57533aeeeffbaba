#!/usr/bin/env bats
# p2p-discover crawl against a peer that acts as go-ethereum v1.8.24's
# bootnode does (fake-v1824.js): our ENRRequest dropped as an unknown
# packet type, the first findnode dropped ("unknown node"), later ones
# answered with neighbors that are often empty (v1.8.24 hands out only
# nodes it has revalidated).  A crawl once reported such a bootnode as
# never responding ({"nodes":1,"responsive":0}).  The fake needs node and
# node_modules here (make check runs npm ci before the suites).
load ../net/helpers

FAKE_KEY=4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318
# The fake is node.js: on a loaded machine its replies may come later
# than geth's 500 ms, which would turn what is tested into timeouts.
export P2P_DISC_REPLY_TIMEOUT=2s

setup() {
	TMP=$(mktemp -d "${BATS_TMPDIR:-/tmp}/p2p-crawl.XXXXXX")
	command -v node >/dev/null || skip "node is not installed"
	[ -d "$BATS_TEST_DIRNAME/node_modules/@ethereumjs/devp2p" ] ||
		skip "no tests/interop/node_modules (run 'npm ci' there)"
	FAKE_PUB=$(p2p-keygen --nodekeyhex "$FAKE_KEY" | jq -r .pubkey)
	PIDS=""
}

teardown() {
	for p in ${PIDS:-}; do kill "$p" 2>/dev/null; done
	for p in ${PIDS:-}; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}

# start_fake ARGS...: fake-v1824.js in the background, output in
# $TMP/fake.out; sets FAKE (its enode) once it listens.
start_fake() {
	rm -f "$TMP/fake.out"	# a previous fake's must not count
	node "$BATS_TEST_DIRNAME/fake-v1824.js" "$FAKE_KEY" "$@" \
	    >"$TMP/fake.out" 2>"$TMP/fake.err" 3>&- &
	PIDS="$PIDS $!"
	wait_for nonempty "$TMP/fake.out" || { cat "$TMP/fake.err" >&2; return 1; }
	FAKE="enode://$FAKE_PUB@127.0.0.1:$(head -1 "$TMP/fake.out" | jq .udp)"
}

# fake_count FILTER: how many of the fake's records match FILTER.
fake_count() {
	jq -s "[.[] | select($1)] | length" "$TMP/fake.out"
}
fake_count_ge() { [ "$(fake_count "$2")" -ge "$1" ]; }

@test "a v1.8.24 bootnode that answers with no nodes has responded" {
	start_fake
	run -0 --separate-stderr p2p-discover crawl --timeout 60s --bootnodes "$FAKE"
	printf '%s\n' "${lines[@]}"
	printf '%s\n' "${lines[@]}" | jq -se '.[-1] == {"type": "crawl", "nodes": 1, "responsive": 1, "complete": true, "dropped_subnet": 0}'
	printf '%s\n' "${lines[@]}" | jq -se '[.[] | select(.type == "node")] | length == 1 and
	    (.[0] | .enode == "'"$FAKE"'" and .responded and .enr == null
	    and .first_response != null)'
	# What the peer saw: the ENRRequest (sent twice while bonding)
	# dropped, the first findnode dropped, the other three answered.
	# Dropped packets get no reply, so the crawl may end before the fake
	# (busy on a loaded machine) has logged them: wait for its records.
	wait_for fake_count_ge 1 '.type == "enrrequest"'
	wait_for fake_count_ge 1 '.type == "findnode" and .answered == false'
	[ "$(fake_count '.type == "findnode" and .answered == false')" = 1 ]
	[ "$(fake_count '.type == "findnode" and .answered')" = 3 ]
}

@test "nodes a v1.8.24 bootnode hands out are crawled" {
	start_serve a
	start_serve b
	start_fake --neighbors "$(enode_of a),$(enode_of b)"
	run -0 --separate-stderr p2p-discover crawl --timeout 60s --bootnodes "$FAKE"
	printf '%s\n' "${lines[@]}"
	printf '%s\n' "${lines[@]}" | jq -se '.[-1] == {"type": "crawl", "nodes": 3, "responsive": 3, "complete": true, "dropped_subnet": 0}'
	printf '%s\n' "${lines[@]}" | jq -r 'select(.type == "node" and .responded) | .enode' | sort >"$TMP/got"
	printf '%s\n' "$FAKE" "$(enode_of a)" "$(enode_of b)" | sort >"$TMP/want"
	diff "$TMP/want" "$TMP/got"
	# The serve nodes' records came with them; the bootnode has none.
	printf '%s\n' "${lines[@]}" | jq -se '[.[] | select(.type == "node" and .enr != null)] | length == 2'
}

@test "a node that hands out made-up nodes of one /24 adds at most 32 of them" {
	# Every findnode answered with 16 fresh nodes on 127.0.0.1 that
	# nobody runs: up to 64, but the fake's /24 holds 32 at most, the
	# fake counted, so some are dropped.  They never answer, so each one
	# asked waits out its timeouts; --timeout is a hang guard only:
	# complete or not, the summary must hold the bound.
	start_fake --made-up 16
	run -0 --separate-stderr p2p-discover crawl --timeout 60s --bootnodes "$FAKE"
	printf '%s\n' "${lines[@]}"
	printf '%s\n' "${lines[@]}" | jq -se '.[-1] | .type == "crawl" and
	    .nodes <= 32 and .dropped_subnet > 0 and .responsive == 1 and
	    keys_unsorted == ["type", "nodes", "responsive", "complete",
	    "dropped_subnet"]'
	printf '%s\n' "${lines[@]}" | jq -se '[.[] | select(.type == "node" and
	    (.ip | startswith("127.0.0.")))] | length <= 32'
}

@test "requestenr: a record signed by another key than the node's is refused in discovery's words" {
	other=$(p2p-keygen --nodekeyhex "$(printf '%064x' 5)" | jq -r .enr)
	start_fake --enr-of "$other"
	run -1 p2p-discover requestenr "$FAKE"
	jqo '.type == "enr" and (.ok | not) and .error == "EIDENTITY" and
	    .detail == "the record answered is signed by another key than the node'"'"'s"'
	[ "$(fake_count '.type == "enrrequest" and .answered')" -ge 1 ]
	# Its own record would do: the same fake, answering with its own.
	own=$(p2p-keygen --nodekeyhex "$FAKE_KEY" | jq -r .enr)
	kill $PIDS
	start_fake --enr-of "$own"
	run -0 p2p-discover requestenr "$FAKE"
	jqo '.ok and .id == "'"$(p2p-keygen --nodekeyhex "$FAKE_KEY" | jq -r .id)"'"'
}
