/* test_frame.c - the frame codec against rlpx-frames.json (go-ethereum's
 * golden frame with its fake MAC, and the chained frames from real
 * secrets), plus round trips, every split of the stream, tampering, size
 * limits and snappy. */
#include <stdlib.h>

#include <p2p/frame.h>
#include <p2p/hex.h>
#include <p2p/keccak.h>

#include "internal.h"
#include "unit.h"

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Reads one whole message from buf; 0 or the error. */
static int
read_all(struct p2p_frame *f, const uint8_t *buf, size_t n,
    struct p2p_frame_msg *msg)
{
	size_t used;
	int rc = p2p_frame_read(f, buf, n, &used, msg);

	if (rc == 0 && used != n)
		return -1000;
	return rc;
}

static void
test_golden(void)
{
	json_t *j = unit_vectors("rlpx-frames.json");
	json_t *g = json_array_get(json_object_get(j, "upstream"), 0);
	struct p2p_rlpx_secrets s;
	struct p2p_frame *w, *r;
	struct p2p_frame_msg msg;
	uint8_t out[128], *payload, *frame;
	size_t outlen = sizeof(out), plen, flen;

	memset(&s, 0, sizeof(s));
	p2p_keccak256(s.aes, "", 0);
	CHECK_HEX(s.aes, 32, str(g, "aes_secret"));
	memcpy(s.mac, s.aes, 32);
	w = p2p_frame_new(&s);
	r = p2p_frame_new(&s);
	p2pi_frame_fake_mac(w);
	p2pi_frame_fake_mac(r);
	payload = unit_unhex(str(g, "msg_payload"), &plen);
	frame = unit_unhex(str(g, "frame"), &flen);
	CHECK_INT(p2p_frame_write(w, 8, payload, plen, out, &outlen), 0);
	CHECK_HEX(out, outlen, str(g, "frame"));
	CHECK_INT(read_all(r, frame, flen, &msg), 0);
	CHECK_INT(msg.code, 8);
	CHECK(msg.len == plen && memcmp(msg.data, payload, plen) == 0);
	free(payload);
	free(frame);
	p2p_frame_free(w);
	p2p_frame_free(r);
	json_decref(j);
}

static void
test_chained(void)
{
	json_t *j = unit_vectors("rlpx-frames.json"), *fr;
	json_t *sup = json_object_get(j, "supplementary_generated");
	struct p2p_rlpx_secrets sa, sb;
	struct p2p_frame *a, *b;
	struct p2p_frame_msg msg;
	uint8_t out[256];
	size_t i, n, plen;

	unit_rlpx_pair_secrets(1, &sa, &sb);
	CHECK_HEX(sa.aes, 32, str(sup, "aes_secret"));
	a = p2p_frame_new(&sa);
	b = p2p_frame_new(&sb);
	json_array_foreach(json_object_get(sup, "frames"), i, fr) {
		int from_a = strcmp(str(fr, "sender"), "initiator_a") == 0;
		uint8_t *p = unit_unhex(str(fr, "msg_payload"), &plen);
		uint64_t code = (uint64_t)json_integer_value(json_object_get(fr,
		    "msg_code"));

		n = sizeof(out);
		CHECK_INT(p2p_frame_write(from_a ? a : b, code, p, plen, out,
		    &n), 0);
		CHECK_HEX(out, n, str(fr, "frame"));
		CHECK_INT(read_all(from_a ? b : a, out, n, &msg), 0);
		CHECK(msg.code == code && msg.len == plen &&
		    memcmp(msg.data, p, plen) == 0);
		free(p);
	}
	CHECK_INT(i, 3);
	p2p_frame_free(a);
	p2p_frame_free(b);
	json_decref(j);
}

/* A pair of codecs talking to each other from fresh vector secrets. */
static void
pair(struct p2p_frame **a, struct p2p_frame **b, int snappy)
{
	struct p2p_rlpx_secrets sa, sb;

	unit_rlpx_pair_secrets(0, &sa, &sb);
	*a = p2p_frame_new(&sa);
	*b = p2p_frame_new(&sb);
	p2p_frame_set_snappy(*a, snappy);
	p2p_frame_set_snappy(*b, snappy);
}

static void
roundtrip_sizes(int snappy)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 1000, 65536,
	    1 << 20 };
	struct p2p_frame *a, *b;
	struct p2p_frame_msg msg;
	uint8_t *data = malloc(1 << 20), *out;
	size_t n;

	pair(&a, &b, snappy);
	for (size_t i = 0; i < (1 << 20); i++)
		data[i] = (uint8_t)(i * 7 + i / 1000);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		n = p2p_frame_write_size(a, sizes[k]);
		out = malloc(n);
		CHECK_INT(p2p_frame_write(a, 0x10 + k, data, sizes[k], out, &n),
		    0);
		CHECK_INT(read_all(b, out, n, &msg), 0);
		CHECK(msg.code == 0x10 + k && msg.len == sizes[k] &&
		    (sizes[k] == 0 || memcmp(msg.data, data, sizes[k]) == 0));
		free(out);
	}
	p2p_frame_free(a);
	p2p_frame_free(b);
	free(data);
}

static void
test_roundtrip(void)
{
	roundtrip_sizes(0);
}

