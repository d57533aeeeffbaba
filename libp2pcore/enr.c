/*
 * enr.c - Ethereum Node Records (EIP-778), "v4" identity scheme.  A record
 * is a bounded value struct: pairs index an arena holding each key and
 * its value's RLP, kept sorted by key.
 */
#include <string.h>

#include <p2p/enr.h>
#include <p2p/keccak.h>
#include <p2p/rlp.h>

#include "base64.h"

void
p2p_enr_init(struct p2p_enr *r)
{
	memset(r, 0, sizeof(*r));
}

/* Bytewise key order, shorter first on a common prefix (Go strings). */
static int
keycmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Encodes [seq, k, v, ...] (content) or [sig, seq, k, v, ...]. */
static int
encode(const struct p2p_enr *r, int with_sig, uint8_t *out, size_t cap,
    size_t *outlen)
{
	struct p2p_rlp_enc e;
	const uint8_t *p;

	p2p_rlp_enc_init_fixed(&e, out, cap);
	p2p_rlp_enc_list_begin(&e);
	if (with_sig)
		p2p_rlp_enc_bytes(&e, r->sig, sizeof(r->sig));
	p2p_rlp_enc_uint(&e, r->seq);
	for (unsigned i = 0; i < r->npairs; i++) {
		p2p_rlp_enc_bytes(&e, r->arena + r->pair[i].koff,
		    r->pair[i].klen);
		p2p_rlp_enc_raw(&e, r->arena + r->pair[i].voff,
		    r->pair[i].vlen);
	}
	p2p_rlp_enc_list_end(&e);
	return p2p_rlp_enc_finish(&e, &p, outlen);
}

/* Would the record, signed, fit in 300 bytes? */
static int
fits(const struct p2p_enr *r)
{
	uint8_t buf[P2P_ENR_MAX_SIZE];
	size_t n;
	struct p2p_enr tmp = *r;

	memset(tmp.sig, 0xff, sizeof(tmp.sig));
	return encode(&tmp, 1, buf, sizeof(buf), &n) == 0;
}

/* Index of key in r, or -1. */
static int
find(const struct p2p_enr *r, const uint8_t *key, size_t klen)
{
	for (unsigned i = 0; i < r->npairs; i++)
		if (keycmp(r->arena + r->pair[i].koff, r->pair[i].klen, key,
		    klen) == 0)
			return (int)i;
	return -1;
}

/* Appends a pair; the caller has checked that it fits. */
static void
append(struct p2p_enr *r, const uint8_t *k, size_t klen, const uint8_t *v,
    size_t vlen)
{
	struct p2p_enr_pair *pp = &r->pair[r->npairs++];

	pp->koff = r->arenalen;
	pp->klen = (uint16_t)klen;
	memcpy(r->arena + r->arenalen, k, klen);
	r->arenalen += (uint16_t)klen;
	pp->voff = r->arenalen;
	pp->vlen = (uint16_t)vlen;
	memcpy(r->arena + r->arenalen, v, vlen);
	r->arenalen += (uint16_t)vlen;
}

/*
 * Rebuilds r without key, then with key=rlp inserted in order if rlp is
 * not NULL.  The arena and pair table sizes are checked before anything
 * is copied; whether the signed record fits in 300 bytes after.
 */
static int
rebuild(struct p2p_enr *r, const uint8_t *key, size_t klen,
    const uint8_t *rlp, size_t rlplen)
{
	struct p2p_enr out;
	size_t arena = r->arenalen, npairs = r->npairs;
	int old = find(r, key, klen), inserted = rlp == NULL;

	if (old >= 0) {
		arena -= r->pair[old].klen + r->pair[old].vlen;
		npairs--;
	}
	if (rlp != NULL) {
		arena += klen + rlplen;
		npairs++;
	}
	if (arena > P2P_ENR_MAX_SIZE || npairs > P2P_ENR_MAX_PAIRS)
		return P2P_EENRSIZE;
	p2p_enr_init(&out);
	out.seq = r->seq;
	for (unsigned i = 0; i < r->npairs; i++) {
		const struct p2p_enr_pair *pp = &r->pair[i];
		const uint8_t *k = r->arena + pp->koff;
		int c = keycmp(k, pp->klen, key, klen);

		if (!inserted && c >= 0) {
			append(&out, key, klen, rlp, rlplen);
			inserted = 1;
		}
		if (c != 0)
			append(&out, k, pp->klen, r->arena + pp->voff,
			    pp->vlen);
	}
	if (!inserted)
		append(&out, key, klen, rlp, rlplen);
	if (!fits(&out))
		return P2P_EENRSIZE;
	*r = out;	/* the signature is dropped with the old record */
	return 0;
}

