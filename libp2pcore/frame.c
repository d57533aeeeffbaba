/*
 * frame.c - the RLPx frame codec: AES-256-CTR streams, the header and
 * frame MACs of rlpx.md, snappy payloads, and an incremental reader that
 * verifies each MAC before decrypting what it covers.
 *
 * Each MAC starts from the ingress/egress digest as it stands; that digest
 * is the one the previous frame's MAC produced, so it is kept instead of
 * recomputed: three Keccak digests per frame instead of five.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <snappy-c.h>

#include <p2p/frame.h>
#include <p2p/rlp.h>

#include "internal.h"

struct mac {
	struct p2p_keccak k;
	uint8_t last[32];	/* digest of k as it stands */
};

struct p2p_frame {
	EVP_CIPHER_CTX *enc;	/* egress AES-256-CTR stream */
	EVP_CIPHER_CTX *dec;	/* ingress stream (CTR: decrypting is encrypting) */
	EVP_CIPHER_CTX *ecb;	/* AES-256 with mac-secret: MAC seeds */
	struct mac egress;
	struct mac ingress;
	int snappy;
	int fake_mac;
	int err;		/* sticky reader error */
	/* reader */
	uint8_t hdr[32];
	size_t hdrlen;
	int have_hdr;
	size_t size;		/* content size from the header */
	uint8_t *body;		/* padded content || frame MAC */
	size_t bodylen;
	size_t bodycap;
	uint8_t *plain;		/* decompressed payload */
	size_t plaincap;
	/* writer: compressed payload scratch */
	uint8_t *comp;
	size_t compcap;
};

/* Buffers above this are given back once the message in them is done:
 * a connection idles with at most this much per buffer, not 16 MiB, and
 * a stream of messages up to 1 MiB allocates nothing after the first. */
#define KEEP (2u << 20)

static size_t
pad16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

static void
digest(struct p2p_frame *f, struct mac *m)
{
	if (f->fake_mac)
		memset(m->last, 1, sizeof(m->last));
	else
		p2p_keccak_digest(&m->k, m->last);
}

static void
update(struct p2p_frame *f, struct mac *m, const uint8_t *p, size_t n)
{
	if (!f->fake_mac)
		p2p_keccak_update(&m->k, p, n);
}

/* seed = AES(mac-secret, last[:16]) XOR x */
static int
seed(struct p2p_frame *f, const struct mac *m, const uint8_t x[16],
    uint8_t out[16])
{
	int n;

	if (!EVP_EncryptUpdate(f->ecb, out, &n, m->last, 16) || n != 16)
		return P2P_ECRYPTO;
	for (int i = 0; i < 16; i++)
		out[i] ^= x[i];
	return 0;
}

static int
header_mac(struct p2p_frame *f, struct mac *m, const uint8_t hct[16],
    uint8_t out[16])
{
	uint8_t s[16];

	if (seed(f, m, hct, s) != 0)
		return P2P_ECRYPTO;
	update(f, m, s, 16);
	digest(f, m);
	memcpy(out, m->last, 16);
	return 0;
}

static int
frame_mac(struct p2p_frame *f, struct mac *m, const uint8_t *ct, size_t n,
    uint8_t out[16])
{
	uint8_t s[16];

	update(f, m, ct, n);
	digest(f, m);
	if (seed(f, m, m->last, s) != 0)
		return P2P_ECRYPTO;
	update(f, m, s, 16);
	digest(f, m);
	memcpy(out, m->last, 16);
	return 0;
}

static EVP_CIPHER_CTX *
cipher(const EVP_CIPHER *type, const uint8_t key[32])
{
	static const uint8_t iv[16];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

	if (c != NULL && EVP_EncryptInit_ex(c, type, NULL, key, iv) &&
	    EVP_CIPHER_CTX_set_padding(c, 0))
		return c;
	EVP_CIPHER_CTX_free(c);
	return NULL;
}

struct p2p_frame *
p2p_frame_new(const struct p2p_rlpx_secrets *s)
{
	struct p2p_frame *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->enc = cipher(EVP_aes_256_ctr(), s->aes);
	f->dec = cipher(EVP_aes_256_ctr(), s->aes);
	f->ecb = cipher(EVP_aes_256_ecb(), s->mac);
	if (f->enc == NULL || f->dec == NULL || f->ecb == NULL) {
		p2p_frame_free(f);
		return NULL;
	}
	f->egress.k = s->egress_mac;
	f->ingress.k = s->ingress_mac;
	digest(f, &f->egress);
	digest(f, &f->ingress);
	return f;
}

