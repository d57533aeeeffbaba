/*
 * proto.c - devp2p base protocol messages: Hello, Disconnect and the
 * capability matching that assigns sub-protocol message codes.
 */
#include <stdlib.h>
#include <string.h>

#include <p2p/proto.h>
#include <p2p/rlp.h>

static const char *reasons[] = {
	[0x00] = "disconnect requested",
	[0x01] = "network error",
	[0x02] = "breach of protocol",
	[0x03] = "useless peer",
	[0x04] = "too many peers",
	[0x05] = "already connected",
	[0x06] = "incompatible p2p protocol version",
	[0x07] = "invalid node identity",
	[0x08] = "client quitting",
	[0x09] = "unexpected identity",
	[0x0a] = "connected to self",
	[0x0b] = "read timeout",
	[0x10] = "subprotocol error",
};

const char *
p2p_proto_disc_reason(unsigned reason)
{
	if (reason < sizeof(reasons) / sizeof(reasons[0]) && reasons[reason])
		return reasons[reason];
	return "unknown disconnect reason";
}

static int
capcmp(const void *a, const void *b)
{
	const struct p2p_cap *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->version < y->version ? -1 : x->version > y->version;
}

int
p2p_proto_hello_encode(const struct p2p_hello *h, uint8_t *out,
    size_t *outlen)
{
	struct p2p_cap caps[P2P_PROTO_MAX_CAPS];
	uint8_t buf[P2P_PROTO_HELLO_MAX];
	struct p2p_rlp_enc e;
	const uint8_t *p;
	size_t n;

	if (h->ncaps > P2P_PROTO_MAX_CAPS)
		return P2P_ETOOBIG;
	memcpy(caps, h->caps, h->ncaps * sizeof(caps[0]));
	qsort(caps, h->ncaps, sizeof(caps[0]), capcmp);
	p2p_rlp_enc_init_fixed(&e, buf, sizeof(buf));
	p2p_rlp_enc_list_begin(&e);
	p2p_rlp_enc_uint(&e, h->version);
	p2p_rlp_enc_str(&e, h->client);
	p2p_rlp_enc_list_begin(&e);
	for (unsigned i = 0; i < h->ncaps; i++) {
		p2p_rlp_enc_list_begin(&e);
		p2p_rlp_enc_str(&e, caps[i].name);
		p2p_rlp_enc_uint(&e, caps[i].version);
		p2p_rlp_enc_list_end(&e);
	}
	p2p_rlp_enc_list_end(&e);
	p2p_rlp_enc_uint(&e, h->listen_port);
	p2p_rlp_enc_bytes(&e, h->id.b, sizeof(h->id.b));
	p2p_rlp_enc_list_end(&e);
	if (p2p_rlp_enc_finish(&e, &p, &n) != 0)
		return P2P_ETOOBIG;
	if (n > *outlen) {
		*outlen = n;
		return P2P_ETOOBIG;
	}
	memcpy(out, p, n);
	*outlen = n;
	return 0;
}

/* A string item into a C string of at most max chars, no NUL inside. */
static int
get_text(const struct p2p_rlp_item *it, char *out, size_t max)
{
	if (it->is_list || it->len > max ||
	    memchr(it->data, '\0', it->len) != NULL)
		return P2P_EFIELD;
	memcpy(out, it->data, it->len);
	out[it->len] = '\0';
	return 0;
}

static int
get_cap(const struct p2p_rlp_item *item, struct p2p_cap *cap)
{
	struct p2p_rlp_iter it;
	struct p2p_rlp_item name, ver;
	uint64_t v;

	memset(cap, 0, sizeof(*cap));
	if (p2p_rlp_iter_init(&it, item) != 0 ||
	    p2p_rlp_iter_next(&it, &name) != 1 ||
	    p2p_rlp_iter_next(&it, &ver) != 1 ||
	    get_text(&name, cap->name, P2P_PROTO_CAP_NAME_MAX) != 0 ||
	    p2p_rlp_uint64(&ver, &v) != 0 || v > UINT32_MAX)
		return P2P_EFIELD;
	cap->version = (uint32_t)v;
	return 0;
}

static int
get_caps(struct p2p_hello *h, const struct p2p_rlp_item *list)
{
	struct p2p_rlp_iter it;
	struct p2p_rlp_item item;
	int rc;

	if (p2p_rlp_iter_init(&it, list) != 0)
		return P2P_EFIELD;
	while ((rc = p2p_rlp_iter_next(&it, &item)) == 1) {
		if (h->ncaps == P2P_PROTO_MAX_CAPS)
			return P2P_ETOOBIG;
		if (get_cap(&item, &h->caps[h->ncaps++]) != 0)
			return P2P_EFIELD;
	}
	return rc;
}

