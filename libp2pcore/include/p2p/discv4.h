/*
 * discv4.h - the discovery v4 packet codec (devp2p discv4.md, EIP-8
 * forward compatibility, EIP-868 ENR sequence numbers and ENR
 * request/response), behaving as go-ethereum v1.8.24's p2p/discover/udp.go
 * plus EIP-868.
 *
 * A packet is hash(32) || signature(65) || type(1) || data, where
 * hash = keccak256(signature || type || data) and the signature (r || s || v,
 * v in {0, 1}) is over keccak256(type || data).  data is one RLP list:
 *     ping        [version, from, to, expiration, enr-seq?, ...]
 *     pong        [to, ping-hash, expiration, enr-seq?, ...]
 *     findnode    [target (64 bytes), expiration, ...]
 *     neighbors   [[[ip, udp, tcp, id], ...], expiration, ...]
 *     enrrequest  [expiration, ...]
 *     enrresponse [request-hash, record, ...]
 * with endpoints [ip (4 or 16 bytes), udp-port, tcp-port].  Bytes after the
 * list and list elements after the known ones are accepted (EIP-8).
 *
 * Nothing here allocates, keeps a pointer or checks the clock: decoded
 * packets point into the caller's datagram, and expiry is the caller's
 * call to p2p_disc_expired.
 */
#ifndef P2P_DISCV4_H
#define P2P_DISCV4_H

#include <p2p/p2p.h>
#include <p2p/secp.h>

#define P2P_DISC_VERSION 4		/* the version our pings carry */
#define P2P_DISC_HASH_LEN 32
#define P2P_DISC_HEAD_LEN 98		/* hash 32 + signature 65 +
					 * type 1 */
#define P2P_DISC_MAX_SEND 1280		/* we never send more */
#define P2P_DISC_MAX_PACKET 2048	/* we read up to this (ethereumjs
					 * overfills neighbors) */
#define P2P_DISC_EXPIRATION 20		/* seconds a packet we send stays
					 * valid */
#define P2P_DISC_NEIGHBORS_PER_PACKET 12
#define P2P_DISC_MAX_NODES_IN 32	/* most nodes decoded from one
					 * neighbors packet (rest ignored) */

enum p2p_disc_type {
	P2P_DISC_PING = 1,
	P2P_DISC_PONG = 2,
	P2P_DISC_FINDNODE = 3,
	P2P_DISC_NEIGHBORS = 4,
	P2P_DISC_ENRREQ = 5,
	P2P_DISC_ENRRESP = 6,
};

struct p2p_disc_endpoint {
	uint8_t ip[16];		/* ip_len bytes used; IPv4-mapped IPv6 is
				 * normalised to 4 bytes */
	uint8_t ip_len;		/* 4 or 16; 0 if the field was empty or
				 * another length */
	uint16_t udp, tcp;
};

/* A node in a neighbors packet; id is not checked to be a curve point. */
struct p2p_disc_rpcnode {
	struct p2p_disc_endpoint ep;
	uint8_t id[64];
};

struct p2p_disc_packet {
	int type;		/* enum p2p_disc_type */
	uint64_t expiration;	/* unix seconds; 0 for enrresponse, which
				 * has no such field */
	union {
		struct {
			uint64_t version;
			struct p2p_disc_endpoint from, to;
			int has_seq;
			uint64_t enr_seq;
		} ping;
		struct {
			struct p2p_disc_endpoint to;
			uint8_t ping_hash[32];
			int has_seq;
			uint64_t enr_seq;
		} pong;
		struct {
			uint8_t target[64];
		} findnode;
		struct {
			size_t n;
			struct p2p_disc_rpcnode nodes[P2P_DISC_MAX_NODES_IN];
		} neighbors;
		struct {
			uint8_t req_hash[32];
			/* The record's raw RLP (a list), pointing into the
			 * decoded buffer; its signature is not verified
			 * here. */
			const uint8_t *enr;
			size_t enr_len;
		} enrresp;
	} u;
	/*
	 * List elements after the known ones, as their raw concatenated RLP
	 * (points into the input; NULL and 0 if none).  EIP-8 forward
	 * compatibility.
	 */
	const uint8_t *rest;
	size_t rest_len;
};

