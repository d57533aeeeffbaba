/*
 * rlp.c - RLP decoding that accepts only the canonical encoding (as
 * go-ethereum's rlp package does) without allocating, and an encoder into
 * a fixed buffer or a capped heap buffer.
 */
#include <stdlib.h>
#include <string.h>

#include <p2p/rlp.h>

/* Reads a big-endian length of n (1..8) bytes; leading zeros refused. */
static int
read_len(const uint8_t *p, size_t n, uint64_t *len)
{
	uint64_t v = 0;

	if (p[0] == 0)
		return P2P_ELEADINGZERO;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	*len = v;
	return 0;
}

int
p2p_rlp_next(struct p2p_rlp_item *item, const uint8_t *buf, size_t len,
    size_t *consumed)
{
	uint8_t b;
	size_t hdr;
	uint64_t plen;
	int rc;

	if (len == 0)
		return P2P_ETRUNCATED;
	b = buf[0];
	item->is_list = b >= 0xc0;
	if (b < 0x80) {
		hdr = 0;
		plen = 1;
	} else if (b <= 0xb7 || (b >= 0xc0 && b <= 0xf7)) {
		hdr = 1;
		plen = b - (b <= 0xb7 ? 0x80 : 0xc0);
	} else {
		size_t n = b - (b <= 0xbf ? 0xb7 : 0xf7);

		if (len < 1 + n)
			return P2P_ETRUNCATED;
		if ((rc = read_len(buf + 1, n, &plen)) != 0)
			return rc;
		if (plen < 56)
			return P2P_ENONCANONSIZE;
		hdr = 1 + n;
	}
	if (plen > len - hdr)
		return P2P_ETRUNCATED;
	if (b == 0x81 && buf[1] < 0x80)
		return P2P_ESINGLEBYTE;
	item->raw = buf;
	item->rawlen = hdr + (size_t)plen;
	item->data = buf + hdr;
	item->len = (size_t)plen;
	if (consumed != NULL)
		*consumed = item->rawlen;
	return 0;
}

/* Checks every element of a list, depth levels deep at most. */
static int
validate(const struct p2p_rlp_item *item, int depth)
{
	struct p2p_rlp_item sub;
	size_t off = 0, n;
	int rc;

	if (!item->is_list)
		return 0;
	if (depth > P2P_RLP_MAX_DEPTH)
		return P2P_EDEPTH;
	while (off < item->len) {
		rc = p2p_rlp_next(&sub, item->data + off, item->len - off, &n);
		if (rc == 0)
			rc = validate(&sub, depth + 1);
		if (rc != 0)
			return rc;
		off += n;
	}
	return 0;
}

int
p2p_rlp_decode_prefix(struct p2p_rlp_item *item, const uint8_t *buf,
    size_t len)
{
	int rc = p2p_rlp_next(item, buf, len, NULL);

	return rc ? rc : validate(item, 1);
}

int
p2p_rlp_decode(struct p2p_rlp_item *item, const uint8_t *buf, size_t len)
{
	int rc = p2p_rlp_decode_prefix(item, buf, len);

	if (rc == 0 && item->rawlen != len)
		return P2P_ETRAILING;
	return rc;
}

int
p2p_rlp_iter_init(struct p2p_rlp_iter *it, const struct p2p_rlp_item *list)
{
	if (!list->is_list)
		return P2P_EEXPECTLIST;
	it->p = list->data;
	it->end = list->data + list->len;
	return 0;
}

int
p2p_rlp_iter_next(struct p2p_rlp_iter *it, struct p2p_rlp_item *item)
{
	size_t n;
	int rc;

	if (it->p == it->end)
		return 0;
	if ((rc = p2p_rlp_next(item, it->p, (size_t)(it->end - it->p),
	    &n)) != 0)
		return rc;
	it->p += n;
	return 1;
}

int
p2p_rlp_count(const struct p2p_rlp_item *list)
{
	struct p2p_rlp_iter it;
	struct p2p_rlp_item item;
	int rc, n = 0;

	if ((rc = p2p_rlp_iter_init(&it, list)) != 0)
		return rc;
	while ((rc = p2p_rlp_iter_next(&it, &item)) == 1)
		n++;
	return rc < 0 ? rc : n;
}

int
p2p_rlp_uint64(const struct p2p_rlp_item *item, uint64_t *v)
{
	uint64_t x = 0;

	if (item->is_list)
		return P2P_EEXPECTSTR;
	if (item->len > 8)
		return P2P_EINTRANGE;
	/* Zero is 0x80; 0x00 and leading zero bytes are not canonical. */
	if (item->len > 0 && item->data[0] == 0)
		return P2P_ELEADINGZERO;
	for (size_t i = 0; i < item->len; i++)
		x = x << 8 | item->data[i];
	*v = x;
	return 0;
}

int
p2p_rlp_bytes_exact(const struct p2p_rlp_item *item, uint8_t *out,
    size_t len)
{
	if (item->is_list)
		return P2P_EEXPECTSTR;
	if (item->len != len)
		return P2P_EFIELD;
	memcpy(out, item->data, len);
	return 0;
}

