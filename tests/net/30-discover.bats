#!/usr/bin/env bats
# p2p-discover on loopback: the one-shot subcommands against a serve node,
# a 21-node network that finds itself, lookups, crawls and a restart from
# the node database.
load helpers

@test "serve prints its enode and record; ping, requestenr and findnode get answers" {
	start_serve boot --nodekeyhex "$EIP778_KEY"
	B=$(enode_of boot)
	head -1 "$TMP/boot.out" | jq -e '.type == "listening" and (.enode | startswith("enode://'"$EIP778_PUB"'@127.0.0.1:"))
	    and .id == "'"$EIP778_ID"'" and (.enr | startswith("enr:-")) and .seq >= 1'
	run -0 p2p-discover ping "$B"
	jqo '.type == "pong" and .ok and .error == null and .rtt_ms > 0 and .enr_seq >= 1'
	run -0 p2p-discover requestenr "$B"
	jqo '.type == "enr" and .ok and .id == "'"$EIP778_ID"'" and .ip == "127.0.0.1"
	    and .udp == '"$(head -1 "$TMP/boot.out" | jq .udp)"' and .scheme == "v4"'
	# The record served is the one serve printed.
	[ "$(jq -r .enr <<<"$output")" = "$(head -1 "$TMP/boot.out" | jq -r .enr)" ]
	run -0 p2p-discover findnode "$B"
	jqo '.type == "neighbors" and .ok'
}

@test "a node that does not answer: ETIMEOUT and exit 1; bad input: an error record" {
	run -1 p2p-discover ping --timeout 2s "enode://$EIP778_PUB@127.0.0.1:9"
	jqo '.ok == false and .error == "ETIMEOUT" and .rtt_ms == null'
	run -1 p2p-discover ping "enode://nonsense@127.0.0.1:1"
	jqo '.type == "error" and .error == "EHEX"'
	run -2 p2p-discover lookup
	run -2 p2p-discover frobnicate
}

@test "NetRestrict: nothing is sent outside the allowed networks" {
	start_serve boot
	run -1 p2p-discover ping --netrestrict 10.0.0.0/8 "$(enode_of boot)"
	jqo '.ok == false and .error == "ERESTRICTED"'
	run -0 p2p-discover ping --netrestrict 127.0.0.0/8 "$(enode_of boot)"
}

# refreshed_ge N: the n* nodes have ended N refresh rounds between them.
refreshed_ge() {
	[ "$(cat "$TMP"/n*.out | jq -s '[.[] | select(.type == "refreshed")] | length')" -ge "$1" ]
}

# added_ge N NAME: node NAME has added N nodes to its table (or more).
added_ge() {
	[ "$(jq -s '[.[] | select(.type == "added")] | length' "$TMP/$2.out")" -ge "$1" ]
}

# tables_lacking: for each node whose table, replayed from its events,
# lacks some of the other nodes in $TMP/ids, a line saying which (one jq
# for all the files: this is polled).
tables_lacking() {
	jq -rn --rawfile ids "$TMP/ids" '
	    reduce inputs as $e ({}; input_filename as $f |
	        if .[$f] == null then .[$f] = {self: $e.id, t: {}} else . end |
	        if $e.type == "added" then .[$f].t[$e.id] = 1
	        elif $e.type == "removed" then del(.[$f].t[$e.id]) else . end)
	    | ($ids | split("\n") | map(select(. != ""))) as $all
	    | to_entries[] | .key as $f | .value as $v
	    | [$all[] | select(. != $v.self and ($v.t[.] | not))] as $miss
	    | select($miss != []) | "\($f) lacks: \($miss | join(" "))"' \
	    "$TMP"/boot.out "$TMP"/n*.out
}
tables_full() { local l; l=$(tables_lacking) && [ -z "$l" ]; }

