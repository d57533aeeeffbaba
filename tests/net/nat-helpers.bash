# nat-helpers.bash - a real NAT router in network namespaces, for the NAT
# traversal tests (UPnP IGD and NAT-PMP).  Root only: nat_skip_unless_possible
# skips the test otherwise.
#
# The topology (three named namespaces, unique per run, deleted by
# nat_topology_down):
#
#   NS_WAN                    NS_ROUTER                      NS_LAN
#   eth0 1.2.3.2/24 ------ wan0 1.2.3.1/24
#   (PEER_WAN_IP)          (WAN_IP, ext_ifname)
#                          lan0 192.168.57.1/24 ------ eth0 192.168.57.10/24
#                          (ROUTER_LAN_IP,              (LAN_IP; default
#                           listening_ip)                route via the router)
#
# The router forwards, masquerades LAN to WAN with nftables and runs
# miniupnpd (UPnP IGD on http_port 5000 and NAT-PMP on 5351, both on lan0).
# 1.2.3.0/24 is an arbitrary ordinary unicast range: miniupnpd refuses
# private, CGNAT and documentation ranges as its external address.  It exists
# only on the veths between NS_WAN and NS_ROUTER; no namespace here has a
# link to any other namespace, so nothing routes out of them (and the tests
# run inside `unshare -n` as well).
#
# Debian's /etc/miniupnpd/nft_init.sh is broken (its miniupnpd_functions.sh
# is not shipped), and miniupnpd-nftables ships no config and no service:
# the tables and chains are created here and the config is written to
# NAT_DIR.

load helpers

NAT_WAN_IP=1.2.3.1
NAT_PEER_WAN_IP=1.2.3.2
NAT_ROUTER_LAN_IP=192.168.57.1
NAT_LAN_IP=192.168.57.10
NAT_HTTP_PORT=5000