int
p2p_enr_set(struct p2p_enr *r, const char *key, const uint8_t *rlp,
    size_t rlplen)
{
	struct p2p_rlp_item item;
	size_t klen = strlen(key);

	if (klen == 0)
		return P2P_EINVAL;
	if (klen > P2P_ENR_MAX_SIZE || rlplen > P2P_ENR_MAX_SIZE)
		return P2P_EENRSIZE;
	if (p2p_rlp_decode(&item, rlp, rlplen) != 0)
		return P2P_EINVAL;
	return rebuild(r, (const uint8_t *)key, klen, rlp, rlplen);
}

int
p2p_enr_set_bytes(struct p2p_enr *r, const char *key, const uint8_t *b,
    size_t n)
{
	uint8_t buf[P2P_ENR_MAX_SIZE];
	struct p2p_rlp_enc e;
	const uint8_t *p;
	size_t len;

	p2p_rlp_enc_init_fixed(&e, buf, sizeof(buf));
	p2p_rlp_enc_bytes(&e, b, n);
	if (p2p_rlp_enc_finish(&e, &p, &len) != 0)
		return P2P_EENRSIZE;
	return p2p_enr_set(r, key, p, len);
}

int
p2p_enr_set_uint(struct p2p_enr *r, const char *key, uint64_t v)
{
	uint8_t buf[9];
	struct p2p_rlp_enc e;
	const uint8_t *p;
	size_t len;

	p2p_rlp_enc_init_fixed(&e, buf, sizeof(buf));
	p2p_rlp_enc_uint(&e, v);
	p2p_rlp_enc_finish(&e, &p, &len);
	return p2p_enr_set(r, key, p, len);
}

int
p2p_enr_set_ip(struct p2p_enr *r, const struct p2p_ip *ip)
{
	if (ip->len != 4 && ip->len != 16)
		return P2P_EINVAL;
	return p2p_enr_set_bytes(r, ip->len == 4 ? "ip" : "ip6", ip->b,
	    ip->len);
}

int
p2p_enr_delete(struct p2p_enr *r, const char *key)
{
	return rebuild(r, (const uint8_t *)key, strlen(key), NULL, 0);
}

void
p2p_enr_set_seq(struct p2p_enr *r, uint64_t seq)
{
	r->seq = seq;
	r->has_sig = 0;
}

static void
content_hash(const struct p2p_enr *r, uint8_t hash[32])
{
	uint8_t buf[P2P_ENR_MAX_SIZE];
	size_t n = 0;

	/* Cannot fail: a signed-size record always fits. */
	encode(r, 0, buf, sizeof(buf), &n);
	p2p_keccak256(hash, buf, n);
}

int
p2p_enr_sign(struct p2p_enr *r, const struct p2p_privkey *key)
{
	static const uint8_t v4[] = { 0x82, 'v', '4' };
	struct p2p_pubkey pub;
	uint8_t comp[34], hash[32], sig[65];
	int rc;

	if ((rc = p2p_secp_pubkey(&pub, key)) != 0)
		return rc;
	comp[0] = 0xa1;		/* RLP header of a 33-byte string */
	p2p_secp_pubkey_compress(comp + 1, &pub);
	if ((rc = p2p_enr_set(r, "id", v4, sizeof(v4))) != 0 ||
	    (rc = p2p_enr_set(r, "secp256k1", comp, sizeof(comp))) != 0)
		return rc;
	content_hash(r, hash);
	if ((rc = p2p_secp_sign(sig, hash, key)) != 0)
		return rc;
	memcpy(r->sig, sig, 64);
	r->has_sig = 1;
	p2p_wipe(sig, sizeof(sig));
	return 0;
}

/*
 * Appends one decoded pair, checking order and uniqueness as go-ethereum
 * does.  The arena cannot overflow: it holds a subset of the input's at
 * most 300 bytes.
 */
static int
add_pair(struct p2p_enr *r, const struct p2p_rlp_item *k,
    const struct p2p_rlp_item *v)
{
	if (r->npairs > 0) {
		const struct p2p_enr_pair *prev = &r->pair[r->npairs - 1];
		int c = keycmp(r->arena + prev->koff, prev->klen, k->data,
		    k->len);

		if (c == 0)
			return P2P_EENRDUP;
		if (c > 0)
			return P2P_EENRORDER;
	}
	if (r->npairs >= P2P_ENR_MAX_PAIRS)
		return P2P_EENRSIZE;
	append(r, k->data, k->len, v->raw, v->rawlen);
	return 0;
}

