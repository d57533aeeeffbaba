#!/bin/sh
# pipeline.sh - the stage tools end to end: a small devp2p network on
# 127.0.0.1 from the defaults below.  Each node is a `p2p-listen` (RLPx on
# TCP) and a `p2p-discover serve` (discovery on UDP) sharing one key, the
# discovery record announcing the listener's TCP port.  The network is
# crawled, every node the crawl found is dialled through the Hello
# exchange (the README's pipeline), the records are printed, and
# everything is stopped.  Loopback only; nothing outside this machine is
# contacted, and nothing waits a fixed time: the tools say when they
# listen (--detach), and the crawl starts once the bootnode's table holds
# every other node.
set -eu

# The embedded default configuration.
NODES=${NODES:-5}
ADDR=${ADDR:-127.0.0.1}
REFRESH=${REFRESH:-2s}
GUARD=${GUARD:-120}	# seconds before giving up on the network forming
BIN=${P2P_BIN:-$(dirname "$0")/../build/bin}

dir=$(mktemp -d "${TMPDIR:-/tmp}/p2p-pipeline.XXXXXX")
cleanup() {
	for f in "$dir"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
	done
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

# node NAME [SERVE-ARGS...]: a listener and a discovery node with one key;
# both return once they listen.
node() {
	name=$1
	shift
	"$BIN/p2p-keygen" -o "$dir/$name.key" >/dev/null
	"$BIN/p2p-listen" --nodekey "$dir/$name.key" --addr "$ADDR:0" \
	    --detach --pidfile "$dir/$name-tcp.pid" >"$dir/$name-tcp.out"
	tcp=$(head -1 "$dir/$name-tcp.out" | jq -r '.enode | sub(".*:"; "")')
	"$BIN/p2p-discover" serve --nodekey "$dir/$name.key" --addr "$ADDR:0" \
	    --tcp "$tcp" --refresh "$REFRESH" --detach \
	    --pidfile "$dir/$name.pid" "$@" >"$dir/$name.out"
}

# table_len NAME: how many nodes NAME's table holds now.
table_len() {
	jq -s '[.[] | select(.type == "added" or .type == "removed")]
	    | last | .table // 0' "$dir/$1.out"
}

node boot
boot=$(head -1 "$dir/boot.out" | jq -r .enode)
echo "bootnode: $boot" >&2
i=1
while [ "$i" -lt "$NODES" ]; do
	node "n$i" --bootnodes "$boot"
	i=$((i + 1))
done
echo "$NODES nodes up; waiting until the bootnode knows them all" >&2
start=$(date +%s)
until [ "$(table_len boot)" -ge $((NODES - 1)) ]; do
	if [ $(($(date +%s) - start)) -ge "$GUARD" ]; then
		echo "the network did not form within ${GUARD}s" >&2
		exit 1
	fi
	sleep 0.1
done
"$BIN/p2p-discover" crawl --timeout 20s --bootnodes "$boot" | tee "$dir/crawl.out"
found=$(jq -s '[.[] | select(.type == "node" and .responded)] | length' "$dir/crawl.out")
echo "crawl found $found of $NODES nodes" >&2
jq -r 'select(.responded) | .enode' "$dir/crawl.out" |
    "$BIN/p2p-dial" --stage hello --concurrency 4 | tee "$dir/dial.out"
dialled=$(jq -s '[.[] | select(.type == "dial" and .ok)] | length' "$dir/dial.out")
echo "dialled $dialled of $NODES nodes through the Hello exchange" >&2
[ "$found" -eq "$NODES" ] && [ "$dialled" -eq "$NODES" ]