static void
test_roundtrip_snappy(void)
{
	roundtrip_sizes(1);
}

/* Three frames in one stream, fed in chunks of every size 1..64. */
static void
test_splits(void)
{
	struct p2p_frame *a, *b;
	struct p2p_frame_msg msg;
	uint8_t stream[3 * 96], payload[40];
	size_t n, total = 0;

	memset(payload, 0x33, sizeof(payload));
	for (size_t chunk = 1; chunk <= 64; chunk++) {
		pair(&a, &b, chunk % 2);
		total = 0;
		for (int i = 0; i < 3; i++) {
			n = sizeof(stream) - total;
			CHECK_INT(p2p_frame_write(a, (uint64_t)i, payload,
			    sizeof(payload) - (size_t)i * 10, stream + total,
			    &n), 0);
			total += n;
		}
		int got = 0;
		for (size_t off = 0; off < total;) {
			size_t len = total - off < chunk ? total - off : chunk;
			size_t used;
			int rc = p2p_frame_read(b, stream + off, len, &used,
			    &msg);

			CHECK(rc == 0 || rc == P2P_EAGAIN);
			if (rc == 0) {
				CHECK(msg.code == (uint64_t)got &&
				    msg.len == sizeof(payload) - got * 10);
				got++;
			}
			off += used;
			if (rc != 0 && rc != P2P_EAGAIN)
				break;
		}
		CHECK_MSG(got == 3, "chunk %zu: %d messages", chunk, got);
		p2p_frame_free(a);
		p2p_frame_free(b);
	}
}

static void
test_tamper(void)
{
	struct p2p_frame *a, *b;
	struct p2p_frame_msg msg;
	uint8_t out[128], payload[20] = { 1, 2, 3 };
	size_t n;

	/* Header, body and each MAC: a flipped bit anywhere is caught. */
	for (size_t bit = 0; bit < 32 + 32 + 16; bit += 5) {
		pair(&a, &b, 0);
		n = sizeof(out);
		CHECK_INT(p2p_frame_write(a, 1, payload, sizeof(payload), out,
		    &n), 0);
		CHECK_INT(n, 32 + 32 + 16);
		out[bit] ^= 0x10;
		CHECK_INT(read_all(b, out, n, &msg), P2P_EMAC);
		p2p_frame_free(a);
		p2p_frame_free(b);
	}
	/* A frame replayed: the MAC chain has moved on. */
	pair(&a, &b, 0);
	n = sizeof(out);
	p2p_frame_write(a, 1, payload, sizeof(payload), out, &n);
	CHECK_INT(read_all(b, out, n, &msg), 0);
	CHECK_INT(read_all(b, out, n, &msg), P2P_EMAC);
	p2p_frame_free(a);
	p2p_frame_free(b);
}

static void
test_limits(void)
{
	struct p2p_frame *a, *b;
	struct p2p_frame_msg msg;
	size_t n = P2P_FRAME_MAX + 64;
	uint8_t *data = calloc(1, P2P_FRAME_MAX + 1), *out = malloc(n);
	/* snappy: a varint length of 2^24 and nothing else */
	static const uint8_t bomb[] = { 0x80, 0x80, 0x80, 0x08 };

	pair(&a, &b, 0);
	/* The largest content: a one-byte code and 2^24-2 payload bytes. */
	CHECK_INT(p2p_frame_write(a, 1, data, P2P_FRAME_MAX - 1, out, &n), 0);
	CHECK_INT(read_all(b, out, n, &msg), 0);
	CHECK_INT(msg.len, P2P_FRAME_MAX - 1);
	n = P2P_FRAME_MAX + 64;
	CHECK_INT(p2p_frame_write(a, 1, data, P2P_FRAME_MAX, out, &n),
	    P2P_ETOOBIG);
	n = 10;
	CHECK_INT(p2p_frame_write(a, 1, data, 100, out, &n), P2P_ETOOBIG);
	CHECK_INT(n, 32 + 112 + 16);
	/* A decompressed size over the limit is refused unallocated. */
	n = 200;
	CHECK_INT(p2p_frame_write(a, 2, bomb, sizeof(bomb), out, &n), 0);
	p2p_frame_set_snappy(b, 1);
	CHECK_INT(read_all(b, out, n, &msg), P2P_ETOOBIG);
	p2p_frame_free(a);
	p2p_frame_free(b);
	/* Garbage snappy data and an empty frame are malformed. */
	pair(&a, &b, 0);
	p2p_frame_set_snappy(b, 1);
	n = 200;
	CHECK_INT(p2p_frame_write(a, 2, (const uint8_t *)"\x05zz", 3, out,
	    &n), 0);
	CHECK_INT(read_all(b, out, n, &msg), P2P_EFIELD);
	p2p_frame_free(a);
	p2p_frame_free(b);
	free(data);
	free(out);
}

const struct unit_test unit_frame[] = {
	{ "golden", test_golden },
	{ "chained", test_chained },
	{ "roundtrip", test_roundtrip },
	{ "roundtrip_snappy", test_roundtrip_snappy },
	{ "splits", test_splits },
	{ "tamper", test_tamper },
	{ "limits", test_limits },
	{ NULL, NULL },
};