int
p2p_enr_decode(struct p2p_enr *r, const uint8_t *rlp, size_t len)
{
	struct p2p_rlp_item list, sig, seq, k, v;
	struct p2p_rlp_iter it;
	int rc;

	p2p_enr_init(r);
	if (len > P2P_ENR_MAX_SIZE)
		return P2P_EENRSIZE;
	if ((rc = p2p_rlp_decode(&list, rlp, len)) != 0)
		return rc;
	if ((rc = p2p_rlp_iter_init(&it, &list)) != 0)
		return rc;
	/* Errors in go-ethereum's order: each element as it is read. */
	if (p2p_rlp_iter_next(&it, &sig) != 1)
		return P2P_EENRINCOMPLETE;
	if (sig.is_list)
		return P2P_EEXPECTSTR;
	if (p2p_rlp_iter_next(&it, &seq) != 1)
		return P2P_EENRINCOMPLETE;
	if ((rc = p2p_rlp_uint64(&seq, &r->seq)) != 0)
		goto fail;
	while ((rc = p2p_rlp_iter_next(&it, &k)) == 1) {
		if (k.is_list) {
			rc = P2P_EEXPECTSTR;
			goto fail;
		}
		if (p2p_rlp_iter_next(&it, &v) != 1) {
			rc = P2P_EENRINCOMPLETE;
			goto fail;
		}
		if ((rc = add_pair(r, &k, &v)) != 0)
			goto fail;
	}
	if (rc < 0)
		goto fail;
	/* A signature of the wrong size is kept as "present but bad" so
	 * verification, not decoding, reports it. */
	r->has_sig = sig.len == sizeof(r->sig) ? 1 : -1;
	if (r->has_sig == 1)
		memcpy(r->sig, sig.data, sig.len);
	return 0;
fail:
	p2p_enr_init(r);
	return rc;
}

int
p2p_enr_verify(const struct p2p_enr *r)
{
	struct p2p_pubkey pub;
	uint8_t hash[32];
	char id[16];

	if (r->has_sig == 0)
		return P2P_EENRUNSIGNED;
	if (p2p_enr_get_id(r, id) != 0 || strcmp(id, "v4") != 0)
		return P2P_EENRSCHEME;
	if (p2p_enr_get_pubkey(r, &pub) != 0)
		return P2P_EPUBKEY;
	if (r->has_sig != 1)
		return P2P_EENRSIG;
	content_hash(r, hash);
	return p2p_secp_verify(r->sig, hash, &pub) == 0 ? 0 : P2P_EENRSIG;
}

int
p2p_enr_parse(struct p2p_enr *r, const char *text, size_t len)
{
	uint8_t raw[P2P_ENR_MAX_SIZE];
	size_t n = sizeof(raw);
	int rc;

	p2p_enr_init(r);
	if (len < 4 || memcmp(text, "enr:", 4) != 0)
		return P2P_ESCHEME;
	text += 4;
	len -= 4;
	if (len == 0)
		return P2P_EEMPTY;
	if (len > p2pi_base64url_len(P2P_ENR_MAX_SIZE))
		return P2P_EENRSIZE;
	if ((rc = p2pi_base64url_decode(raw, &n, text, len)) != 0)
		return rc == P2P_ETOOBIG ? P2P_EENRSIZE : rc;
	if ((rc = p2p_enr_decode(r, raw, n)) != 0 ||
	    (rc = p2p_enr_verify(r)) != 0)
		p2p_enr_init(r);
	return rc;
}

int
p2p_enr_encode(const struct p2p_enr *r, uint8_t *out, size_t *outlen)
{
	uint8_t buf[P2P_ENR_MAX_SIZE];
	size_t n;

	if (r->has_sig != 1)
		return r->has_sig ? P2P_EENRSIG : P2P_EENRUNSIGNED;
	if (encode(r, 1, buf, sizeof(buf), &n) != 0)
		return P2P_EENRSIZE;
	if (n > *outlen) {
		*outlen = n;
		return P2P_ETOOBIG;
	}
	memcpy(out, buf, n);
	*outlen = n;
	return 0;
}

int
p2p_enr_format(const struct p2p_enr *r, char *out, size_t *outlen)
{
	uint8_t raw[P2P_ENR_MAX_SIZE];
	size_t n = sizeof(raw), tlen;
	int rc;

	if ((rc = p2p_enr_encode(r, raw, &n)) != 0)
		return rc;
	tlen = 4 + p2pi_base64url_len(n);
	if (tlen + 1 > *outlen) {
		*outlen = tlen + 1;
		return P2P_ETOOBIG;
	}
	memcpy(out, "enr:", 4);
	p2pi_base64url_encode(out + 4, raw, n);
	*outlen = tlen;
	return 0;
}