# nat_why_not: prints why the topology cannot be built here (not root,
# a tool missing, no named network namespaces) and fails; true if it can.
nat_why_not() {
	local t missing=""
	# Up already (with bats: setup_file built it).
	[ -n "${NS_ROUTER:-}" ] && [ -e "/run/netns/$NS_ROUTER" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "NAT topology needs root (network namespaces, nftables, miniupnpd)"
		return 1
	fi
	for t in ip nft miniupnpd upnpc natpmpc socat ss; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	if [ -n "$missing" ]; then
		echo "NAT topology needs:$missing (sh tests/deps.sh check installs them)"
		return 1
	fi
	t=p2pnat-probe-$$
	if ! ip netns add "$t" 2>/dev/null; then
		echo "NAT topology: cannot create named network namespaces here"
		return 1
	fi
	ip netns delete "$t"
}

# nat_skip_unless_possible: skips the test, saying why, unless the
# topology can be built.
nat_skip_unless_possible() {
	local why
	why=$(nat_why_not) || skip "$why"
}

# nat_topology_up [DIR]: builds the topology and starts miniupnpd; its
# files live in DIR (default: a new directory under BATS_TMPDIR or /tmp),
# which nat_topology_down removes.  Exports NS_WAN NS_ROUTER NS_LAN,
# WAN_IP PEER_WAN_IP ROUTER_LAN_IP LAN_IP, IGD_URL (the root description,
# for upnpc -u), NAT_DIR and MINIUPNPD_CONF MINIUPNPD_LEASES MINIUPNPD_LOG.
nat_topology_up() {
	local id
	NAT_DIR=${1:-$(mktemp -d "${BATS_TMPDIR:-/tmp}/p2p-nat.XXXXXX")}
	mkdir -p "$NAT_DIR"
	# Named namespaces are global to the machine: unique per run.
	id=$$-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
	export NAT_DIR NS_WAN=p2pnat-$id-wan NS_ROUTER=p2pnat-$id-router \
	    NS_LAN=p2pnat-$id-lan
	export WAN_IP=$NAT_WAN_IP PEER_WAN_IP=$NAT_PEER_WAN_IP \
	    ROUTER_LAN_IP=$NAT_ROUTER_LAN_IP LAN_IP=$NAT_LAN_IP
	export IGD_URL=http://$ROUTER_LAN_IP:$NAT_HTTP_PORT/rootDesc.xml
	export MINIUPNPD_CONF=$NAT_DIR/miniupnpd.conf
	export MINIUPNPD_LEASES=$NAT_DIR/miniupnpd.leases
	export MINIUPNPD_LOG=$NAT_DIR/miniupnpd.log
	export MINIUPNPD_PIDFILE=$NAT_DIR/miniupnpd.pid
	# Recorded first, so nat_topology_down finds whatever got created.
	echo "$NS_WAN $NS_ROUTER $NS_LAN" >"$NAT_DIR/namespaces"
	# shellcheck disable=SC2015 # any step failing is the failure
	nat_netns_up && nat_nft_up && miniupnpd_start || {
		echo "nat_topology_up failed" >&2
		[ -s "$MINIUPNPD_LOG" ] && tail -20 "$MINIUPNPD_LOG" >&2
		return 1
	}
}

# nat_netns_up: the namespaces, veths, addresses and routes.
nat_netns_up() {
	local ns
	for ns in "$NS_WAN" "$NS_ROUTER" "$NS_LAN"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
	done
	ip -n "$NS_ROUTER" link add wan0 type veth peer name eth0 \
	    netns "$NS_WAN" || return 1
	ip -n "$NS_ROUTER" link add lan0 type veth peer name eth0 \
	    netns "$NS_LAN" || return 1
	ip -n "$NS_WAN" addr add "$PEER_WAN_IP/24" dev eth0 &&
	ip -n "$NS_ROUTER" addr add "$WAN_IP/24" dev wan0 &&
	ip -n "$NS_ROUTER" addr add "$ROUTER_LAN_IP/24" dev lan0 &&
	ip -n "$NS_LAN" addr add "$LAN_IP/24" dev eth0 &&
	ip -n "$NS_WAN" link set eth0 up &&
	ip -n "$NS_ROUTER" link set wan0 up &&
	ip -n "$NS_ROUTER" link set lan0 up &&
	ip -n "$NS_LAN" link set eth0 up &&
	ip -n "$NS_LAN" route add default via "$ROUTER_LAN_IP" &&
	ip netns exec "$NS_ROUTER" sysctl -qw net.ipv4.ip_forward=1
}

# nat_nft_up: the router's ruleset.  The forward chain drops what is not
# LAN to WAN, a reply, or accepted by miniupnpd's chain; masquerade after
# miniupnpd's postrouting chain (which keeps a mapping's source port).
nat_nft_up() {
	ip netns exec "$NS_ROUTER" nft -f - <<-'EOF'
	table inet filter {
		chain forward {
			type filter hook forward priority 0; policy drop;
			ct state established,related accept
			iifname "lan0" oifname "wan0" accept
			jump miniupnpd
		}
		chain miniupnpd {
		}
	}
	table inet nat {
		chain prerouting {
			type nat hook prerouting priority -100; policy accept;
			jump prerouting_miniupnpd
		}
		chain postrouting {
			type nat hook postrouting priority 100; policy accept;
			jump postrouting_miniupnpd
			oifname "wan0" masquerade
		}
		chain prerouting_miniupnpd {
		}
		chain postrouting_miniupnpd {
		}
	}
	EOF
}

# miniupnpd_conf [OPTION=VALUE...]: writes MINIUPNPD_CONF, the defaults
# with each OPTION replaced (or added) by the given value.
miniupnpd_conf() {
	local kv
	cat >"$MINIUPNPD_CONF" <<-EOF
	ext_ifname=wan0
	listening_ip=lan0
	http_port=$NAT_HTTP_PORT
	enable_upnp=yes
	enable_natpmp=yes
	secure_mode=yes
	ipv6_disable=yes
	system_uptime=no
	notify_interval=60
	clean_ruleset_interval=600
	lease_file=$MINIUPNPD_LEASES
	minissdpdsocket=$NAT_DIR/minissdpd.sock
	uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b
	upnp_table_name=filter
	upnp_nat_table_name=nat
	upnp_forward_chain=miniupnpd
	upnp_nat_chain=prerouting_miniupnpd
	upnp_nat_postrouting_chain=postrouting_miniupnpd
	allow 1024-65535 192.168.57.0/24 1024-65535
	deny 0-65535 0.0.0.0/0 0-65535
	EOF
	for kv in "$@"; do
		sed -i "/^${kv%%=*}=/d" "$MINIUPNPD_CONF"
		# allow/deny rules are read in order: put the option first.
		sed -i "1i $kv" "$MINIUPNPD_CONF"
	done
}

# miniupnpd_start [OPTION=VALUE...]: starts miniupnpd in the foreground (-d)
# in NS_ROUTER, pid in MINIUPNPD_PID (and miniupnpd_pid), output appended
# to MINIUPNPD_LOG; returns once it listens for UPnP (HTTP and SSDP) and
# NAT-PMP.
miniupnpd_start() {
	local from
	miniupnpd_conf "$@"
	touch "$MINIUPNPD_LOG"
	from=$(($(wc -l <"$MINIUPNPD_LOG") + 1))
	ip netns exec "$NS_ROUTER" miniupnpd -f "$MINIUPNPD_CONF" -d \
	    -P "$MINIUPNPD_PIDFILE" </dev/null >>"$MINIUPNPD_LOG" 2>&1 3>&- &
	MINIUPNPD_PID=$!
	echo "$MINIUPNPD_PID" >"$NAT_DIR/miniupnpd.ours"
	wait_for miniupnpd_ready_or_dead "$from" || return 1
	! nat_gone "$MINIUPNPD_PID" || {
		echo "miniupnpd exited:" >&2
		tail -n "+$from" "$MINIUPNPD_LOG" >&2
		rm -f "$NAT_DIR/miniupnpd.ours"
		MINIUPNPD_PID=
		return 1
	}
}

# miniupnpd_ready_or_dead LINE: miniupnpd has exited, or has logged (from
# line LINE of its log on) that it listens for HTTP and NAT-PMP.
miniupnpd_ready_or_dead() {
	nat_gone "$MINIUPNPD_PID" && return 0
	awk -v from="$1" 'NR >= from && /HTTP listening on port/ { h = 1 }
	    NR >= from && /Listening for NAT-PMP/ { n = 1 }
	    END { exit !(h && n) }' "$MINIUPNPD_LOG"
}

# miniupnpd_pid: the pid of the miniupnpd nat_topology_up or a restart
# started (kept in NAT_DIR: with bats, one test's restart is seen by the
# next, which runs in another process); empty once it was stopped.
miniupnpd_pid() { cat "$NAT_DIR/miniupnpd.ours" 2>/dev/null || true; }

# miniupnpd_stop: SIGTERM to miniupnpd until it has exited.  Once is not
# enough: a SIGTERM that lands between miniupnpd's check of its quit flag
# and its select() is only seen when select() times out (notify_interval,
# 60 s here), which was seen on a loaded machine.
miniupnpd_stop() {
	local pid
	pid=$(miniupnpd_pid)
	[ -n "$pid" ] || return 0
	wait_for nat_term "$pid" || return 1
	# Reaped here if this shell started it (127 if another did: bats
	# runs each test in a process of its own).
	wait "$pid" 2>/dev/null || true
	rm -f "$NAT_DIR/miniupnpd.ours"
	MINIUPNPD_PID=
}

# nat_term PID: true once PID has exited, else sends it SIGTERM (again).
nat_term() {
	nat_gone "$1" && return 0
	kill -TERM "$1" 2>/dev/null
	return 1
}

# miniupnpd_restart [OPTION=VALUE...]: stops miniupnpd and starts it again
# (with the same lease file).
miniupnpd_restart() {
	miniupnpd_stop && miniupnpd_start "$@"
}

# miniupnpd_reboot [OPTION=VALUE...]: what a router reboot does to the
# mappings: miniupnpd stops, its chains are flushed and its lease file is
# gone, then it starts again (with these options) and no mapping.  A plain
# restart keeps them: see 80-nat.bats.
miniupnpd_reboot() {
	miniupnpd_stop && nat_flush && miniupnpd_start "$@"
}

# miniupnpd_start_with OPTION=VALUE...: restarts miniupnpd with these
# options replacing the defaults (e.g. secure_mode=no, enable_natpmp=no).
# min_lifetime and max_lifetime are PCP's only: with miniupnpd 2.3.1 they
# change neither UPnP nor NAT-PMP lifetimes.
miniupnpd_start_with() {
	miniupnpd_restart "$@"
}

# in_lan CMD... / in_wan CMD... / in_router CMD...: CMD in that namespace.
in_lan() { ip netns exec "$NS_LAN" "$@"; }
in_wan() { ip netns exec "$NS_WAN" "$@"; }
in_router() { ip netns exec "$NS_ROUTER" "$@"; }

# in_ns_bg NS FILE CMD...: CMD in namespace NS in the background, stdout
# in FILE, stderr in FILE.err; its pid in BG_PID.  nat_topology_down kills
# whatever still runs in the namespaces.
in_ns_bg() {
	local ns=$1 out=$2
	shift 2
	ip netns exec "$ns" "$@" </dev/null >"$out" 2>"$out.err" 3>&- &
	BG_PID=$!
}

# upnpc_lan ARGS...: upnpc in NS_LAN against the router's description
# (no SSDP discovery, which waits 2 s each time).
upnpc_lan() { in_lan upnpc -u "$IGD_URL" "$@"; }

# nat_mappings: the router's current port mappings, one per line:
# "PROTO EXTPORT INTIP:INTPORT LEASE" (LEASE: seconds left, as upnpc -l
# prints it), from upnpc -l run in NS_LAN.
nat_mappings() {
	# " 0 TCP  4000->192.168.57.10:4000  'desc' '' 1196"
	upnpc_lan -l 2>/dev/null | sed -nE "s/^ *[0-9]+ (TCP|UDP) +([0-9]+)->\
([0-9.]+:[0-9]+) +'[^']*' +'[^']*' +([0-9]+).*/\1 \2 \3 \4/p"
}

# mapping_is PROTO PORT INTIP LMIN LMAX: the router maps PROTO PORT to
# INTIP:PORT with between LMIN and LMAX seconds of lease left (what it
# lists instead on standard error).
mapping_is() {
	local p e i l
	while read -r p e i l; do
		[ "$p $e $i" = "$1 $2 $3:$2" ] || continue
		[ "$l" -ge "$4" ] && [ "$l" -le "$5" ] && return 0
		echo "mapping $p $e $i: lease $l not in [$4, $5]" >&2
		return 1
	done < <(nat_mappings)
	echo "no mapping $1 $2 -> $3:$2 in:" >&2
	nat_mappings >&2
	return 1
}

# no_mapping PROTO PORT: neither upnpc -l, the lease file nor the nft
# chains know a mapping of PROTO PORT.
no_mapping() {
	! nat_mappings | grep -q "^$1 $2 " &&
	    ! nat_leases | grep -q "^$1 $2 " &&
	    ! nat_rules | grep -q "dport $2 "
}

# nat_leases: the lease file, one mapping per line:
# "PROTO EXTPORT INTIP:INTPORT EXPIRY" (EXPIRY: when the lease runs out,
# in Unix time).
nat_leases() {
	[ -f "$MINIUPNPD_LEASES" ] || return 0
	awk -F: '{ print $1, $2, $3 ":" $4, $5 }' "$MINIUPNPD_LEASES"
}

# nat_rules: the nft rules miniupnpd added (its three chains); fails if
# nft cannot list the ruleset.
nat_rules() {
	local out
	out=$(in_router nft list ruleset) || return 1
	awk '$1 == "chain" { in_upnp = ($2 ~ /^(pre|post)?(routing_)?miniupnpd$/) }
	    $1 == "}" { in_upnp = 0 }
	    in_upnp && $1 != "chain" { print }' <<<"$out"
}

# nat_kill_clients: kills every process in NS_LAN and NS_WAN, and every
# one but miniupnpd in NS_ROUTER (only what the tests started runs there,
# such as a stub IGD), and waits until they have exited.  All are
# signalled first: ten nodes stop in the time of one.
nat_kill_clients() {
	local ns p m pids=
	m=$(miniupnpd_pid)
	for ns in "$NS_LAN" "$NS_WAN" "$NS_ROUTER"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			[ "$p" = "$m" ] || pids="$pids $p"
		done
	done
	for p in $pids; do kill -TERM "$p" 2>/dev/null; done
	for p in $pids; do wait_for nat_term "$p" || return 1; done
}

# nat_reset [OPTION=VALUE...]: the topology as nat_topology_up left it, for
# the next test: no client processes, and a rebooted router (miniupnpd
# with the default config, or these options, and no mapping).
nat_reset() {
	nat_kill_clients && miniupnpd_stop && nat_flush &&
	    miniupnpd_start "$@"
}

# nat_clean: what nat_reset does, but the router is rebooted only when it
# has to be (miniupnpd not running, or a mapping left in its chains or
# lease file); a reboot takes most of a second.  Not for tests that
# change miniupnpd's options.
nat_clean() {
	local m rules
	nat_kill_clients || return 1
	m=$(miniupnpd_pid)
	if [ -n "$m" ] && ! nat_gone "$m" && [ -z "$(nat_leases)" ] &&
	    rules=$(nat_rules) && [ -z "$rules" ]; then
		return 0
	fi
	miniupnpd_stop && nat_flush && miniupnpd_start
}

# nat_flush: empties miniupnpd's chains and removes its lease file (with
# miniupnpd stopped).
nat_flush() {
	in_router nft -f - <<-'EOF' || return 1
	flush chain inet filter miniupnpd
	flush chain inet nat prerouting_miniupnpd
	flush chain inet nat postrouting_miniupnpd
	EOF
	rm -f "$MINIUPNPD_LEASES"
}

# nat_topology_down: kills every process left in the namespaces (ours:
# they are unique to this run), deletes the namespaces and NAT_DIR.
# Touches nothing else; safe to call twice or after a failed up.
nat_topology_down() {
	local ns p
	[ -n "${NAT_DIR:-}" ] && [ -f "$NAT_DIR/namespaces" ] || return 0
	miniupnpd_stop
	for ns in $(cat "$NAT_DIR/namespaces"); do
		[ -e "/run/netns/$ns" ] || continue
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			wait_for nat_term "$p"
		done
		ip netns delete "$ns"
	done
	rm -rf "$NAT_DIR"
	NAT_DIR=
}

# nat_gone PID: the process has exited (a zombie counts: its parent may be
# another process of the bats run, which reaps it later).
nat_gone() {
	local st
	st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' \
	    "/proc/$1/status" 2>/dev/null || true)
	[ -z "$st" ] || [ "$st" = Z ]
}

# nat_namespaces_left: prints the namespaces of this run that still exist.
nat_namespaces_left() {
	ip netns list | awk '{ print $1 }' | grep -Fx -e "$NS_WAN" \
	    -e "$NS_ROUTER" -e "$NS_LAN" || true
}

# One topology per test file (building one takes about a second on a
# loaded machine): the files that load this one use it as theirs.
setup_file() {
	if nat_why_not >/dev/null; then
		nat_topology_up
	fi
}

teardown_file() {
	nat_topology_down
}
