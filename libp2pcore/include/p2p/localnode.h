/*
 * localnode.h - our own node: its key, its endpoint and its signed record
 * (EIP-778), as go-ethereum v1.8.24's enode.LocalNode keeps them for the
 * server, discovery and the control API alike.
 *
 * Setters only note what changed; the record is rebuilt when someone next
 * asks for it, so a burst of changes at start-up (bound UDP port, TCP
 * listener, external IP) costs one signature and one sequence number.
 * The sequence number is kept in the node database and only grows: a
 * record whose content is what was stored last time keeps its number
 * (signatures are deterministic, RFC 6979, so the bytes are the same);
 * any change takes the next one.  v1.8.24 took a new number at every
 * start; keeping it lets peers skip a record they already have.
 */
#ifndef P2P_LOCALNODE_H
#define P2P_LOCALNODE_H

#include <stddef.h>
#include <stdint.h>

#include <p2p/enode.h>
#include <p2p/enr.h>
#include <p2p/nodedb.h>
#include <p2p/secp.h>

struct p2p_localnode;

/*
 * Returns: 0; P2P_EPRIVKEY; P2P_ENOMEM.
 * Out:     *ln, owned by the caller (p2p_localnode_free).
 * In:      key: copied; db: borrowed, must outlive ln (NULL: the sequence
 *          number lives in memory only and starts at 1).
 */
int p2p_localnode_new(struct p2p_localnode **ln, const struct p2p_privkey *key,
    struct p2p_nodedb *db);
void p2p_localnode_free(struct p2p_localnode *ln);

/*
 * Where the announced endpoint comes from (v1.8.24 updateEndpoints), in
 * this order: a static IP (--extip, a NAT's external address); else the
 * UDP endpoint predicted from what other nodes say (iptrack.h: pongs'
 * "to", P2P_IPTRACK_MIN_STATEMENTS within P2P_IPTRACK_WINDOW_MS); else
 * the fallback IP and UDP port (the bound ones).
 */
enum { P2P_LOCALNODE_FALLBACK, P2P_LOCALNODE_STATIC, P2P_LOCALNODE_PREDICTED };

/* The fallback address (len 0 or unspecified: none; the record then has
 * no "ip" and the node's address is 127.0.0.1, v1.8.24's fallback). */
void p2p_localnode_set_ip(struct p2p_localnode *ln, const struct p2p_ip *ip);
/* The static address; len 0 clears it (prediction applies again). */
void p2p_localnode_set_static_ip(struct p2p_localnode *ln,
    const struct p2p_ip *ip);
/* A node at from:from_port says our UDP endpoint is ip:port (its pong). */
void p2p_localnode_udp_statement(struct p2p_localnode *ln,
    const struct p2p_ip *from, uint16_t from_port, const struct p2p_ip *ip,
    uint16_t port);
/* fn is told whenever the announced IP, UDP or TCP port changes (the record
 * changes with it: a new sequence number when next read); self is the
 * node as now announced, source one of P2P_LOCALNODE_*. */
typedef void p2p_localnode_endpoint_fn(void *arg, const struct p2p_node *self,
    int source);
void p2p_localnode_on_endpoint(struct p2p_localnode *ln,
    p2p_localnode_endpoint_fn *fn, void *arg);
/* Ports to announce (the UDP one is the fallback, see above); 0 removes
 * "tcp" / "udp": a record promises only what listens. */
void p2p_localnode_set_tcp(struct p2p_localnode *ln, uint16_t port);
void p2p_localnode_set_udp(struct p2p_localnode *ln, uint16_t port);
/* A router's endpoint (NAT): the static address ip and, where non-zero,
 * the ports, in one step, so fn (above) is told once, not once each. */
void p2p_localnode_announce(struct p2p_localnode *ln, const struct p2p_ip *ip,
    uint16_t tcp, uint16_t udp);
/* Any other entry, as one RLP item; rlp NULL removes key.
 * Returns: 0; P2P_EINVAL (key too long, value not one RLP item or over
 *          the record's size). */
int p2p_localnode_set(struct p2p_localnode *ln, const char *key,
    const uint8_t *rlp, size_t len);

/*
 * The current record, rebuilt (and its number persisted) if anything
 * changed.  Returns: 0; P2P_EENRSIZE (the entries do not fit in 300
 * bytes: the previous record stays); P2P_EDB.
 * Out: rec (may be NULL): points into ln, valid until the next setter.
 */
int p2p_localnode_record(struct p2p_localnode *ln, const struct p2p_enr **rec);
/* The record's RLP (after p2p_localnode_record); *len 0 before any. */
const uint8_t *p2p_localnode_rlp(struct p2p_localnode *ln, size_t *len);
/* Its sequence number (updating the record first). */
uint64_t p2p_localnode_seq(struct p2p_localnode *ln);

/* Our node: key, ID, announced IP and ports. */
const struct p2p_node *p2p_localnode_node(const struct p2p_localnode *ln);
const struct p2p_privkey *p2p_localnode_key(const struct p2p_localnode *ln);

#endif