int
p2p_enr_get(const struct p2p_enr *r, const char *key, const uint8_t **rlp,
    size_t *rlplen)
{
	int i = find(r, (const uint8_t *)key, strlen(key));

	if (i < 0)
		return P2P_ENOTFOUND;
	*rlp = r->arena + r->pair[i].voff;
	*rlplen = r->pair[i].vlen;
	return 0;
}

void
p2p_enr_pair_at(const struct p2p_enr *r, unsigned i, const uint8_t **key,
    size_t *klen, const uint8_t **rlp, size_t *rlplen)
{
	*key = r->arena + r->pair[i].koff;
	*klen = r->pair[i].klen;
	*rlp = r->arena + r->pair[i].voff;
	*rlplen = r->pair[i].vlen;
}

/* The value of key as a string item. */
static int
get_string(const struct p2p_enr *r, const char *key,
    struct p2p_rlp_item *item)
{
	const uint8_t *v;
	size_t n;

	if (p2p_enr_get(r, key, &v, &n) != 0)
		return P2P_ENOTFOUND;
	if (p2p_rlp_decode(item, v, n) != 0 || item->is_list)
		return P2P_EFIELD;
	return 0;
}

int
p2p_enr_get_id(const struct p2p_enr *r, char out[static 16])
{
	struct p2p_rlp_item item;
	int rc;

	if ((rc = get_string(r, "id", &item)) != 0)
		return rc;
	if (item.len > 15 || memchr(item.data, '\0', item.len) != NULL)
		return P2P_EFIELD;
	memcpy(out, item.data, item.len);
	out[item.len] = '\0';
	return 0;
}

int
p2p_enr_get_pubkey(const struct p2p_enr *r, struct p2p_pubkey *pub)
{
	struct p2p_rlp_item item;
	int rc;

	if ((rc = get_string(r, "secp256k1", &item)) != 0)
		return rc;
	if (item.len != 33 || p2p_secp_pubkey_parse(pub, item.data, 33) != 0)
		return P2P_EFIELD;
	return 0;
}

static int
get_ipn(const struct p2p_enr *r, const char *key, struct p2p_ip *ip,
    uint8_t len)
{
	struct p2p_rlp_item item;
	int rc;

	if ((rc = get_string(r, key, &item)) != 0)
		return rc;
	if (item.len != len)
		return P2P_EFIELD;
	memcpy(ip->b, item.data, len);
	ip->len = len;
	return 0;
}

int
p2p_enr_get_ip(const struct p2p_enr *r, struct p2p_ip *ip)
{
	return get_ipn(r, "ip", ip, 4);
}

int
p2p_enr_get_ip6(const struct p2p_enr *r, struct p2p_ip *ip)
{
	return get_ipn(r, "ip6", ip, 16);
}

int
p2p_enr_get_port(const struct p2p_enr *r, const char *key, uint16_t *port)
{
	struct p2p_rlp_item item;
	uint64_t v;
	int rc;

	if ((rc = get_string(r, key, &item)) != 0)
		return rc;
	if (p2p_rlp_uint64(&item, &v) != 0 || v > 65535)
		return P2P_EFIELD;
	*port = (uint16_t)v;
	return 0;
}

int
p2p_enr_nodeid(const struct p2p_enr *r, struct p2p_nodeid *id)
{
	struct p2p_pubkey pub;
	int rc;

	if ((rc = p2p_enr_get_pubkey(r, &pub)) != 0)
		return rc;
	p2p_enode_id(id, &pub);
	return 0;
}

int
p2p_enr_to_node(const struct p2p_enr *r, struct p2p_node *node)
{
	memset(node, 0, sizeof(*node));
	if (p2p_enr_get_pubkey(r, &node->pub) != 0)
		return P2P_EPUBKEY;
	p2p_enode_id(&node->id, &node->pub);
	if (p2p_enr_get_ip(r, &node->ip) == 0) {
		p2p_enr_get_port(r, "tcp", &node->tcp);
		p2p_enr_get_port(r, "udp", &node->udp);
	} else if (p2p_enr_get_ip6(r, &node->ip) == 0) {
		if (p2p_enr_get_port(r, "tcp6", &node->tcp) != 0)
			p2p_enr_get_port(r, "tcp", &node->tcp);
		if (p2p_enr_get_port(r, "udp6", &node->udp) != 0)
			p2p_enr_get_port(r, "udp", &node->udp);
	} else {
		memset(&node->ip, 0, sizeof(node->ip));
	}
	return 0;
}

int
p2p_enr_parse_node(struct p2p_node *node, const char *s, size_t len)
{
	struct p2p_enr r;
	int rc;

	if (len < 4 || memcmp(s, "enr:", 4) != 0)
		return p2p_enode_parse(node, s, len);
	if ((rc = p2p_enr_parse(&r, s, len)) == 0)
		rc = p2p_enr_to_node(&r, node);
	return rc;
}
