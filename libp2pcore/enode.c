/*
 * enode.c - node IDs, XOR distance and enode:// URLs.
 *
 * Parsing follows go-ethereum v1.8.24's enode.ParseV4: a regular expression
 * for the incomplete forms ("<hex>" and "enode://<hex>"), else Go's
 * url.Parse, net.SplitHostPort, net.ParseIP and strconv.ParseUint.  The
 * parts of url.Parse that decide acceptance are reproduced (fragment,
 * scheme, query, authority and path splitting, percent-escapes, userinfo
 * and host character sets, url.Query's splitting), so the same strings are
 * accepted.  Known differences, on purpose: host names are refused with
 * P2P_EHOSTNAME instead of being looked up; IP literals follow inet_pton
 * (no leading zeros in IPv4 parts, at most 4 hex digits in an IPv6 group,
 * as Go >= 1.17 also insists).
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
		uint8_t da = a->b[i] ^ target->b[i];
		uint8_t db = b->b[i] ^ target->b[i];

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

	memset(ip, 0, sizeof(*ip));
	if (len == 0 || len >= sizeof(buf) || memchr(s, '\0', len) != NULL)
		return P2P_EIP;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, ip->b) == 1) {
		ip->len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, ip->b) != 1) {
		memset(ip, 0, sizeof(*ip));
		return P2P_EIP;
	}
	ip->len = 16;
	/* IPv4-mapped addresses are IPv4, as Go's net.IP.To4 makes them. */
	if (memcmp(ip->b, mapped, 12) == 0) {
		memmove(ip->b, ip->b + 12, 4);
		memset(ip->b + 4, 0, 12);
		ip->len = 4;
	}
	return 0;
}

/*
 * IPv6 as Go's net.IP.String writes it (RFC 5952: lowercase, the first
 * longest run of two or more zero groups as "::").  Unlike inet_ntop it
 * never writes an embedded IPv4 part, so "::1.2.3.4" comes out "::102:304".
 */
static void
format_ip6(char *out, const uint8_t b[16])
{
	int z0 = -1, zlen = 0;
	char *o = out;

	for (int i = 0; i < 8; i++) {
		int j = i;

		while (j < 8 && b[2 * j] == 0 && b[2 * j + 1] == 0)
			j++;
		if (j - i > zlen) {
			z0 = i;
			zlen = j - i;
		}
		if (j > i)
			i = j - 1;
	}
	if (zlen < 2)
		z0 = -1;
	for (int i = 0; i < 8; i++) {
		if (i == z0) {
			*o++ = ':';
			*o++ = ':';
			i += zlen - 1;
			continue;
		}
		if (i > 0 && i != z0 + zlen)
			*o++ = ':';
		o += sprintf(o, "%x", (unsigned)(b[2 * i] << 8 | b[2 * i + 1]));
	}
	*o = '\0';
}

void
p2p_ip_format(char *out, const struct p2p_ip *ip)
{
	out[0] = '\0';
	if (ip->len == 4)
		inet_ntop(AF_INET, ip->b, out, 46);
	else if (ip->len == 16)
		format_ip6(out, ip->b);
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
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
is_schemechar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

static int
unhex(char c)
{
	if (c <= '9')
		return c - '0';
	return (c | 0x20) - 'a' + 10;
}

/* The key as hex.DecodeString and a length check see it. */
static int
parse_pubkey(struct p2p_node *node, const char *hex, size_t len)
{
	uint8_t raw[64];
	int rc;

	for (size_t i = 0; i < len; i++)
		if (!is_hex(hex[i]))
			return P2P_EHEX;
	if (len != 128)
		return P2P_EIDLEN;
	if ((rc = p2p_hex_decode_exact(raw, 64, hex, len)) != 0)
		return rc;
	if ((rc = p2p_secp_pubkey_parse(&node->pub, raw, 64)) != 0)
		return rc;
	p2p_enode_id(&node->id, &node->pub);
	return 0;
}

/*
 * Go's url unescape: "%" must be followed by two hex digits; in query
 * mode "+" is a space.  Writes at most cap bytes to out (out may be NULL)
 * but checks all of in.  Returns the unescaped length, or -1.
 */
static long
unescape(char *out, size_t cap, const char *in, size_t len, int query)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++, n++) {
		char c = in[i];

		if (c == '%') {
			if (len - i < 3 || !is_hex(in[i + 1]) ||
			    !is_hex(in[i + 2]))
				return -1;
			c = (char)(unhex(in[i + 1]) << 4 | unhex(in[i + 2]));
			i += 2;
		} else if (c == '+' && query) {
			c = ' ';
		}
		if (out != NULL && n < cap)
			out[n] = c;
	}
	return (long)n;
}

