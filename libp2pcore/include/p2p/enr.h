/*
 * enr.h - Ethereum Node Records (EIP-778) with the "v4" identity scheme.
 *
 * A record is a value struct of bounded size (it can never exceed 300 bytes
 * encoded), so it lives on the stack or inside another object; nothing here
 * allocates.  Pairs are kept sorted by key; values are stored as their RLP
 * encoding so unknown keys survive decode -> encode unchanged.
 *
 * Building:  p2p_enr_init, p2p_enr_set_* (each drops the signature),
 *            p2p_enr_sign (adds "id"="v4" and "secp256k1", then signs).
 * Reading:   p2p_enr_parse ("enr:" text, decode + verify) or
 *            p2p_enr_decode (structure only) + p2p_enr_verify.
 */
#ifndef P2P_ENR_H
#define P2P_ENR_H

#include <p2p/p2p.h>
#include <p2p/secp.h>
#include <p2p/enode.h>

#define P2P_ENR_MAX_SIZE 300
/* The shortest pair is two one-byte items, so no record holds more. */
#define P2P_ENR_MAX_PAIRS 148
/* 4 + base64url of 300 bytes, + NUL */
#define P2P_ENR_TEXT_MAX 405

struct p2p_enr_pair {
	uint16_t koff;		/* key bytes at arena + koff */
	uint16_t klen;
	uint16_t voff;		/* value's RLP encoding at arena + voff */
	uint16_t vlen;
};

struct p2p_enr {
	uint64_t seq;
	/* 1: sig holds a 64-byte signature; 0: none (being built, or a
	 * setter dropped it); -1: decoded with a signature of another length,
	 * which p2p_enr_verify and p2p_enr_encode refuse (P2P_EENRSIG). */
	int has_sig;
	uint8_t sig[64];
	uint16_t npairs;
	uint16_t arenalen;
	struct p2p_enr_pair pair[P2P_ENR_MAX_PAIRS];
	uint8_t arena[P2P_ENR_MAX_SIZE];
};

/* An empty, unsigned record with seq 0. */
void p2p_enr_init(struct p2p_enr *r);

/*
 * Sets key to an already RLP-encoded value (any item, lists included),
 * replacing an existing value and keeping keys sorted.  Drops the signature.
 * Returns: 0; P2P_EENRSIZE if the record would no longer fit in 300 bytes
 *          once signed (r is unchanged); P2P_EINVAL for an empty key or a
 *          value that is not exactly one well-formed RLP item.
 */
int p2p_enr_set(struct p2p_enr *r, const char *key, const uint8_t *rlp,
    size_t rlplen);
int p2p_enr_set_bytes(struct p2p_enr *r, const char *key, const uint8_t *b,
    size_t n);
int p2p_enr_set_uint(struct p2p_enr *r, const char *key, uint64_t v);
/* Sets "ip" (4 bytes) or "ip6" (16 bytes) from ip->len. */
int p2p_enr_set_ip(struct p2p_enr *r, const struct p2p_ip *ip);
/* Removes key if present (0 either way); drops the signature. */
int p2p_enr_delete(struct p2p_enr *r, const char *key);
/* Sets seq; drops the signature. */
void p2p_enr_set_seq(struct p2p_enr *r, uint64_t seq);

/*
 * Sets "id" = "v4" and "secp256k1" = the compressed public key of key, then
 * signs keccak256(rlp([seq, k, v, ...])).
 * Returns: 0; P2P_EPRIVKEY; P2P_EENRSIZE.
 */
int p2p_enr_sign(struct p2p_enr *r, const struct p2p_privkey *key);

/*
 * Decodes a record's RLP structure: [signature, seq, k1, v1, ...] with keys
 * sorted and unique, at most 300 bytes.  Does not check the signature.
 * Returns: 0; P2P_EENRSIZE; P2P_EENRINCOMPLETE; P2P_EENRORDER;
 *          P2P_EENRDUP; P2P_EEXPECTSTR (signature or a key is a list);
 *          any RLP decoding error (bytes after the record: P2P_ETRAILING).
 *          r is left empty on error.
 */
