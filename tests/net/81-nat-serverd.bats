#!/usr/bin/env bats
# p2p-serverd --nat through a real NAT router (nat-helpers.bash: miniupnpd
# with UPnP IGD and NAT-PMP, nftables masquerading the lan): the mappings
# it makes, the external endpoint it announces, peers in wan reaching it
# over RLPx and discovery, renewal, a router reboot, removal at exit, a
# router that grants only permanent leases (stub-igd.js), no router, a
# static --nat extip and the endpoint predicted from pongs.  Root only;
# one topology for the file.  Every wait is for a condition.
#
# A UPnP search takes up to P2P_NAT_UPNP_WAIT_MS (3 s: IGD v1 and v2, half
# each): those searches are most of the time this file takes.
: "${BATS_TEST_TIMEOUT:=60}"
load nat-helpers


# Each test starts with miniupnpd running and no mapping (a router
# rebooted when a test left one, or stopped miniupnpd), and no other
# process in the namespaces.
setup() {
	nat_skip_unless_possible
	[ -n "${NAT_DIR:-}" ] || { echo "setup_file: no NAT topology" >&2; return 1; }
	TMP=$(mktemp -d "${BATS_TMPDIR:-/tmp}/p2p-nat-sd.XXXXXX")
	PIDS=
	nat_clean
}

teardown() {
	# A failed test shows its daemons' NAT and endpoint records (bats
	# prints them only then).
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -n "${TMP:-}" ]; then
		for f in "$TMP"/*.out; do
			[ -f "$f" ] || continue
			echo "${f##*/}:"
			jq -c 'select(.type == "nat" or .type == "endpoint") |
			    del(.time)' "$f" 2>/dev/null | tail -30
		done
	fi
	# SIGTERM to the daemons (they remove their mappings) and the rest;
	# miniupnpd runs on for the next test.
	[ -n "${NAT_DIR:-}" ] && nat_kill_clients
	for p in ${PIDS:-}; do wait "$p" 2>/dev/null; done
	[ -n "${TMP:-}" ] && rm -rf "$TMP"
	true
}

# sd_lan NAME ADDR ARGS...: p2p-serverd in the lan, datadir $TMP/NAME,
# listening on ADDR, records in $TMP/NAME.out; sets PID_NAME (the
# daemon's own pid: ip netns exec execs it) and returns once it started.
# The environment is passed on (P2P_NAT_LIFETIME, P2P_NAT_RENEW).
sd_lan() {
	local name=$1 addr=$2
	shift 2
	ip netns exec "$NS_LAN" p2p-serverd --datadir "$TMP/$name" \
	    --addr "$addr" "$@" </dev/null >"$TMP/$name.out" \
	    2>"$TMP/$name.err" 3>&- &
	eval "PID_$name=$!"
	PIDS="$PIDS $!"
	wait_for has_record "$name" '.type == "started"' ||
	    { cat "$TMP/$name.err" >&2; return 1; }
}

# count_records NAME FILTER: how many records of NAME match FILTER.
count_records() {
	jq -s "[.[] | select($2)] | length" "$TMP/$1.out"
}
records_ge() { [ "$(count_records "$2" "$3")" -ge "$1" ]; }

# record NAME FILTER: the last record of NAME that matches FILTER.
record() {
	jq -sc "[.[] | select($2)] | last" "$TMP/$1.out"
}

# nat_state NAME: p2p_natState of daemon NAME (a Unix socket: reached
# from any namespace).
nat_state() { p2p-ctl --datadir "$TMP/$1" call p2p_natState; }
state_is() { nat_state "$1" | jq -e "$2" >/dev/null; }

