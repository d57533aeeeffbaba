/*
 * enode.h - node identity and enode:// URLs.
 *
 * A node ID is keccak256 of the 64-byte public key.  URLs follow
 * go-ethereum v1.8.24's enode.ParseV4:
 *   enode://<128 hex>@<ip>:<tcp>[?discport=<udp>]   a complete node
 *   enode://<128 hex>   or a bare <128 hex>         an incomplete node
 * IPv6 addresses are written in brackets.  The public key must be a curve
 * point.  Host names are refused with P2P_EHOSTNAME (no resolver here).
 */
#ifndef P2P_ENODE_H
#define P2P_ENODE_H

#include <p2p/p2p.h>
#include <p2p/secp.h>

#define P2P_NODEID_LEN 32
/* enode:// + 128 + @ + [ipv6] + :65535 + ?discport=65535 + NUL, rounded */
#define P2P_ENODE_URL_MAX 224

struct p2p_nodeid {
	uint8_t b[P2P_NODEID_LEN];
};

/* An IP address: len is 0 (none), 4 or 16. */
struct p2p_ip {
	uint8_t len;
	uint8_t b[16];
};

struct p2p_node {
	struct p2p_pubkey pub;
	struct p2p_nodeid id;
	struct p2p_ip ip;	/* len 0: incomplete node */
	uint16_t tcp;
	uint16_t udp;
};

/* Out: id: keccak256(pub). */
void p2p_enode_id(struct p2p_nodeid *id, const struct p2p_pubkey *pub);

/* Returns: the log2 distance of a ^ b (0 if equal, 256 at most). */
int p2p_enode_logdist(const struct p2p_nodeid *a, const struct p2p_nodeid *b);

/*
 * Compares the distances of a and b to target.
 * Returns: -1 if a is closer, 1 if b is closer, 0 if equal.
 */
int p2p_enode_distcmp(const struct p2p_nodeid *target,
    const struct p2p_nodeid *a, const struct p2p_nodeid *b);

/*
 * Parses an enode URL (rules above).  What Go's url.Parse accepts is
 * accepted: a scheme in any case, a path or "#fragment" (ignored),
 * percent-escapes in the key, ports with leading zeros, other query
 * parameters (ignored; '&' or ';' separate them, the first "discport"
 * counts, an empty one means udp = tcp).  Input over 1 KiB or with
 * control characters is refused.
 * Returns: 0; P2P_EEMPTY; P2P_ESCHEME (neither "enode://" nor a bare key);
 *          P2P_EIDLEN (key of another length, or no key before '@');
 *          P2P_EHEX; P2P_EPUBKEY (not on the curve); P2P_EIP;
 *          P2P_EHOSTNAME (a host name, not an IP literal); P2P_EPORT
 *          (missing or invalid); P2P_EDISCPORT; P2P_EURL (malformed URL,
 *          user:password, control characters, too long).
 *          node is zeroed on error.
 * Out:     node (id computed; ip.len 0 and ports 0 for an incomplete node).
 * In:      s, len: the URL (need not be NUL-terminated).
 */
int p2p_enode_parse(struct p2p_node *node, const char *s, size_t len);

/*
 * Formats node as go-ethereum does: "enode://<hex>" for an incomplete
 * node, otherwise with @ip:tcp and ?discport=udp when udp != tcp.
 * Returns: 0; P2P_ETOOBIG if *outlen is too small (*outlen = size needed).
 * In/Out:  outlen: capacity in, string length (without NUL) out.
 */
int p2p_enode_format(char *out, size_t *outlen, const struct p2p_node *node);

/*
 * Parses an IPv4 or IPv6 address in text form (inet_pton: no brackets, no
 * zone, no leading zeros in IPv4).  IPv4-mapped IPv6 gives a 4-byte ip.
 * Returns: 0; P2P_EIP (ip zeroed).
 */
int p2p_ip_parse(struct p2p_ip *ip, const char *s, size_t len);

/* Formats ip as Go's net.IP.String does (IPv6 in RFC 5952 form, never
 * with a dotted IPv4 tail; no brackets); "" for len 0.
 * Out: out: at least 46 chars. */
void p2p_ip_format(char *out, const struct p2p_ip *ip);

#endif
