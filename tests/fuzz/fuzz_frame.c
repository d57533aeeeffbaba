/*
 * fuzz_frame.c - the frame reader.  The first byte picks a mode and the
 * second its options (snappy, the chunk size the stream is fed in):
 *  0  raw bytes into a reader with fixed secrets: almost all fail the MAC,
 *     which must be all that happens;
 *  1  the rest cut into messages (a length byte before each) that a
 *     matching writer frames into one stream; the reader, fed in chunks,
 *     must return every message intact, in order;
 *  2  the rest as the content of one frame sealed the way go-ethereum's
 *     fake MAC does it (the reader's MAC check is made to pass), so the
 *     code and snappy decoding behind the MAC see arbitrary bytes.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <p2p/frame.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct p2p_frame *
codec(int snappy)
{
	struct p2p_rlpx_secrets s;
	struct p2p_frame *f;

	memset(&s, 0x5c, sizeof(s));
	p2p_keccak_init(&s.egress_mac);
	p2p_keccak_update(&s.egress_mac, "fuzz", 4);
	s.ingress_mac = s.egress_mac;
	if ((f = p2p_frame_new(&s)) == NULL)
		abort();
	p2p_frame_set_snappy(f, snappy);
	return f;
}

/* Feeds len bytes in chunks; returns the messages read before the first
 * error or the end, checking each against want (if not NULL). */
static void
feed(struct p2p_frame *r, const uint8_t *buf, size_t len, size_t chunk,
    const uint8_t *want, size_t nwant)
{
	struct p2p_frame_msg msg;
	size_t off = 0, used, got = 0, w = 0;
	int rc = P2P_EAGAIN;

	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;

		rc = p2p_frame_read(r, buf + off, n, &used, &msg);
		if (used > n)
			abort();
		off += used;
		if (rc == P2P_EAGAIN)
			continue;
		if (rc != 0)
			break;
		if (msg.len > P2P_FRAME_MAX)
			abort();
		if (want != NULL) {
			/* message i: code i, payload want[w+1 .. w+1+want[w]) */
			if (w >= nwant || msg.code != got ||
			    msg.len != want[w] || (msg.len &&
			    memcmp(msg.data, want + w + 1, msg.len) != 0))
				abort();
			w += 1 + want[w];
		}
		got++;
	}
	/* A matching writer's stream is read through, to its last byte. */
	if (want != NULL && (off != len || w != nwant || (len && rc != 0)))
		abort();
}

static void
raw(const uint8_t *data, size_t size, int snappy, size_t chunk)
{
	struct p2p_frame *r = codec(snappy);

	feed(r, data, size, chunk, NULL, 0);
	p2p_frame_free(r);
}

static void
roundtrip(const uint8_t *data, size_t size, int snappy, size_t chunk)
{
	struct p2p_frame *w = codec(snappy), *r = codec(snappy);
	size_t off, i, cap = 0, total = 0, end = 0;
	uint8_t *buf = NULL;

	/* Whole messages only: [len][len bytes]..., up to byte end. */
	for (off = 0; off < size && off + 1 + data[off] <= size;
	    off += 1 + data[off]) {
		cap += p2p_frame_write_size(w, data[off]);
		end = off + 1 + data[off];
	}
	if ((buf = malloc(cap ? cap : 1)) == NULL)
		abort();
	for (off = 0, i = 0; off < end; off += 1 + data[off], i++) {
		size_t n = cap - total;

		if (p2p_frame_write(w, i, data + off + 1, data[off],
		    buf + total, &n) != 0)
			abort();
		total += n;
	}
	feed(r, buf, total, chunk, data, end);
	free(buf);
	p2p_frame_free(w);
	p2p_frame_free(r);
}

/* One frame around content, with 0x01 * 16 for both MACs. */
static void
fake(const uint8_t *content, size_t size, int snappy, size_t chunk)
{
	static const uint8_t key[32] = { 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c,
	    0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c,
	    0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c, 0x5c,
	    0x5c, 0x5c, 0x5c, 0x5c }, iv[16];
	size_t padded = (size + 15) & ~(size_t)15, len = 32 + padded + 16;
	struct p2p_frame *r = codec(snappy);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t *buf = calloc(1, len);
	int n;

	if (c == NULL || buf == NULL || size > P2P_FRAME_MAX)
		abort();
	p2pi_frame_fake_mac(r);
	buf[0] = (uint8_t)(size >> 16);
	buf[1] = (uint8_t)(size >> 8);
	buf[2] = (uint8_t)size;
	memcpy(buf + 3, "\xc2\x80\x80", 3);
	memcpy(buf + 32, content, size);
	if (!EVP_EncryptInit_ex(c, EVP_aes_256_ctr(), NULL, key, iv) ||
	    !EVP_EncryptUpdate(c, buf, &n, buf, 16) ||
	    !EVP_EncryptUpdate(c, buf + 32, &n, buf + 32, (int)padded))
		abort();
	memset(buf + 16, 1, 16);
	memset(buf + 32 + padded, 1, 16);
	feed(r, buf, len, chunk, NULL, 0);
	EVP_CIPHER_CTX_free(c);
	free(buf);
	p2p_frame_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int snappy;
	size_t chunk;

	if (size < 2)
		return 0;
	snappy = data[1] & 1;
	chunk = (data[1] >> 1) + 1;	/* 1..128 */
	switch (data[0] % 3) {
	case 0: raw(data + 2, size - 2, snappy, chunk); break;
	case 1: roundtrip(data + 2, size - 2, snappy, chunk); break;
	default: fake(data + 2, size - 2, snappy, chunk); break;
	}
	return 0;
}
