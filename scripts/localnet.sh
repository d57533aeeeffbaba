#!/bin/sh
# localnet.sh - the main job (`make run`): a live devp2p network of
# p2p-serverd nodes on 127.0.0.1.  Every node runs the embedded default
# config below and knows only the bootnode (node n0); they find each other
# through discovery, connect up to their peer limits, and the script
# prints who is connected to whom, inbound and outbound, and how long the
# full mesh took.  It stops by itself (once the mesh is full, or after
# GUARD seconds) or on Ctrl-C, and stops every node it started.
#
# Loopback only; nothing outside this machine is contacted.  Nothing
# waits a fixed time: nodes say when they listen (--detach), and the
# script polls the nodes' own records for the condition it waits for.
set -eu

NODES=${NODES:-8}
ADDR=${ADDR:-127.0.0.1}
GUARD=${GUARD:-120}	# seconds before giving up on the full mesh
HOLD=${HOLD:-0}		# seconds to keep the network up after (0: stop)
BIN=${P2P_BIN:-$(dirname "$0")/../build/bin}
LIB=$(dirname "$0")	# live-peers.jq: a node's live peers from its records

dir=$(mktemp -d "${TMPDIR:-/tmp}/p2p-devnet.XXXXXX")
cleanup() {
	pids=$(cat "$dir"/*/pid 2>/dev/null || true)
	[ -z "$pids" ] || kill $pids 2>/dev/null || true
	# The daemons say client quitting to their peers and exit; wait so
	# that their data directories can go.
	for p in $pids; do
		while kill -0 "$p" 2>/dev/null; do sleep 0.05; done
	done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The embedded default configuration every node runs.
cat >"$dir/config.json" <<EOF
{
	"maxpeers": 25,
	"dialratio": 3,
	"name": "p2pcore-devnet",
	"caps": "eth/63",
	"verbosity": 2
}
EOF

# node NAME [ARGS...]: starts a daemon; returns once it listens.
node() {
	name=$1
	shift
	mkdir -p "$dir/$name"
	"$BIN/p2p-serverd" --config "$dir/config.json" \
	    --datadir "$dir/$name" --addr "$ADDR:0" --detach \
	    --pidfile "$dir/$name/pid" "$@" \
	    >"$dir/$name.out" 2>"$dir/$name.err"
}

# peers NAME: peers added minus peers dropped in NAME's records.
peers() {
	jq -s '[.[] | select(.type == "peer") |
	    if .event == "add" then 1 else -1 end] | add // 0' "$dir/$1.out"
}

start=$(date +%s.%N)
node n0
boot=$(head -1 "$dir/n0.out" | jq -r .enode)
echo "bootnode n0: $boot" >&2
i=1
while [ "$i" -lt "$NODES" ]; do
	node "n$i" --bootnodes "$boot"
	i=$((i + 1))
done
echo "$NODES nodes up; waiting for the full mesh ($((NODES - 1)) peers each)" >&2

# summarize: one record per node in $dir/summary.ndjson (its live peers
# by name, inbound and outbound).
summarize() {
	i=0
	while [ "$i" -lt "$NODES" ]; do
		head -1 "$dir/n$i.out" | jq -c "{name: \"n$i\", id}"
		i=$((i + 1))
	done >"$dir/names.ndjson"
	i=0
	while [ "$i" -lt "$NODES" ]; do
		jq -L "$LIB" -sc --slurpfile names "$dir/names.ndjson" --arg name "n$i" '
		    include "live-peers";
		    ($names | map({(.id): .name}) | add) as $by_id |
		    live_peers as $live |
		    {type: "node", name: $name, enode: .[0].enode,
		     peers: ($live | length),
		     outbound: [$live[] | select(.inbound | not) | $by_id[.id] // .id],
		     inbound: [$live[] | select(.inbound) | $by_id[.id] // .id]}' \
		    "$dir/n$i.out"
		i=$((i + 1))
	done >"$dir/summary.ndjson"
}

# meshed: every node has all the others as peers, and both ends agree on
# each connection (one outbound, the other inbound).  Two nodes that
# dialed each other at once hold two connections for a moment, each
# counted outbound by one side, until one goes: not a full mesh yet.
meshed() {
	jq -se --argjson n "$NODES" '
	    (map({key: .name, value: .}) | from_entries) as $by |
	    all(.[]; .peers == $n - 1) and
	    ([.[] as $x | $x.outbound[] |
	        ($by[.] // {inbound: []}).inbound | index($x.name) != null] |
	        all)' \
	    "$dir/summary.ndjson" >/dev/null
}

full=0
while :; do
	full=1
	i=0
	while [ "$i" -lt "$NODES" ]; do
		[ "$(peers "n$i")" -ge $((NODES - 1)) ] || { full=0; break; }
		i=$((i + 1))
	done
	if [ "$full" = 1 ]; then
		summarize
		meshed && break
		full=0
	fi
	if [ "$(echo "$(date +%s.%N) - $start >= $GUARD" | bc)" = 1 ]; then
		echo "no full mesh within ${GUARD}s" >&2
		summarize
		break
	fi
	sleep 0.2
done
took=$(echo "$(date +%s.%N) - $start" | bc)

# The summary: one record per node (its peers by name, inbound and
# outbound), then one for the network.
cat "$dir/summary.ndjson"
jq -sc --argjson nodes "$NODES" --argjson full "$full" --arg took "$took" '
    {type: "devnet", nodes: $nodes, full_mesh: ($full == 1),
     seconds: ($took | tonumber * 10 | round / 10),
     connections: ([.[].outbound | length] | add)}' "$dir/summary.ndjson"
jq -r '"\(.name): out \(.outbound | join(",")); in \(.inbound | join(","))"' \
    "$dir/summary.ndjson" >&2
if [ "$HOLD" -gt 0 ]; then
	echo "holding the network for ${HOLD}s (Ctrl-C stops it)" >&2
	sleep "$HOLD"
fi
[ "$full" = 1 ]
