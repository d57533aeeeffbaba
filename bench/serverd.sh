#!/bin/sh
# serverd.sh - p2p-serverd under load (`make bench` runs it after the C
# benchmarks), driven by p2p-dial from another process, on loopback:
#   - full handshakes (encryption + Hello) one daemon accepts per second,
#     with the CPU time the daemon used for them, with the handshake
#     crypto on 0, 1 and 2 worker threads (WORKERS); on a 2-core machine
#     the driver needs a core of its own, so more workers cannot show
#     here what they do on a larger one;
#   - resident memory per connected idle peer, at 1,000 and 5,000 peers.
# Prints one JSON line per figure, as the C benchmarks do.  Bounded: a
# fixed number of dials, a hang guard on every wait, and every process
# it starts is stopped.
set -eu

BIN=${P2P_BIN:-$(dirname "$0")/../build/bin}
HANDSHAKES=${HANDSHAKES:-4000}
CONCURRENCY=${CONCURRENCY:-128}
IDLE=${IDLE:-1000 5000}
GUARD=${GUARD:-300}

dir=$(mktemp -d "${TMPDIR:-/tmp}/p2p-bench.XXXXXX")
pids=
cleanup() {
	[ -z "$pids" ] || kill $pids 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

ticks=$(getconf CLK_TCK)
cpu_s() { awk -v t="$ticks" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
now() { date +%s.%N; }

# daemon NAME ARGS...: a daemon for one measurement; sets DPID, ENODE.
daemon() {
	name=$1
	shift
	"$BIN/p2p-serverd" --datadir "$dir/$name" --addr 127.0.0.1:0 \
	    --nodiscover --caps foo/1 --verbosity 0 --pidfile "$dir/$name.pid" \
	    "$@" >"$dir/$name.out" 2>"$dir/$name.err" &
	DPID=$!
	pids="$pids $DPID"
	end=$(($(date +%s) + GUARD))
	until [ -s "$dir/$name.pid" ]; do
		[ "$(date +%s)" -lt "$end" ] || { echo "daemon did not start" >&2; exit 1; }
		sleep 0.05
	done
	ENODE=$(head -1 "$dir/$name.out" | jq -r .enode)
}

# peers NAME: peers the daemon holds now (added minus dropped).
peers() {
	awk '/"type":"peer"/ { if (/"event":"add"/) n++; else n-- } END { print n + 0 }' "$dir/$1.out"
}

# --- handshakes per second, with the crypto on 0..WORKERS threads ---
for w in ${WORKERS:-0 1 2}; do
daemon "hs$w" --maxpeers 100000 --maxpendpeers 1000 --workers "$w"
cpu0=$(cpu_s "$DPID")
t0=$(now)
i=0
while [ "$i" -lt "$HANDSHAKES" ]; do echo "$ENODE"; i=$((i + 1)); done |
    "$BIN/p2p-dial" --stage hello --hello-grace 0 --fresh-keys --caps foo/1 \
    --concurrency "$CONCURRENCY" --summary >"$dir/hs.dial" || true
t1=$(now)
cpu1=$(cpu_s "$DPID")
ok=$(tail -1 "$dir/hs.dial" | jq .succeeded)
added=$(grep -c '"event":"add"' "$dir/hs$w.out" || true)
wall=$(echo "$t1 - $t0" | bc)
cpu=$(echo "$cpu1 - $cpu0" | bc)
printf '{"bench":"serverd_handshakes","value":%.1f,"unit":"handshakes/s","cpu_s":%s,"workers":%s,"handshakes":%s,"peers_added":%s,"wall_s":%.3f,"daemon_cpu_ms_per_handshake":%.3f,"concurrency":%s}\n' \
    "$(echo "$ok / $wall" | bc -l)" "$cpu" "$w" "$ok" "$added" "$wall" \
    "$(echo "$cpu * 1000 / ($ok + 0.000001)" | bc -l)" "$CONCURRENCY"
kill "$DPID"
wait "$DPID" 2>/dev/null || true
done

# --- memory per idle peer ---
for n in $IDLE; do
	daemon "idle$n" --maxpeers $((n + 100)) --maxpendpeers 1000
	base=$(rss_kb "$DPID")
	# Two drivers: p2p-dial keeps at most 4,096 dials in flight.
	dpid=
	for half in $((n / 2)) $((n - n / 2)); do
		i=0
		while [ "$i" -lt "$half" ]; do echo "$ENODE"; i=$((i + 1)); done |
		    "$BIN/p2p-dial" --stage hello --hold "${GUARD}s" \
		    --fresh-keys --caps foo/1 --concurrency "$half" \
		    >/dev/null 2>&1 &
		dpid="$dpid $!"
	done
	pids="$pids $dpid"
	end=$(($(date +%s) + GUARD))
	until [ "$(peers "idle$n")" -ge "$n" ]; do
		[ "$(date +%s)" -lt "$end" ] || { echo "only $(peers "idle$n") of $n peers" >&2; exit 1; }
		sleep 0.2
	done
	rss=$(rss_kb "$DPID")
	printf '{"bench":"serverd_idle_peer_rss","value":%.2f,"unit":"KiB/peer","cpu_s":%s,"peers":%s,"rss_kib":%s,"base_rss_kib":%s}\n' \
	    "$(echo "($rss - $base) / $n" | bc -l)" "$(cpu_s "$DPID")" "$n" "$rss" "$base"
	kill $dpid "$DPID" 2>/dev/null || true
	wait $dpid "$DPID" 2>/dev/null || true
done
