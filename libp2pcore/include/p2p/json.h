/*
 * json.h - the one place that turns keys, nodes and records into JSON
 * objects (jansson), so every tool and the daemon print the same schema
 * (documented in p2p-ndjson(7)).
 *
 * Conventions: node IDs, public keys and signatures are lowercase hex
 * without 0x (as in enode URLs); opaque RLP data is "0x"-prefixed hex.
 * Each function returns a new reference the caller json_decref()s, or
 * NULL when out of memory.
 */
#ifndef P2P_JSON_H
#define P2P_JSON_H

#include <jansson.h>

#include <p2p/enode.h>
#include <p2p/enr.h>

/*
 * {"id","pubkey","enode","ip","tcp","udp","complete"}; ip is null for an
 * incomplete node.
 */
json_t *p2p_json_node(const struct p2p_node *node);

/*
 * A record: the node fields of p2p_json_node (when its key is readable)
 * plus {"enr","seq","scheme","signature","rlp","ip6","tcp6","udp6",
 * "pairs"}; pairs maps each key (as text when printable ASCII, else
 * "0x"-hex) to its value's RLP as "0x"-hex, so unknown keys show too.
 */
json_t *p2p_json_enr(const struct p2p_enr *r);

/* Adds hex of n bytes at p under key (no prefix).  Returns 0 or -1. */
int p2p_json_set_hex(json_t *obj, const char *key, const uint8_t *p,
    size_t n);

/* Same with a "0x" prefix, for opaque data. */
int p2p_json_set_data(json_t *obj, const char *key, const uint8_t *p,
    size_t n);

struct p2p_nat_ev;
/* A NAT event (nat.h) as the tools print it (no "type"): event, method,
 * gateway, external_ip, proto/internal_port/external_port, lifetime,
 * tcp/udp (external), step/code (failed), detail.  New reference. */
json_t *p2p_json_nat_event(const struct p2p_nat_ev *ev);

/* An unsigned integer: a JSON number up to INT64_MAX, above that a
 * decimal string (jansson integers are signed 64-bit). */
json_t *p2p_json_uint(uint64_t v);

#endif
