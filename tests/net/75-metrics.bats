#!/usr/bin/env bats
# p2p-serverd --metrics: the Prometheus endpoint parses with promtool, and
# its counters follow what happens (peers, dials, handshake times, the
# messages a p2p-dial session sends, a refused dial, discovery).
# Loopback only; every wait is for a condition.  HTTP goes through bash's
# /dev/tcp, so no HTTP client is needed.
load helpers

sd_metrics() { head -1 "$TMP/$1.out" | jq -r .metrics; }

# http NAME METHOD PATH: one HTTP/1.0 request to NAME's endpoint; the
# response in $TMP/http.out (headers, CRs dropped) and $TMP/http.body.
http() {
	local addr
	addr=$(sd_metrics "$1")
	exec 5<>"/dev/tcp/${addr%:*}/${addr##*:}" || return 1
	printf '%s %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$2" "$3" "$addr" >&5
	tr -d '\r' <&5 >"$TMP/http.raw"
	exec 5<&-
	sed '/^$/q' "$TMP/http.raw" >"$TMP/http.out"
	sed '1,/^$/d' "$TMP/http.raw" >"$TMP/http.body"
}

# status_is CODE: the status of the last response.
status_is() {
	local s
	s=$(head -1 "$TMP/http.out")
	[[ $s == "HTTP/1."?" $1 "* ]] || { echo "status line: $s" >&2; return 1; }
}

# scrape NAME: GET /metrics of NAME into $TMP/NAME.prom.
scrape() {
	http "$1" GET /metrics && status_is 200 &&
	    cp "$TMP/http.body" "$TMP/$1.prom"
}

# value NAME SERIES: the value of SERIES (name{labels} as written) in the
# last scrape of NAME; nothing if absent.
value() {
	awk -v s="$2" 'index($0, s " ") == 1 { print $NF }' "$TMP/$1.prom"
}

# metric_ge N NAME SERIES: scrapes NAME; SERIES is there and >= N.
metric_ge() {
	local v
	scrape "$2" || return 1
	v=$(value "$2" "$3")
	[ -n "$v" ] && awk -v v="$v" -v n="$1" 'BEGIN { exit !(v + 0 >= n) }'
}

# metric_is N NAME SERIES: scrapes NAME; SERIES is there and == N.
metric_is() {
	scrape "$2" && [ "$(value "$2" "$3")" = "$1" ]
}

@test "metrics: off by default; the output passes promtool; Content-Type, HEAD, 404, 405" {
	start_sd plain --nodiscover
	jq -e '.metrics == null' <(head -1 "$TMP/plain.out")
	start_sd a --metrics 127.0.0.1:0
	jq -e '.metrics | test("^127\\.0\\.0\\.1:[0-9]+$")' <(head -1 "$TMP/a.out")
	scrape a
	grep -qx 'Content-Type: text/plain; version=0.0.4; charset=utf-8' "$TMP/http.out"
	run -0 promtool check metrics <"$TMP/a.prom"
	[ -z "$output" ]
	# Every family has HELP and TYPE; the ones asked for are there.
	for f in p2p_peers p2p_peers_limit p2p_pending_handshakes \
	    p2p_dials_total p2p_inbound_connections_total \
	    p2p_handshake_duration_seconds p2p_ingress_messages_total \
	    p2p_ingress_bytes_total p2p_egress_messages_total \
	    p2p_egress_bytes_total p2p_discovery_packets_total \
	    p2p_discovery_table_nodes p2p_discovery_bucket_nodes \
	    p2p_nodedb_nodes p2p_nodedb_size_bytes; do
		grep -q "^# HELP $f " "$TMP/a.prom"
		grep -q "^# TYPE $f " "$TMP/a.prom"
	done
	[ "$(value a 'p2p_peers_limit{kind="max_peers"}')" = 25 ]
	[ "$(value a 'p2p_dials_total{result="success"}')" = 0 ]
	[ "$(value a 'p2p_discovery_bucket_nodes{bucket="16"}')" = 0 ]
	[ "$(value a p2p_nodedb_size_bytes)" -gt 0 ]
	http a HEAD /metrics
	status_is 200
	[ ! -s "$TMP/http.body" ]
	grep -qx 'Content-Type: text/plain; version=0.0.4; charset=utf-8' "$TMP/http.out"
	grep -q '^Content-Length: [1-9][0-9]*$' "$TMP/http.out"
	http a GET /other
	status_is 404
	http a GET /
	status_is 404
	http a POST /metrics
	status_is 405
	grep -qx 'Allow: GET, HEAD' "$TMP/http.out"
	# The node goes on serving after all that.
	scrape a
}

@test "metrics: a port in use is a clear error (exit 1)" {
	start_sd a --nodiscover --metrics 127.0.0.1:0
	addr=$(sd_metrics a)
	run -1 --separate-stderr p2p-serverd --datadir "$TMP/b" \
	    --addr 127.0.0.1:0 --nodiscover --metrics "$addr"
	[[ $stderr == *"--metrics: cannot listen on $addr: Address already in use"* ]]
}

