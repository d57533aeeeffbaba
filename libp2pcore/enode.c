/*
 * enode.c - node IDs, XOR distance and enode:// URLs with go-ethereum
 * v1.8.24's ParseV4 rules (see enode.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <p2p/enode.h>
#include <p2p/hex.h>
#include <p2p/keccak.h>

/* No real URL is longer; refusing early bounds all later work. */
#define URL_MAX 1024

void
p2p_enode_id(struct p2p_nodeid *id, const struct p2p_pubkey *pub)
{
	p2p_keccak256(id->b, pub->b, sizeof(pub->b));
}

int
p2p_enode_logdist(const struct p2p_nodeid *a, const struct p2p_nodeid *b)
{
	for (int i = 0; i < P2P_NODEID_LEN; i++) {
		uint8_t x = a->b[i] ^ b->b[i];

		if (x != 0)
			return (P2P_NODEID_LEN - i) * 8 - __builtin_clz(x) + 24;
	}
	return 0;
}

int
p2p_enode_distcmp(const struct p2p_nodeid *target,
    const struct p2p_nodeid *a, const struct p2p_nodeid *b)
{
	for (int i = 0; i < P2P_NODEID_LEN; i++) {
		uint8_t da = a->b[i] ^ target->b[i], db = b->b[i] ^ target->b[i];

		if (da != db)
			return da < db ? -1 : 1;
	}
	return 0;
}

int
p2p_ip_parse(struct p2p_ip *ip, const char *s, size_t len)
{
	char buf[INET6_ADDRSTRLEN + 1];
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	if (len == 0 || len >= sizeof(buf) || memchr(s, '\0', len) != NULL)
		return P2P_EIP;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, ip->b) == 1) {
		ip->len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, ip->b) != 1)
		return P2P_EIP;
	ip->len = 16;
	/* IPv4-mapped addresses are IPv4, as Go's net.IP.To4 makes them. */
	if (memcmp(ip->b, mapped, 12) == 0) {
		memmove(ip->b, ip->b + 12, 4);
		ip->len = 4;
	}
	return 0;
}

void
p2p_ip_format(char *out, const struct p2p_ip *ip)
{
	out[0] = '\0';
	if (ip->len == 4 || ip->len == 16)
		inet_ntop(ip->len == 4 ? AF_INET : AF_INET6, ip->b, out, 46);
}

/* A decimal port as strconv.ParseUint(s, 10, 16) takes it. */
static int
parse_port(const char *s, size_t len, uint16_t *port)
{
	uint32_t v = 0;

	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint32_t)(s[i] - '0');
		if (v > 65535)
			return -1;
	}
	*port = (uint16_t)v;
	return 0;
}

static int
parse_pubkey(struct p2p_node *node, const char *hex, size_t len)
{
	uint8_t raw[64];
	int rc;

	if (len != 128) {
		for (size_t i = 0; i < len; i++)
			if (!strchr("0123456789abcdefABCDEF", hex[i]) ||
			    hex[i] == '\0')
				return P2P_EHEX;
		return P2P_EIDLEN;
	}
	if ((rc = p2p_hex_decode_exact(raw, 64, hex, len)) != 0)
		return rc == P2P_EHEXLEN ? P2P_EIDLEN : rc;
	if ((rc = p2p_secp_pubkey_parse(&node->pub, raw, 64)) != 0)
		return rc;
	p2p_enode_id(&node->id, &node->pub);
	return 0;
}

/* Host names are refused with a clearer error than "invalid IP". */
static int
host_error(const char *h, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", h[i]) ||
		    h[i] == '\0')
			return P2P_EIP;
	return P2P_EHOSTNAME;
}