void
p2pi_frame_fake_mac(struct p2p_frame *f)
{
	f->fake_mac = 1;
	digest(f, &f->egress);
	digest(f, &f->ingress);
}

void
p2p_frame_free(struct p2p_frame *f)
{
	if (f == NULL)
		return;
	EVP_CIPHER_CTX_free(f->enc);
	EVP_CIPHER_CTX_free(f->dec);
	EVP_CIPHER_CTX_free(f->ecb);
	free(f->body);
	free(f->plain);
	free(f->comp);
	p2p_wipe(f, sizeof(*f));
	free(f);
}

void
p2p_frame_set_snappy(struct p2p_frame *f, int on)
{
	f->snappy = on;
}

size_t
p2p_frame_write_size(const struct p2p_frame *f, size_t len)
{
	size_t n = f->snappy ? snappy_max_compressed_length(len) : len;

	return P2P_FRAME_OVERHEAD - 16 + pad16(9 + n) + 16;
}

/* Frees a buffer grown past KEEP by an earlier, larger message. */
static void
shrink(uint8_t **buf, size_t *cap)
{
	if (*cap > KEEP) {
		free(*buf);
		*buf = NULL;
		*cap = 0;
	}
}

static int
grow(uint8_t **buf, size_t *cap, size_t need)
{
	uint8_t *p;

	if (need <= *cap)
		return 0;
	if ((p = realloc(*buf, need)) == NULL)
		return P2P_ENOMEM;
	*buf = p;
	*cap = need;
	return 0;
}

/* The payload as it goes on the wire (compressed when snappy is on). */
static int
wire_payload(struct p2p_frame *f, const uint8_t **data, size_t *len)
{
	size_t n;
	int rc;

	if (!f->snappy)
		return 0;
	n = snappy_max_compressed_length(*len);
	if ((rc = grow(&f->comp, &f->compcap, n)) != 0)
		return rc;
	if (snappy_compress((const char *)*data, *len, (char *)f->comp,
	    &n) != SNAPPY_OK)
		return P2P_ECRYPTO;
	*data = f->comp;
	*len = n;
	return 0;
}

int
p2p_frame_write(struct p2p_frame *f, uint64_t code, const uint8_t *data,
    size_t len, uint8_t *out, size_t *outlen)
{
	uint8_t codebuf[9];
	struct p2p_rlp_enc e;
	const uint8_t *cp;
	size_t clen, size, total;
	int n, rc;

	if (len > P2P_FRAME_MAX)
		return P2P_ETOOBIG;
	p2p_rlp_enc_init_fixed(&e, codebuf, sizeof(codebuf));
	p2p_rlp_enc_uint(&e, code);
	p2p_rlp_enc_finish(&e, &cp, &clen);
	if ((rc = wire_payload(f, &data, &len)) != 0)
		return rc;
	size = clen + len;
	if (size > P2P_FRAME_MAX)
		return P2P_ETOOBIG;
	total = 32 + pad16(size) + 16;
	if (*outlen < total) {
		*outlen = total;
		return P2P_ETOOBIG;
	}
	out[0] = (uint8_t)(size >> 16);
	out[1] = (uint8_t)(size >> 8);
	out[2] = (uint8_t)size;
	memcpy(out + 3, "\xc2\x80\x80", 3);
	memset(out + 6, 0, 10);
	memcpy(out + 32, cp, clen);
	memcpy(out + 32 + clen, data, len);
	memset(out + 32 + size, 0, pad16(size) - size);
	rc = EVP_EncryptUpdate(f->enc, out, &n, out, 16) &&
	    header_mac(f, &f->egress, out, out + 16) == 0 &&
	    EVP_EncryptUpdate(f->enc, out + 32, &n, out + 32,
	    (int)pad16(size)) &&
	    frame_mac(f, &f->egress, out + 32, pad16(size),
	    out + 32 + pad16(size)) == 0 ? 0 : P2P_ECRYPTO;
	shrink(&f->comp, &f->compcap);
	if (rc == 0)
		*outlen = total;
	return rc;
}