@test "metrics: two daemons connect: peers 1 each, a dial success, handshake times" {
	start_sd b --nodiscover --caps foo/1 --metrics 127.0.0.1:0
	start_sd a --nodiscover --caps foo/1 --metrics 127.0.0.1:0 \
	    --static "$(sd_enode b)"
	wait_for metric_is 1 a 'p2p_peers{direction="outbound"}'
	wait_for metric_is 1 b 'p2p_peers{direction="inbound"}'
	scrape a
	scrape b
	[ "$(value a 'p2p_peers{direction="inbound"}')" = 0 ]
	[ "$(value a 'p2p_dials_total{result="success"}')" = 1 ]
	[ "$(value b 'p2p_inbound_connections_total{result="success"}')" = 1 ]
	[ "$(value a 'p2p_handshake_duration_seconds_count{direction="outbound"}')" -ge 1 ]
	[ "$(value a 'p2p_handshake_duration_seconds_bucket{direction="outbound",le="+Inf"}')" -ge 1 ]
	[ "$(value b 'p2p_handshake_duration_seconds_count{direction="inbound"}')" -ge 1 ]
	[ "$(value b 'p2p_static_nodes')" = 0 ]
	[ "$(value a 'p2p_static_nodes')" = 1 ]
	# --nodiscover: no discovery families.
	! grep -q '^p2p_discovery_' "$TMP/a.prom"
	run -0 promtool check metrics <"$TMP/a.prom"
	run -0 promtool check metrics <"$TMP/b.prom"
}

@test "metrics: messages of a p2p-dial session are counted by cap, code and bytes" {
	start_sd a --nodiscover --caps foo/1,bar/2 --metrics 127.0.0.1:0
	cat >"$TMP/sends" <<-'EOF'
	{"type":"send","cap":"foo/1","code":3,"data":"0x83616263"}
	{"type":"send","cap":"foo/1","code":3,"data":"0x83616263"}
	{"type":"send","cap":"foo/1","code":0,"data":"0xc0"}
	{"type":"send","cap":"bar/2","code":15,"data":"0xc3010203"}
	{"type":"disconnect","reason":8}
	EOF
	run -0 --separate-stderr p2p-dial --session --caps foo/1,bar/2 \
	    "$(sd_enode a)" <"$TMP/sends"
	wait_for metric_is 1 a 'p2p_ingress_messages_total{cap="bar/2",code="15"}'
	scrape a
	[ "$(value a 'p2p_ingress_messages_total{cap="foo/1",code="3"}')" = 2 ]
	[ "$(value a 'p2p_ingress_bytes_total{cap="foo/1",code="3"}')" = 8 ]
	[ "$(value a 'p2p_ingress_messages_total{cap="foo/1",code="0"}')" = 1 ]
	[ "$(value a 'p2p_ingress_bytes_total{cap="foo/1",code="0"}')" = 1 ]
	[ "$(value a 'p2p_ingress_bytes_total{cap="bar/2",code="15"}')" = 4 ]
	[ "$(grep -c '^p2p_ingress_messages_total{' "$TMP/a.prom")" = 3 ]
	[ "$(value a 'p2p_inbound_connections_total{result="success"}')" = 1 ]
	[ "$(value a 'p2p_handshake_duration_seconds_count{direction="inbound"}')" = 1 ]
	run -0 promtool check metrics <"$TMP/a.prom"
}

@test "metrics: a dial to a refused port counts under result tcp" {
	start_listen --count 1
	kill "$LPID"
	wait "$LPID" || true
	start_sd a --nodiscover --metrics 127.0.0.1:0 --static "$ENODE"
	wait_for metric_ge 1 a 'p2p_dials_total{result="tcp",reason="ECONNREFUSED"}'
	[ "$(value a 'p2p_dials_total{result="success"}')" = 0 ]
	[ "$(value a 'p2p_peers{direction="outbound"}')" = 0 ]
	run -0 promtool check metrics <"$TMP/a.prom"
}

@test "metrics: discovery packet counters and the table fill as nodes bond" {
	start_sd boot --metrics 127.0.0.1:0
	start_sd a --metrics 127.0.0.1:0 --bootnodes "$(sd_enode boot)"
	wait_for metric_ge 1 a 'p2p_discovery_packets_total{direction="in",type="pong"}'
	wait_for metric_ge 1 boot 'p2p_discovery_packets_total{direction="in",type="ping"}'
	wait_for metric_ge 1 boot 'p2p_discovery_packets_total{direction="out",type="pong"}'
	wait_for metric_ge 1 a 'p2p_discovery_packets_total{direction="out",type="findnode"}'
	wait_for metric_ge 1 a p2p_discovery_table_nodes
	scrape a
	[ "$(value a 'p2p_discovery_packets_total{direction="out",type="ping"}')" -ge 1 ]
	[ "$(value a 'p2p_discovery_datagrams_total{direction="out"}')" -ge 2 ]
	# The bucket gauges add up to the table.
	[ "$(awk '/^p2p_discovery_bucket_nodes\{/ { n += $NF } END { print n }' "$TMP/a.prom")" = "$(value a p2p_discovery_table_nodes)" ]
	run -0 promtool check metrics <"$TMP/a.prom"
}