/* "host:port" or "[v6]:port" into node->ip and node->tcp. */
static int
parse_hostport(struct p2p_node *node, const char *s, size_t len)
{
	const char *colon, *host = s;
	size_t hlen;
	int rc;

	if (len > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', len);

		if (close == NULL)
			return P2P_EURL;
		host = s + 1;
		hlen = (size_t)(close - host);
		colon = close + 1;
		if (colon == s + len || *colon != ':')
			return P2P_EPORT;
	} else {
		colon = memchr(s, ':', len);
		if (colon == NULL)
			return P2P_EPORT;
		hlen = (size_t)(colon - s);
		if (memchr(colon + 1, ':', len - hlen - 1) != NULL)
			return P2P_EURL;	/* IPv6 without brackets */
	}
	if ((rc = p2p_ip_parse(&node->ip, host, hlen)) != 0)
		return host == s ? host_error(host, hlen) : rc;
	if (parse_port(colon + 1, (size_t)(s + len - colon - 1),
	    &node->tcp) != 0)
		return P2P_EPORT;
	return 0;
}

/* The first discport=... of the query, as url.Query().Get does. */
static int
parse_query(struct p2p_node *node, const char *q, size_t len)
{
	const char *end = q + len;

	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *next = amp ? amp : end;

		if ((size_t)(next - q) >= 9 && memcmp(q, "discport=", 9) == 0) {
			if (next - q == 9)
				return 0;	/* empty: same as tcp */
			return parse_port(q + 9, (size_t)(next - q - 9),
			    &node->udp) ? P2P_EDISCPORT : 0;
		}
		q = next + (amp != NULL);
	}
	return 0;
}

static int
parse_complete(struct p2p_node *node, const char *s, size_t len)
{
	const char *at = memchr(s, '@', len), *q;
	size_t hplen;
	int rc;

	if (at == NULL)
		return P2P_EIDLEN;	/* "does not contain node ID" */
	if ((rc = parse_pubkey(node, s, (size_t)(at - s))) != 0)
		return rc;
	len -= (size_t)(at - s) + 1;
	s = at + 1;
	if (memchr(s, '#', len) != NULL || memchr(s, '/', len) != NULL ||
	    memchr(s, ' ', len) != NULL)
		return P2P_EURL;
	q = memchr(s, '?', len);
	hplen = q ? (size_t)(q - s) : len;
	if ((rc = parse_hostport(node, s, hplen)) != 0)
		return rc;
	node->udp = node->tcp;
	if (q != NULL)
		rc = parse_query(node, q + 1, len - hplen - 1);
	return rc;
}

int
p2p_enode_parse(struct p2p_node *node, const char *s, size_t len)
{
	const char *rest = s;
	size_t restlen = len;
	int rc;

	memset(node, 0, sizeof(*node));
	if (len == 0)
		return P2P_EEMPTY;
	if (len > URL_MAX || memchr(s, '\0', len) != NULL)
		return P2P_EURL;
	if (len >= 8 && strncasecmp(s, "enode://", 8) == 0) {
		rest = s + 8;
		restlen = len - 8;
	} else if (memmem(s, len, "://", 3) != NULL) {
		return P2P_ESCHEME;
	}
	if (memchr(rest, '@', restlen) == NULL && memchr(rest, '?', restlen)
	    == NULL) {
		/* Incomplete node: just the key. */
		rc = parse_pubkey(node, rest, restlen);
	} else if (rest == s) {
		rc = P2P_ESCHEME;
	} else {
		rc = parse_complete(node, rest, restlen);
	}
	if (rc != 0)
		memset(node, 0, sizeof(*node));
	return rc;
}

int
p2p_enode_format(char *out, size_t *outlen, const struct p2p_node *node)
{
	char hex[129], ip[46], buf[P2P_ENODE_URL_MAX];
	int n;

	p2p_hex_encode(hex, node->pub.b, 64);
	p2p_ip_format(ip, &node->ip);
	if (node->ip.len == 0)
		n = snprintf(buf, sizeof(buf), "enode://%s", hex);
	else
		n = snprintf(buf, sizeof(buf), "enode://%s@%s%s%s:%u", hex,
		    node->ip.len == 16 ? "[" : "", ip,
		    node->ip.len == 16 ? "]" : "", node->tcp);
	if (node->ip.len != 0 && node->udp != node->tcp)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
		    "?discport=%u", node->udp);
	if ((size_t)n >= *outlen) {
		*outlen = (size_t)n + 1;
		return P2P_ETOOBIG;
	}
	memcpy(out, buf, (size_t)n + 1);
	*outlen = (size_t)n;
	return 0;
}