int
p2p_proto_hello_decode(struct p2p_hello *h, const uint8_t *p, size_t n)
{
	struct p2p_rlp_item list, it[5];
	struct p2p_rlp_iter iter;
	uint64_t port = 0;
	int rc;

	memset(h, 0, sizeof(*h));
	if (n > P2P_PROTO_HELLO_MAX)
		return P2P_ETOOBIG;
	if ((rc = p2p_rlp_decode_prefix(&list, p, n)) != 0)
		return rc;
	if (p2p_rlp_iter_init(&iter, &list) != 0)
		return P2P_EFIELD;
	for (int i = 0; i < 5; i++)
		if (p2p_rlp_iter_next(&iter, &it[i]) != 1)
			return P2P_EFIELD;
	if (p2p_rlp_uint64(&it[0], &h->version) != 0 ||
	    get_text(&it[1], h->client, P2P_PROTO_CLIENT_MAX) != 0 ||
	    p2p_rlp_uint64(&it[3], &port) != 0 || port > 65535 ||
	    p2p_rlp_bytes_exact(&it[4], h->id.b, sizeof(h->id.b)) != 0)
		rc = P2P_EFIELD;
	else
		rc = get_caps(h, &it[2]);
	h->listen_port = (uint16_t)port;
	if (rc != 0)
		memset(h, 0, sizeof(*h));
	return rc;
}

int
p2p_proto_hello_check(const struct p2p_hello *h,
    const struct p2p_pubkey *rlpx_remote)
{
	return p2p_ct_equal(h->id.b, rlpx_remote->b, sizeof(h->id.b)) ? 0 :
	    P2P_EIDENTITY;
}

int
p2p_proto_disconnect_encode(unsigned reason, uint8_t *out, size_t *outlen)
{
	struct p2p_rlp_enc e;
	const uint8_t *p;
	size_t n;

	p2p_rlp_enc_init_fixed(&e, out, *outlen);
	p2p_rlp_enc_list_begin(&e);
	p2p_rlp_enc_uint(&e, reason);
	p2p_rlp_enc_list_end(&e);
	if (p2p_rlp_enc_finish(&e, &p, &n) != 0)
		return P2P_ETOOBIG;
	*outlen = n;
	return 0;
}

int
p2p_proto_disconnect_decode(const uint8_t *p, size_t n, unsigned *reason)
{
	struct p2p_rlp_item item;
	struct p2p_rlp_iter it;
	uint64_t v = 0;

	*reason = 0;
	if (n == 0)
		return 0;
	if (p2p_rlp_decode_prefix(&item, p, n) != 0)
		return P2P_EFIELD;
	if (item.is_list) {
		p2p_rlp_iter_init(&it, &item);
		if (p2p_rlp_iter_next(&it, &item) != 1)
			return 0;	/* [] : reason 0 */
	}
	if (p2p_rlp_uint64(&item, &v) != 0 || v > 0xff)
		return P2P_EFIELD;
	*reason = (unsigned)v;
	return 0;
}

/* The highest version of name that both sides offer, 0 if none. */
static uint32_t
shared_version(const char *name, const struct p2p_cap *local,
    unsigned nlocal, const struct p2p_cap *remote, unsigned nremote,
    uint32_t *length)
{
	uint32_t best = 0;

	for (unsigned i = 0; i < nlocal; i++) {
		if (strcmp(local[i].name, name) != 0 || local[i].version <= best)
			continue;
		for (unsigned j = 0; j < nremote; j++)
			if (strcmp(remote[j].name, name) == 0 &&
			    remote[j].version == local[i].version) {
				best = local[i].version;
				*length = local[i].length;
				break;
			}
	}
	return best;
}

unsigned
p2p_proto_match_caps(const struct p2p_cap *local, unsigned nlocal,
    const struct p2p_cap *remote, unsigned nremote, struct p2p_cap *out)
{
	unsigned n = 0;
	uint32_t offset = P2P_PROTO_BASE_LEN, len = 0, v;

	for (unsigned i = 0; i < nlocal && n < P2P_PROTO_MAX_CAPS; i++) {
		int seen = 0;

		for (unsigned k = 0; k < n; k++)
			seen |= strcmp(out[k].name, local[i].name) == 0;
		if (seen || (v = shared_version(local[i].name, local, nlocal,
		    remote, nremote, &len)) == 0)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		strcpy(out[n].name, local[i].name);
		out[n].version = v;
		out[n].length = len;
		n++;
	}
	qsort(out, n, sizeof(out[0]), capcmp);
	for (unsigned k = 0; k < n; k++) {
		out[k].offset = offset;
		offset += out[k].length;
	}
	return n;
}