/*
 * Decodes and authenticates one datagram.
 *
 * Checks, in go-ethereum's order: the length, the hash, the signature
 * (recovering the sender), the type, then the RLP of the packet data.  Only
 * the first RLP value is read; bytes after it are ignored (EIP-8).  Extra
 * list elements go to pkt->rest.  RLP integers must be canonical; the
 * expiration may be any width up to 8 bytes.
 *
 * EIP-868: the element after a ping's or pong's expiration is enr_seq
 * (has_seq = 1) when it is a canonical integer of at most 8 bytes;
 * anything else there (a list, say, as in EIP-8's own test packets) is not
 * an error but the start of rest, with has_seq = 0.
 *
 * Endpoints and neighbor nodes must have exactly their 3 or 4 elements, as
 * go-ethereum's structs without a tail require.  Every node of a neighbors
 * packet is checked, but only the first P2P_DISC_MAX_NODES_IN are kept.
 * The expiration is not checked (see p2p_disc_expired).
 *
 * Returns: 0; P2P_ETOOBIG over P2P_DISC_MAX_PACKET; P2P_ETRUNCATED under
 *          P2P_DISC_HEAD_LEN + 1 bytes or if the RLP value is cut short;
 *          P2P_EPKTHASH; P2P_ESIG; P2P_EPKTTYPE for an unknown type;
 *          P2P_EINTRANGE for a port over 65535 or an integer over 8 bytes;
 *          P2P_EFIELD for missing elements or a byte string of the wrong
 *          length (target, id, hashes); any other RLP error
 *          (P2P_ELEADINGZERO, P2P_EEXPECTLIST, ...).  On error *pkt is
 *          zeroed.
 * Out:     pkt: the packet; its pointers point into buf.
 *          hash: the packet's 32-byte hash field (what replies carry as
 *          ping_hash / req_hash); may be NULL.
 *          sender: the recovered public key; may be NULL.
 * In:      buf, len: one datagram, borrowed.
 */
int p2p_disc_decode(struct p2p_disc_packet *pkt, uint8_t hash[32],
    struct p2p_pubkey *sender, const uint8_t *buf, size_t len);

/*
 * Encodes pkt and signs it with key.  Endpoints are written with 4-byte IPs
 * for IPv4 (IPv4-mapped addresses included), 16 bytes for IPv6 and an empty
 * string for ip_len 0.  A ping or pong carries enr_seq only when has_seq.
 * pkt->rest is ignored; the expiration of an enrresponse is not sent.
 *
 * Returns: 0; P2P_EINVAL for an unknown type, an ip_len other than 0, 4 or
 *          16, more than P2P_DISC_NEIGHBORS_PER_PACKET neighbors, or an
 *          enrresponse whose enr is not exactly one RLP list; P2P_ETOOBIG
 *          if the packet would exceed P2P_DISC_MAX_SEND, or if it exceeds
 *          cap (then *outlen is the size needed); P2P_EPRIVKEY.
 * Out:     out: cap bytes; P2P_DISC_MAX_SEND is always enough.
 *          outlen: the packet's length.
 *          hash: the packet's hash (may be NULL).
 * In:      pkt, key: borrowed.
 */
int p2p_disc_encode(uint8_t *out, size_t cap, size_t *outlen,
    uint8_t hash[32], const struct p2p_disc_packet *pkt,
    const struct p2p_privkey *key);

/*
 * Returns: 1 if a packet with this expiration is expired at now (unix
 *          seconds), else 0: expiration < now, as go-ethereum's expired().
 *          Like it (which converts to int64), an expiration of 2^63 or
 *          more is in the past.
 */
int p2p_disc_expired(uint64_t expiration, uint64_t now);

/*
 * Returns: the name of a packet type ("ping", "pong", "findnode",
 *          "neighbors", "enrrequest", "enrresponse"), static; "unknown"
 *          for other values.
 */
const char *p2p_disc_type_name(int type);

#endif
