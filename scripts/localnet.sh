#!/bin/sh
# localnet.sh - the main job (`make run`): a discovery network of five
# `p2p-discover serve` nodes on 127.0.0.1, from the defaults below, then a
# crawl of it; prints the crawl's NDJSON and a summary, stops everything.
# Loopback only; nothing outside this machine is contacted.
set -eu

# The embedded default configuration.
NODES=${NODES:-5}
ADDR=${ADDR:-127.0.0.1}
REFRESH=${REFRESH:-2s}
SETTLE=${SETTLE:-5}
BIN=${P2P_BIN:-$(dirname "$0")/../build/bin}

dir=$(mktemp -d "${TMPDIR:-/tmp}/p2p-localnet.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

wait_line() {
	k=0
	while [ ! -s "$1" ] && [ $k -lt 100 ]; do sleep 0.05; k=$((k + 1)); done
	[ -s "$1" ]
}

"$BIN/p2p-discover" serve --addr "$ADDR:0" --nodekey "$dir/boot.key" \
    --db "$dir/boot.db" --refresh "$REFRESH" >"$dir/boot.out" &
pids="$pids $!"
wait_line "$dir/boot.out"
boot=$(head -1 "$dir/boot.out" | jq -r .enode)
echo "bootnode: $boot" >&2
i=1
while [ $i -lt "$NODES" ]; do
	"$BIN/p2p-discover" serve --addr "$ADDR:0" --bootnodes "$boot" \
	    --refresh "$REFRESH" >"$dir/n$i.out" &
	pids="$pids $!"
	wait_line "$dir/n$i.out"
	i=$((i + 1))
done
echo "$NODES nodes up; letting them find each other for ${SETTLE}s" >&2
sleep "$SETTLE"
"$BIN/p2p-discover" crawl --timeout 20s --bootnodes "$boot" | tee "$dir/crawl.out"
found=$(jq -s '[.[] | select(.type == "node" and .responded)] | length' "$dir/crawl.out")
echo "crawl found $found of $NODES nodes" >&2
[ "$found" -eq "$NODES" ]