/* Header complete: check its MAC, decrypt it, size the body. */
static int
read_header(struct p2p_frame *f)
{
	uint8_t want[16];
	int n;

	if (header_mac(f, &f->ingress, f->hdr, want) != 0)
		return P2P_ECRYPTO;
	if (!p2p_ct_equal(want, f->hdr + 16, 16))
		return P2P_EMAC;
	if (!EVP_EncryptUpdate(f->dec, f->hdr, &n, f->hdr, 16))
		return P2P_ECRYPTO;
	f->size = (size_t)f->hdr[0] << 16 | f->hdr[1] << 8 | f->hdr[2];
	f->have_hdr = 1;
	f->bodylen = 0;
	return grow(&f->body, &f->bodycap, pad16(f->size) + 16);
}

/*
 * ethereumjs sends Disconnect (code 0x01) uncompressed even after both
 * Hellos said version 5, so for that code alone a payload that is not
 * valid snappy is taken as it is (rlpx.md: decode Disconnect leniently).
 * Any other code with bad snappy data is an error.
 */
static int
raw_disconnect(const struct p2p_frame_msg *msg)
{
	return msg->code == 1 ? 0 : P2P_EFIELD;
}

/* Body complete: check its MAC, decrypt, split code and payload. */
static int
read_body(struct p2p_frame *f, struct p2p_frame_msg *msg)
{
	struct p2p_rlp_item item;
	size_t padded = pad16(f->size), ulen;
	uint8_t want[16];
	int n, rc;

	if (frame_mac(f, &f->ingress, f->body, padded, want) != 0)
		return P2P_ECRYPTO;
	if (!p2p_ct_equal(want, f->body + padded, 16))
		return P2P_EMAC;
	if (!EVP_EncryptUpdate(f->dec, f->body, &n, f->body, (int)padded))
		return P2P_ECRYPTO;
	f->have_hdr = 0;
	f->hdrlen = 0;
	if (p2p_rlp_next(&item, f->body, f->size, NULL) != 0 ||
	    p2p_rlp_uint64(&item, &msg->code) != 0)
		return P2P_EFIELD;
	msg->data = f->body + item.rawlen;
	msg->len = f->size - item.rawlen;
	if (!f->snappy)
		return 0;
	if (snappy_uncompressed_length((const char *)msg->data, msg->len,
	    &ulen) != SNAPPY_OK)
		return raw_disconnect(msg);
	if (ulen > P2P_FRAME_MAX)
		return msg->code == 1 ? raw_disconnect(msg) : P2P_ETOOBIG;
	if ((rc = grow(&f->plain, &f->plaincap, ulen ? ulen : 1)) != 0)
		return rc;
	if (snappy_uncompress((const char *)msg->data, msg->len,
	    (char *)f->plain, &ulen) != SNAPPY_OK)
		return raw_disconnect(msg);
	msg->data = f->plain;
	msg->len = ulen;
	return 0;
}

static size_t
take(uint8_t *dst, size_t *have, size_t want, const uint8_t *in,
    size_t avail)
{
	size_t n = want - *have < avail ? want - *have : avail;

	memcpy(dst + *have, in, n);
	*have += n;
	return n;
}

int
p2p_frame_read(struct p2p_frame *f, const uint8_t *in, size_t len,
    size_t *consumed, struct p2p_frame_msg *msg)
{
	size_t used = 0;
	int rc = 0;

	*consumed = 0;
	if (f->err != 0)
		return f->err;
	if (!f->have_hdr) {
		if (f->hdrlen == 0) {
			/* The previous message is no longer the caller's. */
			shrink(&f->body, &f->bodycap);
			shrink(&f->plain, &f->plaincap);
		}
		used += take(f->hdr, &f->hdrlen, 32, in, len);
		if (f->hdrlen < 32)
			rc = P2P_EAGAIN;
		else
			rc = read_header(f);
	}
	if (rc == 0) {
		used += take(f->body, &f->bodylen, pad16(f->size) + 16,
		    in + used, len - used);
		if (f->bodylen < pad16(f->size) + 16)
			rc = P2P_EAGAIN;
		else
			rc = read_body(f, msg);
	}
	*consumed = used;
	/* The MAC and CTR states are past this point: no way back. */
	if (rc != 0 && rc != P2P_EAGAIN)
		f->err = rc;
	return rc;
}