/* Characters url.Parse lets through unescaped in a userinfo / a host. */
static int
userinfo_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._:~!$&'()*+,;=%@",
		    s[i]))
			return 0;
	return 1;
}

static int
host_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x80 && !strchr("abcdefghijklmnopq"
		    "rstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"
		    "!$&'()*+,;=:[]<>\"%", s[i]))
			return 0;
	return 1;
}

/* Not an IP literal: a host name gets its own error, anything else EIP. */
static int
host_error(const char *h, size_t len)
{
	int name = 0;

	for (size_t i = 0; i < len; i++) {
		if (!strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", h[i]))
			return P2P_EIP;
		name |= !strchr("0123456789.", h[i]);
	}
	return name ? P2P_EHOSTNAME : P2P_EIP;
}

/* net.SplitHostPort, then net.ParseIP and the port. */
static int
parse_hostport(struct p2p_node *node, const char *s, size_t len)
{
	const char *colon = memrchr(s, ':', len), *host = s, *close;
	size_t hlen, k = 0;
	int rc;

	if (colon == NULL)
		return P2P_EPORT;		/* missing port */
	if (s[0] == '[') {
		if ((close = memchr(s, ']', len)) == NULL)
			return P2P_EURL;
		if (close + 1 != colon)
			return close + 1 < s + len && close[1] == ':' ?
			    P2P_EURL : P2P_EPORT;
		host = s + 1;
		hlen = (size_t)(close - host);
		k = (size_t)(close - s) + 1;
	} else {
		hlen = (size_t)(colon - s);
		if (memchr(s, ':', hlen) != NULL)
			return P2P_EURL;	/* IPv6 without brackets */
	}
	if (memchr(s + (host != s), '[', len - (host != s)) != NULL ||
	    memchr(s + k, ']', len - k) != NULL)
		return P2P_EURL;
	if (memchr(host, '%', hlen) != NULL)
		return P2P_EIP;			/* zone or escape */
	if ((rc = p2p_ip_parse(&node->ip, host, hlen)) != 0)
		return host == s ? host_error(host, hlen) : rc;
	if (parse_port(colon + 1, (size_t)(s + len - colon - 1),
	    &node->tcp) != 0)
		return P2P_EPORT;
	return 0;
}

/*
 * udp from the first "discport" of the query, as url.Query().Get finds it:
 * pairs split at '&' or ';' (Go before 1.17), keys and values unescaped,
 * pairs with bad escapes skipped.  An empty value means udp = tcp.
 */
static int
parse_query(struct p2p_node *node, const char *q, const char *end)
{
	char key[8], val[URL_MAX];

	while (q < end) {
		const char *p = q, *eq;
		long kl, vl;

		while (p < end && *p != '&' && *p != ';')
			p++;
		eq = memchr(q, '=', (size_t)(p - q));
		if (eq == NULL)
			eq = p;
		kl = unescape(key, sizeof(key), q, (size_t)(eq - q), 1);
		vl = unescape(val, sizeof(val), eq + (eq < p),
		    (size_t)(p - eq - (eq < p)), 1);
		q = p + (p < end);
		if (kl != 8 || vl < 0 || memcmp(key, "discport", 8) != 0)
			continue;
		if (vl == 0)
			return 0;
		return parse_port(val, (size_t)vl, &node->udp) ?
		    P2P_EDISCPORT : 0;
	}
	return 0;
}

/* url.Parse wants "[...]" followed by nothing or ":" and digits. */
static int
bracket_port(const char *host, const char *end)
{
	const char *close = memrchr(host, ']', (size_t)(end - host));

	if (close == NULL)
		return P2P_EURL;
	if (++close == end)
		return 0;
	if (*close != ':')
		return P2P_EURL;
	while (++close < end)
		if (*close < '0' || *close > '9')
			return P2P_EPORT;
	return 0;
}

/* "//userinfo@host:port" up to the path: key, address and tcp port. */
static int
parse_authority(struct p2p_node *node, const char *a, const char *end)
{
	const char *at = memrchr(a, '@', (size_t)(end - a)), *host;
	char key[URL_MAX];
	long klen;
	int rc;

	host = at ? at + 1 : a;
	if (!host_ok(host, (size_t)(end - host)))
		return P2P_EURL;
	if (host < end && host[0] == '[' &&
	    (rc = bracket_port(host, end)) != 0)
		return rc;
	if (at == NULL)
		return P2P_EIDLEN;	/* "does not contain node ID" */
	if (!userinfo_ok(a, (size_t)(at - a)))
		return P2P_EURL;
	if (memchr(a, ':', (size_t)(at - a)) != NULL)
		return P2P_EURL;	/* user:password */
	if ((klen = unescape(key, sizeof(key), a, (size_t)(at - a), 0)) < 0)
		return P2P_EURL;
	if ((rc = parse_pubkey(node, key, (size_t)klen)) != 0)
		return rc;
	return parse_hostport(node, host, (size_t)(end - host));
}

/*
 * url.Parse's lexical split: "#fragment" first, then "scheme:", then
 * "?query", then "//authority" and "/path".  Escapes in the fragment and
 * path are checked though their values are unused.
 */
static int
parse_complete(struct p2p_node *node, const char *s, size_t len)
{
	const char *end = s + len, *frag, *rest, *q, *auth, *path;
	int rc;

	if ((frag = memchr(s, '#', len)) != NULL) {
		if (unescape(NULL, 0, frag + 1, (size_t)(end - frag - 1), 0) <
		    0)
			return P2P_EURL;
		end = frag;
	}
	for (rest = s; rest < end && is_schemechar(*rest); rest++)
		;
	if (rest == s && rest < end && *rest == ':')
		return P2P_EURL;		/* missing protocol scheme */
	if (rest - s != 5 || rest == end || *rest != ':' ||
	    strncasecmp(s, "enode", 5) != 0)
		return P2P_ESCHEME;
	rest++;
	q = memchr(rest, '?', (size_t)(end - rest));
	if (q == NULL)
		q = end;
	if (q - rest < 2 || rest[0] != '/' || rest[1] != '/')
		return P2P_EURL;		/* no authority */
	auth = rest + 2;
	if ((path = memchr(auth, '/', (size_t)(q - auth))) == NULL)
		path = q;
	if (unescape(NULL, 0, path, (size_t)(q - path), 0) < 0)
		return P2P_EURL;
	if ((rc = parse_authority(node, auth, path)) != 0)
		return rc;
	node->udp = node->tcp;
	return q < end ? parse_query(node, q + 1, end) : 0;
}

/* The incomplete forms: optional "enode://" (any case), then only hex. */
static int
incomplete(const char *s, size_t len, const char **hex, size_t *hexlen)
{
	if (len >= 8 && strncasecmp(s, "enode://", 8) == 0) {
		s += 8;
		len -= 8;
	}
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!is_hex(s[i]))
			return 0;
	*hex = s;
	*hexlen = len;
	return 1;
}

int
p2p_enode_parse(struct p2p_node *node, const char *s, size_t len)
{
	const char *hex;
	size_t hexlen;
	int rc;

	memset(node, 0, sizeof(*node));
	if (len == 0)
		return P2P_EEMPTY;
	if (len > URL_MAX)
		return P2P_EURL;
	/* url.Parse refuses control characters anywhere. */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return P2P_EURL;
	if (incomplete(s, len, &hex, &hexlen))
		rc = parse_pubkey(node, hex, hexlen);
	else
		rc = parse_complete(node, s, len);
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