@test "21 nodes find each other; lookups find the 16 closest; a crawl finds all 21" {
	start_serve boot
	B=$(enode_of boot)
	for i in $(seq 20); do start_serve "n$i" --bootnodes "$B" --refresh 2s; done
	# Two refresh rounds each (a self lookup and three random ones): the
	# first meets the nodes that came before, the second those after.
	wait_for refreshed_ge 40
	cat "$TMP"/*.out | jq -r 'select(.type == "listening") | .enode' | sort >"$TMP/all"
	[ "$(wc -l <"$TMP/all")" = 21 ]
	# Each node's table, replayed from its events, holds the other 20.
	# Forty rounds between them is usually two each; on a loaded machine
	# some nodes have done fewer, so the tables themselves are waited for.
	cat "$TMP"/*.out | jq -r 'select(.type == "listening") | .id' | sort >"$TMP/ids"
	wait_for tables_full || { tables_lacking; false; }
	# The one-shot tools below share one identity: each run's node is
	# then the same one, never a dead stranger crowding the tables.
	tool=(--nodekeyhex "$EIP778_KEY")
	run -0 --separate-stderr p2p-discover crawl "${tool[@]}" --timeout 20s --bootnodes "$B"
	printf '%s\n' "${lines[@]}" | jq -r 'select(.type == "node" and .responded) | .enode' | sort >"$TMP/crawled"
	diff "$TMP/all" "$TMP/crawled"
	printf '%s\n' "${lines[@]}" | tail -1
	printf '%s\n' "${lines[@]}" | jq -se '.[-1] == {"type": "crawl", "nodes": 21, "responsive": 21, "complete": true, "dropped_subnet": 0}'
	# The crawl's output feeds other tools as it is.
	printf '%s\n' "${lines[@]}" >"$TMP/crawl.ndjson"
	run -0 --separate-stderr p2p-discover ping "${tool[@]}" <"$TMP/crawl.ndjson"
	printf '%s\n' "${lines[@]}" | jq -se 'length == 21 and all(.type == "pong" and .ok)'
	run -0 --separate-stderr cat "$TMP/crawl.ndjson"
	# Every record carried the node's ENR.
	printf '%s\n' "${lines[@]}" | jq -se '[.[] | select(.type == "node" and .enr == null)] == []'
	# Revalidation (one ping at a random 0-10 s per node) has run somewhere.
	cat "$TMP"/*.out | jq -se 'any(.type == "revalidated")'
	# resolve finds a node by its key; an unknown key is not found.
	t=$(sed -n 3p "$TMP/all")
	run -0 --separate-stderr p2p-discover resolve "${tool[@]}" --bootnodes "$B" "$t"
	jqo '.type == "resolve" and .ok and .node.enode == "'"$t"'"'
	run -1 --separate-stderr p2p-discover resolve "${tool[@]}" --bootnodes "$B" "$EIP778_PUB"
	jqo '.type == "resolve" and (.ok | not) and .node == null'
	# A lookup without a target picks a random one and says which.
	run -0 --separate-stderr p2p-discover lookup "${tool[@]}" --bootnodes "$B"
	printf '%s\n' "${lines[@]}" | jq -se '.[-1] | .type == "closest" and .count == 16
	    and (.target | test("^[0-9a-f]{128}$"))'
	# A lookup from each node (started from it alone) toward the next
	# one's key finds the closest 16 of the 21, checked against a
	# brute-force sort of the XOR distances.
	mapfile -t all <"$TMP/all"
	for i in "${!all[@]}"; do
		from=${all[$i]}
		t=${all[$(((i + 1) % ${#all[@]}))]}
		key=${t#enode://}
		key=${key%@*}
		p2p-discover lookup "${tool[@]}" --bootnodes "$from" "$key" \
		    >"$TMP/lookup" 2>"$TMP/lookup.err" ||
		    { cat "$TMP/lookup.err"; false; }
		# The target, then the nodes found (this loop runs 21 times:
		# few forks).
		{ read -r target; got=$(cat); } < <(jq -r 'select(.type == "closest") |
		    .target_id, .nodes[].id' "$TMP/lookup")
		want=$(xor_sort "$target" <"$TMP/ids" | head -16)
		[ "$got" = "$want" ] || { diff <(echo "$got") <(echo "$want"); false; }
	done
}

# xor_sort TARGET: the IDs on stdin sorted by XOR distance to TARGET (one
# awk, nibble by nibble: bash arithmetic would fork per ID).
xor_sort() {
	awk -v t="$1" 'BEGIN {
		h = "0123456789abcdef"
		for (a = 0; a < 16; a++) {
			v[substr(h, a + 1, 1)] = a
			for (b = 0; b < 16; b++) {
				x = 0
				for (k = 1; k < 16; k *= 2)
					if (int(a / k) % 2 != int(b / k) % 2)
						x += k
				xo[a, b] = substr(h, x + 1, 1)
			}
		}
	}
	{
		d = ""
		for (i = 1; i <= 64; i++)
			d = d xo[v[substr($1, i, 1)], v[substr(t, i, 1)]]
		print d, $1
	}' | sort | cut -d' ' -f2
}

@test "serve with --db: a restart without bootnodes comes back with its table seeded" {
	start_serve boot
	B=$(enode_of boot)
	# Seeds are nodes that lived in the table (revalidated, and in it
	# --save-after): shortened here, and waited for.
	start_serve a --nodekey "$TMP/a.key" --db "$TMP/a.db" --bootnodes "$B" \
	    --save-every 200ms --save-after 1s
	for i in 1 2 3; do start_serve "n$i" --bootnodes "$B"; done
	wait_for added_ge 4 a
	wait_for lines_ge 1 jq -c 'select(.type == "saved" and .saved >= 1)' "$TMP/a.out"
	first=$(enode_of a)
	kill -TERM "$PID_a"
	wait "$PID_a"
	start_serve a2 --nodekey "$TMP/a.key" --db "$TMP/a.db"
	[ "$(enode_of a2 | cut -d@ -f1)" = "$(echo "$first" | cut -d@ -f1)" ]
	# The record's seq grew across the restart.
	[ "$(head -1 "$TMP/a2.out" | jq .seq)" -gt "$(head -1 "$TMP/a.out" | jq .seq)" ]
	wait_for added_ge 4 a2
}

@test "crawl --db: the key is kept beside it, and a later crawl resumes without bootnodes" {
	start_serve boot
	B=$(enode_of boot)
	for i in 1 2 3; do start_serve "n$i" --bootnodes "$B"; done
	# The crawl starts from boot: it must know the three first.
	wait_for added_ge 3 boot
	run -0 --separate-stderr p2p-discover crawl --db "$TMP/crawl.db" --bootnodes "$B"
	printf '%s\n' "${lines[@]}" | jq -se '.[-1] | .nodes == 4 and .responsive == 4'
	[ "$(stat -c %a "$TMP/crawl.db.key")" = 600 ]
	run -0 --separate-stderr p2p-discover crawl --db "$TMP/crawl.db"
	printf '%s\n' "${lines[@]}" | jq -se '.[-1] | .nodes == 4 and .responsive == 4'
}

@test "our record keeps its seq while nothing changes, and takes the next when the endpoint does" {
	port=$((20000 + RANDOM % 20000))
	for i in 1 2; do
		run -0 --separate-stderr p2p-discover serve --timeout 300ms --db "$TMP/s.db" --addr "127.0.0.1:$port"
		jqo '.type == "listening" and .seq == 1' "${lines[0]}"
	done
	run -0 --separate-stderr p2p-discover serve --timeout 300ms --db "$TMP/s.db" --addr "127.0.0.1:$((port + 1))"
	jqo '.seq == 2' "${lines[0]}"
}

@test "the stage tools' pipeline: five nodes (RLPx and discovery) on loopback, crawled, all dialled, all stopped" {
	run -0 --separate-stderr env P2P_BIN="$P2P_BIN" sh "$BATS_TEST_DIRNAME/../../scripts/pipeline.sh"
	[[ $stderr == *"crawl found 5 of 5 nodes"* ]]
	[[ $stderr == *"dialled 5 of 5 nodes through the Hello exchange"* ]]
	printf '%s\n' "${lines[@]}" | jq -se '[.[] | select(.type == "crawl")] == [{"type": "crawl", "nodes": 5, "responsive": 5, "complete": true, "dropped_subnet": 0}]'
	# Every node the crawl found announced the TCP port its listener has.
	printf '%s\n' "${lines[@]}" | jq -se '[.[] | select(.type == "dial") | .ok and .remote.listen_port > 0] == [true, true, true, true, true]'
	! pgrep -f "p2p-pipeline" >/dev/null
}
