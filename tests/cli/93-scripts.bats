#!/usr/bin/env bats
# The scripts' own logic, on fixed records (no network): scripts/live-peers.jq,
# which make run's devnet uses to say who is connected to whom.
load helpers

LIB=$BATS_TEST_DIRNAME/../../scripts

live() { jq -L "$LIB" -sc 'include "live-peers"; live_peers | map("\(.id) \(.inbound)")'; }

@test "live-peers: add then drop leaves nothing; peers are keyed by ID" {
	run -0 live <<'EOF2'
{"type":"started","enode":"x"}
{"type":"peer","event":"add","id":"aa","inbound":false}
{"type":"peer","event":"add","id":"bb","inbound":true}
{"type":"peer","event":"drop","id":"aa","inbound":false}
{"type":"conn","direction":"inbound","id":"cc"}
EOF2
	[ "$output" = '["bb true"]' ]
}

@test "live-peers: a connection that replaced one the other way stays when the loser's drop comes after its add" {
	# Two nodes dialed each other at once: the inbound connection won, was
	# added, and only then was the outbound one (already connected) dropped.
	run -0 live <<'EOF2'
{"type":"peer","event":"add","id":"aa","inbound":false}
{"type":"peer","event":"add","id":"aa","inbound":true}
{"type":"peer","event":"drop","id":"aa","inbound":false,"disconnect":{"reason":"already connected"}}
EOF2
	[ "$output" = '["aa true"]' ]
}