# stop_sd NAME: SIGTERM, exit status 0; its pid leaves PIDS.
stop_sd() {
	local pid
	eval "pid=\$PID_$1"
	kill -TERM "$pid"
	status_of 0 "$pid" || { cat "$TMP/$1.err" >&2; return 1; }
	PIDS=${PIDS//$pid/}
}

# reached_from_wan NAME ENODE: a peer in wan completes the RLPx and Hello
# handshakes with ENODE (the daemon's external endpoint), which sees it
# come from PEER_WAN_IP (forwarded, not masqueraded); discovery v4 from
# wan gets a pong and the record, which names the external endpoint.
reached_from_wan() {
	local e=$2 ip=${2##*@}
	ip=${ip%%:*}
	run -0 --separate-stderr in_wan p2p-dial --stage hello "$e"
	jqo '.ok and .phase == "hello"'
	wait_for has_record "$1" ".type == \"peer\" and .event == \"add\" and
	    .inbound and (.remote | startswith(\"$PEER_WAN_IP:\"))"
	run -0 --separate-stderr in_wan p2p-discover ping \
	    --addr "$PEER_WAN_IP:0" "$e"
	jqo '.type == "pong" and .ok'
	run -0 --separate-stderr in_wan p2p-discover requestenr \
	    --addr "$PEER_WAN_IP:0" "$e"
	jqo ".ok and .ip == \"$ip\" and .tcp == ${e##*:} and .udp == ${e##*:}"
}

# enr_ip ENR: the ip, tcp and udp of a verified record ("IP TCP UDP").
enr_ip() {
	p2p-keygen -d "$1" | jq -r 'select(.type == "enr") |
	    "\(.ip) \(.tcp) \(.udp)"'
}

# wan_nodes N: N discovery nodes in wan (p2p-discover serve), each on an
# address of its own, 1.3.I.2, in a /24 of its own (a table keeps at most
# two nodes of one /24 per bucket, as go-ethereum's, so nodes sharing
# PEER_WAN_IP would not all be pinged); their enode URLs in BOOTNODES.
wan_nodes() {
	local i
	in_router ip route replace 1.3.0.0/16 via "$PEER_WAN_IP" || return 1
	for ((i = 0; i < $1; i++)); do
		echo "addr replace 1.3.$i.2/32 dev eth0"
	done | ip -n "$NS_WAN" -batch - || return 1
	for ((i = 0; i < $1; i++)); do
		ip netns exec "$NS_WAN" p2p-discover serve --addr "1.3.$i.2:30303" \
		    --tcp 30303 </dev/null >"$TMP/w$i.out" 2>"$TMP/w$i.err" 3>&- &
		PIDS="$PIDS $!"
	done
	for ((i = 0; i < $1; i++)); do
		wait_for nonempty "$TMP/w$i.out" || return 1
	done
	BOOTNODES=$(jq -rn '[inputs | select(.type == "listening") | .enode] |
	    join(",")' "$TMP"/w*.out)
}

# bonded_with N ID: N wan nodes have node ID in their tables (each pinged
# it back after its ping, so it had sent it its pong before).
bonded_with() {
	[ "$(jq -n --arg id "$2" '[inputs | select(.type == "added" and
	    .id == $id) | input_filename] | unique | length' "$TMP"/w*.out)" = "$1" ]
}

# maps_both PORT LMIN LMAX: the router maps TCP and UDP PORT to
# LAN_IP:PORT with between LMIN and LMAX seconds of lease left (one
# upnpc -l; what it lists instead on standard error).
maps_both() {
	local m
	m=$(nat_mappings)
	[ "$(awk -v port="$1" -v to="$LAN_IP:$1" -v lo="$2" -v hi="$3" \
	    '($1 == "TCP" || $1 == "UDP") && $2 == port && $3 == to &&
	    $4 >= lo && $4 <= hi' <<<"$m" | wc -l)" = 2 ] && return 0
	echo "not TCP and UDP $1 -> $LAN_IP:$1 with a lease in [$2, $3]:" >&2
	echo "$m" >&2
	return 1
}

# router_empty: the router has no mapping at all (upnpc -l, its lease
# file, its nft chains).
router_empty() {
	local m l r
	m=$(nat_mappings) && l=$(nat_leases) && r=$(nat_rules) || return 1
	[ -z "$m$l$r" ] && return 0
	printf 'the router still maps:\n%s\n%s\n%s\n' "$m" "$l" "$r" >&2
	return 1
}

# nat_events NAME: the nat and stopped records of NAME, one JSON array
# of [event, proto, internal_port, external_port, lifetime, code] (type
# for stopped), for exact comparisons.
nat_events() {
	jq -sc '[.[] | select(.type == "nat" or .type == "stopped") |
	    [.event // .type, .proto, .internal_port, .external_port,
	    .lifetime, .code]]' "$TMP/$1.out"
}

@test "--nat upnp: TCP and UDP mapped, WAN_IP announced, reached from wan over RLPx and discovery; SIGTERM removes them before stopped" {
	sd_lan a 0.0.0.0:30301 --nat upnp
	wait_for has_record a '.type == "endpoint"'
	run -0 nat_events a
	[ "$output" = '[["searching",null,null,null,null,null],["found",null,null,null,null,null],["mapped","tcp",30301,30301,1200,null],["mapped","udp",30301,30301,1200,null],["external",null,null,null,null,null]]' ]
	jq -se --arg gw "$ROUTER_LAN_IP" --arg ext "$WAN_IP" '
	    [.[] | select(.type == "nat")] | all(.method == "upnp") and
	    (.[1:] | all(.gateway == $gw)) and
	    (.[2:] | all(.external_ip == $ext)) and
	    (.[4] | .tcp == 30301 and .udp == 30301)' "$TMP/a.out"
	maps_both 30301 1100 1200
	# The announced node: enode, record, admin_nodeInfo, p2p_natState.
	E=$(record a '.type == "endpoint"' | jq -r .enode)
	[[ $E == enode://*@$WAN_IP:30301 ]]
	run -0 record a '.type == "endpoint"'
	jqo '.source == "static" and .seq >= 2'
	[ "$(enr_ip "$(jq -r .enr <<<"$output")")" = "$WAN_IP 30301 30301" ]
	p2p-ctl --datadir "$TMP/a" nodeinfo | jq -e ".enode == \"$E\""
	nat_state a | jq -e ".nat == \"upnp\" and .method == \"upnp\" and
	    (.searching | not) and .gateway == \"$ROUTER_LAN_IP\" and
	    .external_ip == \"$WAN_IP\" and .tcp == 30301 and .udp == 30301 and
	    .lifetime == 1200 and .renewals == 1 and .last_error == null"
	reached_from_wan a "$E"
	# SIGTERM: both deleted, reported before stopped.
	stop_sd a
	router_empty
	run -0 nat_events a
	[[ $output == *',["removed","tcp",30301,30301,null,null],["removed","udp",30301,30301,null,null],["stopped",null,null,null,null,null]]' ]]
	tail -1 "$TMP/a.out" | jq -e '.type == "stopped" and .signal == "SIGTERM"'
}

@test "--nat pmp: TCP and UDP mapped by NAT-PMP, WAN_IP announced and reachable; SIGTERM deletes them" {
	sd_lan a "$LAN_IP:30302" --nat pmp
	wait_for has_record a '.type == "endpoint"'
	run -0 nat_events a
	[ "$output" = '[["searching",null,null,null,null,null],["found",null,null,null,null,null],["mapped","tcp",30302,30302,1200,null],["mapped","udp",30302,30302,1200,null],["external",null,null,null,null,null]]' ]
	jq -se --arg gw "$ROUTER_LAN_IP" --arg ext "$WAN_IP" '
	    [.[] | select(.type == "nat")] | all(.method == "pmp") and
	    (.[1:] | all(.gateway == $gw)) and
	    (.[2:] | all(.external_ip == $ext))' "$TMP/a.out"
	maps_both 30302 1100 1200
	E=$(record a '.type == "endpoint"' | jq -r .enode)
	[[ $E == enode://*@$WAN_IP:30302 ]]
	nat_state a | jq -e ".nat == \"pmp\" and .method == \"pmp\" and
	    .external_ip == \"$WAN_IP\" and .tcp == 30302 and .udp == 30302"
	reached_from_wan a "$E"
	# NAT-PMP deletes with lifetime 0.
	stop_sd a
	router_empty
	run -0 nat_events a
	[[ $output == *',["removed","tcp",30302,30302,null,null],["removed","udp",30302,30302,null,null],["stopped",null,null,null,null,null]]' ]]
}

@test "renewal: the default --nat (any beyond loopback) renews every P2P_NAT_RENEW seconds, and maps again after a router reboot" {
	# No --nat: any, as the node listens beyond loopback.
	P2P_NAT_LIFETIME=10 P2P_NAT_RENEW=2 sd_lan a "$LAN_IP:30303"
	# Two rounds: four mapped records, each with the short lease.
	wait_for records_ge 4 a '.event == "mapped"'
	wait_for state_is a '.renewals >= 2'
	nat_state a | jq -e '.nat == "any" and .method == "upnp" and
	    .lifetime == 10'
	maps_both 30303 1 10
	# Only the first round searched and announced; every lease asked
	# is the short one.
	jq -se '[.[] | select(.type == "nat" or .type == "endpoint")] |
	    ([.[] | select(.event == "searching")] | length) == 1 and
	    ([.[] | select(.type == "endpoint")] | length) == 1 and
	    ([.[] | select(.event == "mapped")] | all(.lifetime == 10))' \
	    "$TMP/a.out"
	# The router reboots: miniupnpd's rules and leases are gone ...
	miniupnpd_stop
	nat_flush
	[ -z "$(nat_rules)" ]
	[ -z "$(nat_leases)" ]
	n=$(count_records a '.event == "mapped"')
	r=$(nat_state a | jq .renewals)
	miniupnpd_start
	# ... and a round made them again (a round that met the router down
	# failed and searched again first).
	wait_for records_ge "$((n + 2))" a '.event == "mapped"'
	wait_for state_is a ".renewals > $r"
	wait_for maps_both 30303 1 10
	# Same router, same address: nothing new to announce.
	[ "$(count_records a '.type == "endpoint"')" = 1 ]
}

@test "UPnP error 725 (only permanent leases): failed record with code 725, then lease 0, deleted at exit" {
	command -v node >/dev/null || skip "node is not installed (stub-igd.js)"
	miniupnpd_stop
	ip netns exec "$NS_ROUTER" node "$BATS_TEST_DIRNAME/stub-igd.js" \
	    "$ROUTER_LAN_IP" "$WAN_IP" 5001 "$TMP/igd.log" \
	    </dev/null >"$TMP/igd.out" 2>"$TMP/igd.err" 3>&- &
	PIDS="$PIDS $!"
	wait_for nonempty "$TMP/igd.out" || { cat "$TMP/igd.err" >&2; false; }
	sd_lan a "$LAN_IP:30305" --nat upnp
	wait_for has_record a '.type == "endpoint"'
	# For each port: 725 asking 1200 s, then lease 0 (permanent).
	run -0 nat_events a
	[ "$output" = '[["searching",null,null,null,null,null],["found",null,null,null,null,null],["failed","tcp",30305,30305,null,725],["mapped","tcp",30305,30305,0,null],["failed","udp",30305,30305,null,725],["mapped","udp",30305,30305,0,null],["external",null,null,null,null,null]]' ]
	jq -se --arg url "http://$ROUTER_LAN_IP:5001/rootDesc.xml" '
	    any(.[]; .event == "found" and .detail == $url) and
	    ([.[] | select(.event == "failed")] | all(.step == "map" and
	    (.detail | test("OnlyPermanentLeasesSupported"))))' "$TMP/a.out"
	[[ $(record a '.type == "endpoint"' | jq -r .enode) == *"@$WAN_IP:30305" ]]
	nat_state a | jq -e '.method == "upnp" and .lifetime == 0 and
	    .tcp == 30305 and .udp == 30305'
	run -0 jq -sc '[.[] | select(.action == "AddPortMapping") |
	    [.proto, .external_port, .internal_client, .lease, .result]]' \
	    "$TMP/igd.log"
	[ "$output" = "[[\"TCP\",30305,\"$LAN_IP\",1200,725],[\"TCP\",30305,\"$LAN_IP\",0,0],[\"UDP\",30305,\"$LAN_IP\",1200,725],[\"UDP\",30305,\"$LAN_IP\",0,0]]" ]
	stop_sd a
	run -0 jq -sc '[.[] | select(.action == "DeletePortMapping") |
	    [.proto, .external_port, .result]]' "$TMP/igd.log"
	[ "$output" = '[["TCP",30305,0],["UDP",30305,0]]' ]
	run -0 nat_events a
	[[ $output == *',["removed","tcp",30305,30305,null,null],["removed","udp",30305,30305,null,null],["stopped",null,null,null,null,null]]' ]]
}

@test "an external port taken by another host (718): another one is mapped, and it is the one announced" {
	command -v node >/dev/null || skip "node is not installed (stub-igd.js)"
	miniupnpd_stop
	ip netns exec "$NS_ROUTER" node "$BATS_TEST_DIRNAME/stub-igd.js" \
	    "$ROUTER_LAN_IP" "$WAN_IP" 5001 "$TMP/igd.log" 30309 \
	    </dev/null >"$TMP/igd.out" 2>"$TMP/igd.err" 3>&- &
	PIDS="$PIDS $!"
	wait_for nonempty "$TMP/igd.out" || { cat "$TMP/igd.err" >&2; false; }
	sd_lan a "$LAN_IP:30309" --nat upnp
	wait_for has_record a '.type == "endpoint"'
	# Each port: 718 for 30309, then another port (with lease 0 here).
	jq -se '[.[] | select(.type == "nat" and .event == "mapped")] |
	    length == 2 and all(.internal_port == 30309 and
	    .external_port != 30309 and .external_port >= 1024)' "$TMP/a.out"
	tcp=$(record a '.event == "mapped" and .proto == "tcp"' | jq .external_port)
	udp=$(record a '.event == "mapped" and .proto == "udp"' | jq .external_port)
	record a '.event == "external"' | jq -e ".tcp == $tcp and .udp == $udp"
	# Announced: the external ports, not the bound one, in one record
	# (address and both ports are one change).
	[ "$(count_records a '.type == "endpoint"')" = 1 ]
	[[ $(record a '.type == "endpoint"' | jq -r .enode) == *"@$WAN_IP:$tcp"* ]]
	record a '.type == "endpoint"' | jq -r .enr | p2p-keygen -d |
	    jq -e ".udp == $udp and .tcp == $tcp"
	run -0 jq -sc '[.[] | select(.action == "AddPortMapping" and
	    .result == 718) | .external_port]' "$TMP/igd.log"
	[ "$output" = '[30309,30309]' ]
}

@test "NAT-PMP: a router that answers a request twice; the extra answer is not read as the next request's" {
	command -v node >/dev/null || skip "node is not installed (stub-pmp.js)"
	miniupnpd_stop
	ip netns exec "$NS_ROUTER" node "$BATS_TEST_DIRNAME/stub-pmp.js" \
	    "$ROUTER_LAN_IP" "$WAN_IP" "$TMP/pmp.log" \
	    </dev/null >"$TMP/pmp.out" 2>"$TMP/pmp.err" 3>&- &
	PIDS="$PIDS $!"
	wait_for nonempty "$TMP/pmp.out" || { cat "$TMP/pmp.err" >&2; false; }
	# Renewed every second: each round asks the address and both ports
	# again, each time behind a duplicate address answer.
	P2P_NAT_RENEW=1 sd_lan a "$LAN_IP:30311" --nat "pmp:$ROUTER_LAN_IP"
	wait_for records_ge 6 a '.event == "mapped"'
	jq -se --arg ext "$WAN_IP" '[.[] | select(.event == "mapped")] |
	    all(.external_port == 30311 and .internal_port == 30311 and
	    .external_ip == $ext and .lifetime == 1200)' "$TMP/a.out"
	[ "$(count_records a '.type == "endpoint"')" = 1 ]
	[[ $(record a '.type == "endpoint"' | jq -r .enode) == *"@$WAN_IP:30311" ]]
	run -1 has_record a '.event == "failed"'
	stop_sd a
	run -0 nat_events a
	[[ $output == *',["removed","tcp",30311,30311,null,null],["removed","udp",30311,30311,null,null],["stopped",null,null,null,null,null]]' ]]
	# Each mapping was deleted once at exit (lifetime 0), as asked.
	[ "$(jq -s '[.[] | select(.op == "map" and .lifetime == 0)] | length' "$TMP/pmp.log")" = 2 ]
}

@test "no router: --nat any reports not-found and the node runs on at its lan address" {
	miniupnpd_stop
	sd_lan a "$LAN_IP:30306" --nat any
	# UPnP (3 s: IGD v1 and v2), then NAT-PMP (refused at once).
	wait_for has_record a '.type == "nat" and .event == "not-found"'
	run -0 jq -sc '[.[] | select(.type == "nat") | [.event, .method]]' \
	    "$TMP/a.out"
	[ "$output" = '[["searching","any"],["not-found",null]]' ]
	record a '.event == "not-found"' |
	    jq -e '.detail == "no UPnP or NAT-PMP router answered"'
	run -1 has_record a '.type == "endpoint"'
	nat_state a | jq -e '.nat == "any" and .method == null and
	    (.searching | not) and .external_ip == null and .tcp == null and
	    .last_error == "no UPnP or NAT-PMP router answered"'
	run -1 nat_gone "$PID_a"
	p2p-ctl --datadir "$TMP/a" nodeinfo |
	    jq -e "(.enode | endswith(\"@$LAN_IP:30306\")) and .ip == \"$LAN_IP\""
	stop_sd a
	run -0 nat_events a
	[ "$output" = '[["searching",null,null,null,null,null],["not-found",null,null,null,null,null],["stopped",null,null,null,null,null]]' ]
}

@test "--nat extip:IP is announced and kept; with --nat none the endpoint 10 wan nodes report in their pongs is announced" {
	wan_nodes 10
	# Both ping the same ten nodes, whose pongs name WAN_IP and the port
	# the router masqueraded them to (their own: nothing else uses it).
	sd_lan x "$LAN_IP:30307" --nat extip:203.0.113.9 --bootnodes "$BOOTNODES"
	sd_lan n "$LAN_IP:30308" --nat none --bootnodes "$BOOTNODES"
	run -0 head -1 "$TMP/x.out"
	jqo '.type == "started" and (.enode | endswith("@203.0.113.9:30307"))'
	[ "$(enr_ip "$(jq -r .enr <<<"$output")")" = "203.0.113.9 30307 30307" ]
	idx=$(jq -r .id <<<"$output")
	run -0 head -1 "$TMP/n.out"
	jqo ".enode | endswith(\"@$LAN_IP:30308\")"
	# --nat none: predicted from the pongs.
	wait_for has_record n '.type == "endpoint"'
	run -0 record n '.type == "endpoint"'
	jqo ".source == \"predicted\" and (.enode | endswith(\"@$WAN_IP:30308\"))"
	[ "$(enr_ip "$(jq -r .enr <<<"$output")")" = "$WAN_IP 30308 30308" ]
	p2p-ctl --datadir "$TMP/n" nodeinfo |
	    jq -e ".enode | endswith(\"@$WAN_IP:30308\")"
	nat_state n | jq -e '.nat == "none" and .method == null'
	# --nat extip: once the ten have bonded with it (so it has their
	# pongs), still the static address: never replaced by a prediction.
	wait_for bonded_with 10 "$idx"
	run -1 has_record x '.type == "endpoint" and (.source != "static" or
	    (.enode | endswith("@203.0.113.9:30307") | not))'
	p2p-ctl --datadir "$TMP/x" nodeinfo |
	    jq -e '.enode | endswith("@203.0.113.9:30307")'
	nat_state x | jq -e '.nat == "extip" and .method == null'
	# Neither asked the router for anything.
	run -1 has_record x '.type == "nat"'
	run -1 has_record n '.type == "nat"'
	router_empty
}
