#!/usr/bin/env bats
# The NAT test topology (nat-helpers.bash) works with the stock clients,
# independently of p2pcore: upnpc finds miniupnpd's IGD by SSDP, a mapping
# made with upnpc and one made with natpmpc carry TCP from the WAN side to
# the LAN, and a topology is torn down without a trace.  What p2p-serverd
# does with it is 81-nat-serverd.bats.  Root only; one topology for the
# file, its namespaces unique to the run and deleted at the end.  Every
# wait is for a condition.
: "${BATS_TEST_TIMEOUT:=60}"
load nat-helpers

# One topology for the file (nat-helpers.bash's setup_file); each test
# starts on a rebooted router with no client process and no mapping, and
# stops miniupnpd itself (so the process that started it reaps it).

setup() {
	nat_skip_unless_possible
	[ -n "${NAT_DIR:-}" ] || { echo "setup_file: no NAT topology" >&2; return 1; }
	TMP=$(mktemp -d "${BATS_TMPDIR:-/tmp}/p2p-nat-test.XXXXXX")
	nat_reset
}

teardown() {
	# The last test's own topology, if it failed half-way.
	[ -f "${TMP:-}/nat2/namespaces" ] && NAT_DIR=$TMP/nat2 nat_topology_down
	[ -n "${NAT_DIR:-}" ] && nat_kill_clients && miniupnpd_stop
	for p in ${PIDS:-}; do wait "$p" 2>/dev/null; done
	[ -n "${TMP:-}" ] && rm -rf "$TMP"
	true
}

# lan_bg / wan_bg NAME CMD...: CMD in that namespace in the background,
# output in $TMP/NAME.out (teardown stops it).
lan_bg() { in_ns_bg "$NS_LAN" "$TMP/$1.out" "${@:2}"; PIDS="${PIDS:-} $BG_PID"; }
wan_bg() { in_ns_bg "$NS_WAN" "$TMP/$1.out" "${@:2}"; PIDS="${PIDS:-} $BG_PID"; }

# listens NS tcp|udp PORT: something listens on PORT in namespace NS.
listens() {
	[ -n "$(ip netns exec "$1" ss -Hln --"$2" "sport = :$3")" ]
}

@test "upnpc in the lan discovers the IGD by SSDP; its external address is WAN_IP" {
	run -0 in_lan upnpc -s
	[[ $output == *" desc: $IGD_URL"* ]]
	[[ $output == *"Found valid IGD : http://$ROUTER_LAN_IP:"* ]]
	[[ $output == *"Local LAN ip address : $LAN_IP"* ]]
	[[ $output == *"ExternalIPAddress = $WAN_IP"* ]]
	# IGD_URL (upnpc -u) skips discovery, which waits 2 s each time.
	run -0 upnpc_lan -s
	[[ $output == *"ExternalIPAddress = $WAN_IP"* ]]
}

@test "a TCP server in the lan is reachable from wan at WAN_IP:PORT only through a mapping" {
	# shellcheck disable=SC2016 # socat's shell expands it
	lan_bg srv socat TCP-LISTEN:4000,reuseaddr,fork \
	    'SYSTEM:echo hello $SOCAT_PEERADDR'
	wait_for listens "$NS_LAN" tcp 4000
	# No mapping: the router itself refuses.
	run -1 in_wan socat -u "TCP:$WAN_IP:4000,connect-timeout=5" STDOUT
	[[ $output == *"Connection refused"* ]]
	run -0 upnpc_lan -a "$LAN_IP" 4000 4000 TCP 600
	mapping_is TCP 4000 "$LAN_IP" 590 600
	run -0 nat_rules
	[[ $output == *"dnat ip to $LAN_IP:4000"* ]]
	# Inbound is DNATed, not masqueraded: the server sees the peer.
	run -0 in_wan socat -u "TCP:$WAN_IP:4000,connect-timeout=5" STDOUT
	[ "$output" = "hello $PEER_WAN_IP" ]
}

# pmpc_mapped PORT PROTO LIFETIME: stock natpmpc maps PORT to the same port
# of LAN_IP; true once it printed that mapping.  natpmpc (libnatpmp) takes
# any answer as the answer to its pending request: when its retry timer
# sent the address request twice (a loaded machine), the second address
# answer is printed in place of the mapping's.  The router made the
# mapping all the same; asking again is harmless.  ("liftime" is
# natpmpc's own spelling.)
pmpc_mapped() {
	local out
	out=$(in_lan natpmpc -g "$ROUTER_LAN_IP" -a "$1" "$1" "$2" "$3") &&
	    [[ $out == *"Mapped public port $1 protocol ${2^^} to local port $1 liftime $3"* ]]
}

@test "natpmpc: external address, a mapping that carries TCP, lifetime 0 deletes it" {
	run -0 in_lan natpmpc -g "$ROUTER_LAN_IP"
	[[ $output == *"Public IP address : $WAN_IP"* ]]
	lan_bg srv socat TCP-LISTEN:4002,reuseaddr,fork 'SYSTEM:echo pmp'
	wait_for listens "$NS_LAN" tcp 4002
	wait_for pmpc_mapped 4002 tcp 3600
	mapping_is TCP 4002 "$LAN_IP" 3590 3600
	run -0 nat_leases
	[[ $output == "TCP 4002 $LAN_IP:4002 "* ]]
	run -0 in_wan socat -u "TCP:$WAN_IP:4002,connect-timeout=5" STDOUT
	[ "$output" = pmp ]
	run -0 in_lan natpmpc -g "$ROUTER_LAN_IP" -a 4002 4002 tcp 0
	wait_for no_mapping TCP 4002
}

@test "nat_topology_up and nat_topology_down: a second topology, then none of it left" {
	local shared=$NS_ROUTER
	# Local copies: the file's topology is the teardown's again after.
	local NAT_DIR NS_WAN NS_ROUTER NS_LAN WAN_IP PEER_WAN_IP ROUTER_LAN_IP \
	    LAN_IP IGD_URL MINIUPNPD_CONF MINIUPNPD_LEASES MINIUPNPD_LOG \
	    MINIUPNPD_PIDFILE MINIUPNPD_PID
	nat_topology_up "$TMP/nat2"
	[ "$NS_ROUTER" != "$shared" ]
	lan_bg srv socat TCP-LISTEN:4000,reuseaddr,fork SYSTEM:true
	wan_bg peer socat TCP-LISTEN:4100,reuseaddr,fork SYSTEM:true
	wait_for listens "$NS_LAN" tcp 4000
	wait_for listens "$NS_WAN" tcp 4100
	run -0 upnpc_lan -a "$LAN_IP" 4000 4000 TCP 600
	local mpid=$MINIUPNPD_PID
	nat_topology_down
	run -0 nat_namespaces_left
	[ -z "$output" ]
	for p in $mpid $PIDS; do nat_gone "$p"; done
	[ ! -e "$TMP/nat2" ]
	# A second call is harmless.
	nat_topology_down
	# The file's topology is untouched.
	[ -e "/run/netns/$shared" ]
}