/* Encoder. */

void
p2p_rlp_enc_init_fixed(struct p2p_rlp_enc *e, uint8_t *buf, size_t cap)
{
	memset(e, 0, sizeof(*e));
	e->data = buf;
	e->cap = e->max = cap;
}

void
p2p_rlp_enc_init(struct p2p_rlp_enc *e, size_t max)
{
	memset(e, 0, sizeof(*e));
	e->max = max;
	e->owned = 1;
}

void
p2p_rlp_enc_free(struct p2p_rlp_enc *e)
{
	if (e->owned)
		free(e->data);
	e->data = NULL;
	e->len = e->cap = 0;
}

/* Makes room for extra more bytes, within the cap. */
static int
reserve(struct p2p_rlp_enc *e, size_t extra)
{
	size_t need, cap;
	uint8_t *p;

	if (e->err)
		return e->err;
	if (extra > e->max - e->len)
		return e->err = P2P_ETOOBIG;
	need = e->len + extra;
	if (need <= e->cap)
		return 0;
	if (!e->owned)
		return e->err = P2P_ETOOBIG;
	cap = e->cap ? e->cap : 64;
	while (cap < need)
		cap = cap > e->max / 2 ? e->max : cap * 2;
	if ((p = realloc(e->data, cap)) == NULL)
		return e->err = P2P_ENOMEM;
	e->data = p;
	e->cap = cap;
	return 0;
}

/* Bytes needed for n as a big-endian number without leading zeros. */
static size_t
be_len(uint64_t n)
{
	size_t k = 0;

	for (; n > 0; n >>= 8)
		k++;
	return k;
}

/* Writes a header for payload length n at p; returns its size. */
static size_t
put_header(uint8_t *p, size_t n, uint8_t base)
{
	size_t k;

	if (n < 56) {
		p[0] = (uint8_t)(base + n);
		return 1;
	}
	k = be_len(n);
	p[0] = (uint8_t)(base + 55 + k);
	for (size_t i = 0; i < k; i++)
		p[k - i] = (uint8_t)(n >> (8 * i));
	return 1 + k;
}

static size_t
header_len(size_t n)
{
	return n < 56 ? 1 : 1 + be_len(n);
}

int
p2p_rlp_enc_bytes(struct p2p_rlp_enc *e, const uint8_t *b, size_t n)
{
	int rc;

	if (n == 1 && b[0] < 0x80) {
		if ((rc = reserve(e, 1)) != 0)
			return rc;
		e->data[e->len++] = b[0];
		return 0;
	}
	if ((rc = reserve(e, header_len(n) + n)) != 0)
		return rc;
	e->len += put_header(e->data + e->len, n, 0x80);
	if (n > 0)
		memcpy(e->data + e->len, b, n);
	e->len += n;
	return 0;
}

int
p2p_rlp_enc_str(struct p2p_rlp_enc *e, const char *s)
{
	return p2p_rlp_enc_bytes(e, (const uint8_t *)s, strlen(s));
}

int
p2p_rlp_enc_bigint(struct p2p_rlp_enc *e, const uint8_t *be, size_t n)
{
	while (n > 0 && be[0] == 0) {
		be++;
		n--;
	}
	return p2p_rlp_enc_bytes(e, be, n);
}

int
p2p_rlp_enc_uint(struct p2p_rlp_enc *e, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[7 - i] = (uint8_t)(v >> (8 * i));
	return p2p_rlp_enc_bigint(e, b, 8);
}

int
p2p_rlp_enc_raw(struct p2p_rlp_enc *e, const uint8_t *rlp, size_t n)
{
	int rc;

	if ((rc = reserve(e, n)) != 0)
		return rc;
	if (n > 0)
		memcpy(e->data + e->len, rlp, n);
	e->len += n;
	return 0;
}

int
p2p_rlp_enc_list_begin(struct p2p_rlp_enc *e)
{
	if (e->err)
		return e->err;
	if (e->depth >= P2P_RLP_MAX_DEPTH)
		return e->err = P2P_EDEPTH;
	e->open[e->depth++] = e->len;
	return 0;
}

int
p2p_rlp_enc_list_end(struct p2p_rlp_enc *e)
{
	size_t start, n, h;
	int rc;

	if (e->err)
		return e->err;
	if (e->depth == 0)
		return e->err = P2P_EINVAL;
	start = e->open[--e->depth];
	n = e->len - start;
	h = header_len(n);
	if ((rc = reserve(e, h)) != 0)
		return rc;
	memmove(e->data + start + h, e->data + start, n);
	put_header(e->data + start, n, 0xc0);
	e->len += h;
	return 0;
}

int
p2p_rlp_enc_finish(struct p2p_rlp_enc *e, const uint8_t **out,
    size_t *outlen)
{
	if (e->err)
		return e->err;
	if (e->depth != 0)
		return P2P_EINVAL;
	if (out != NULL)
		*out = e->data;
	if (outlen != NULL)
		*outlen = e->len;
	return 0;
}