int p2p_enr_decode(struct p2p_enr *r, const uint8_t *rlp, size_t len);

/*
 * Checks the record's "v4" signature against its "secp256k1" key.
 * Returns: 0; P2P_EENRUNSIGNED; P2P_EENRSCHEME (no "id" or not "v4");
 *          P2P_EPUBKEY (missing/bad "secp256k1"); P2P_EENRSIG.
 */
int p2p_enr_verify(const struct p2p_enr *r);

/*
 * Parses "enr:<base64url, no padding>": decode and verify.  The base64 is
 * read as Go's base64.RawURLEncoding reads it ('=' is refused), except
 * that it is strict where Go is not: non-zero bits after the last byte,
 * which Go ignores, are refused (P2P_EBASE64), so a record has one text
 * form; and CR and LF, which Go skips, are refused too.  Text longer than a 300-byte record needs is
 * refused before it is decoded.
 * Returns: 0; P2P_ESCHEME (no "enr:" prefix); P2P_EEMPTY; P2P_EBASE64;
 *          P2P_EENRSIZE; any error of p2p_enr_decode / p2p_enr_verify.
 *          r is left empty on error.
 */
int p2p_enr_parse(struct p2p_enr *r, const char *text, size_t len);

/*
 * Encodes a signed record (a decoded one byte for byte as it came in).
 * Returns: 0; P2P_EENRUNSIGNED; P2P_EENRSIG (has_sig -1);
 *          P2P_ETOOBIG (*outlen = size needed).
 */
int p2p_enr_encode(const struct p2p_enr *r, uint8_t *out, size_t *outlen);

/* The "enr:..." text; out needs P2P_ENR_TEXT_MAX.  Same errors. */
int p2p_enr_format(const struct p2p_enr *r, char *out, size_t *outlen);

/*
 * Returns: 0; P2P_ENOTFOUND.
 * Out:     rlp, rlplen: the value's RLP encoding, pointing into r.
 */
int p2p_enr_get(const struct p2p_enr *r, const char *key,
    const uint8_t **rlp, size_t *rlplen);

/* The i-th pair in key order (i < r->npairs); pointers into r. */
void p2p_enr_pair_at(const struct p2p_enr *r, unsigned i,
    const uint8_t **key, size_t *klen, const uint8_t **rlp, size_t *rlplen);

/*
 * Typed accessors.  Each returns 0, P2P_ENOTFOUND when the key is absent,
 * or P2P_EFIELD when the value has the wrong form.
 */
/* "id" as a C string (at most 15 chars). */
int p2p_enr_get_id(const struct p2p_enr *r, char out[static 16]);
/* "secp256k1", decompressed. */
int p2p_enr_get_pubkey(const struct p2p_enr *r, struct p2p_pubkey *pub);
int p2p_enr_get_ip(const struct p2p_enr *r, struct p2p_ip *ip);   /* "ip" */
int p2p_enr_get_ip6(const struct p2p_enr *r, struct p2p_ip *ip);  /* "ip6" */
int p2p_enr_get_port(const struct p2p_enr *r, const char *key,
    uint16_t *port);	/* "tcp", "udp", "tcp6", "udp6" */

/* The node ID (keccak256 of the "secp256k1" key).  Errors as get_pubkey. */
int p2p_enr_nodeid(const struct p2p_enr *r, struct p2p_nodeid *id);

/*
 * The node a record describes: key, id, and the IPv4 endpoint if present
 * (else IPv6); a missing port is 0.
 * Returns: 0; P2P_EPUBKEY.
 */
int p2p_enr_to_node(const struct p2p_enr *r, struct p2p_node *node);

/*
 * A node named the way modern go-ethereum's tools take one: an enode URL
 * (p2p_enode_parse) or an "enr:" record, whose signature is checked.
 * Returns: 0; any error of p2p_enode_parse, p2p_enr_parse or
 *          p2p_enr_to_node.
 */
int p2p_enr_parse_node(struct p2p_node *node, const char *s, size_t len);

#endif
