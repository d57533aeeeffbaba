# live-peers.jq: a jq module (jq -L scripts 'include "live-peers"; ...').
#
# live_peers: the peers a p2p-serverd node holds now, from its records
# (its output, slurped), as an array of their "peer" "add" records.
#
# A connection is keyed by peer ID and direction, not by ID alone: when
# two nodes dialed each other at once, the winning connection's add comes
# before the drop of the one it replaced (closed with already connected),
# so the same ID is briefly added twice, once each way.
def live_peers:
	reduce (.[] | select(.type == "peer")) as $p ({};
	    "\($p.id) \(if $p.inbound then "in" else "out" end)" as $k |
	    if $p.event == "add" then .[$k] = $p else del(.[$k]) end)
	| [.[]];
