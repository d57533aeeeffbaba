/* test_frame.c - the frame codec against rlpx-frames.json (go-ethereum's
 * golden frame with its fake MAC, and the chained frames from real
 * secrets), plus round trips, every split of the stream, tampering, size
 * limits and snappy. */
#include <stdlib.h>

#include <openssl/evp.h>

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

/* Feeds buf one byte at a time; 0 once a message came out exactly at the
 * last byte, or the error. */
static int
read_bytewise(struct p2p_frame *f, const uint8_t *buf, size_t n,
    struct p2p_frame_msg *msg)
{
	size_t used;
	int rc = P2P_EAGAIN;

	for (size_t i = 0; i < n; i++) {
		rc = p2p_frame_read(f, buf + i, 1, &used, msg);
		if (used != 1 || (rc != P2P_EAGAIN && rc != 0))
			return rc ? rc : -1000;
		if (rc == 0 && i != n - 1)
			return -1001;
	}
	return rc;
}

/* One direction's AES-256-CTR stream (zero IV; encrypting is decrypting),
 * to look inside frames the way rlpx.md describes them, independently of
 * frame.c. */
static EVP_CIPHER_CTX *
ctr(const uint8_t key[32])
{
	static const uint8_t iv[16];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

	CHECK(c != NULL && EVP_EncryptInit_ex(c, EVP_aes_256_ctr(), NULL, key,
	    iv));
	return c;
}

/* Decrypts a frame's header and body with the direction's stream and
 * checks them against the vector's plaintexts; returns the content size. */
static size_t
check_plain(EVP_CIPHER_CTX *c, const uint8_t *frame, size_t n,
    const char *hdr_hex, const char *body_hex)
{
	uint8_t plain[512];
	size_t size;
	int len;

	CHECK(n >= 64 && n - 48 <= sizeof(plain) && n % 16 == 0);
	CHECK(EVP_EncryptUpdate(c, plain, &len, frame, 16));
	CHECK_HEX(plain, 16, hdr_hex);
	size = (size_t)plain[0] << 16 | plain[1] << 8 | plain[2];
	CHECK(EVP_EncryptUpdate(c, plain, &len, frame + 32, (int)(n - 48)));
	CHECK_HEX(plain, n - 48, body_hex);
	CHECK_INT(n - 48, (size + 15) / 16 * 16);
	return size;
}

static void
test_golden(void)
{
	json_t *j = unit_vectors("rlpx-frames.json");
	json_t *g = json_array_get(json_object_get(j, "upstream"), 0);
	json_t *d = json_object_get(g, "derived");
	struct p2p_rlpx_secrets s;
	struct p2p_frame *w, *r;
	struct p2p_frame_msg msg;
	EVP_CIPHER_CTX *c;
	uint8_t out[128], *payload, *frame, *content, ones[16];
	size_t outlen = sizeof(out), plen, flen, clen;

	CHECK_INT(json_array_size(json_object_get(j, "upstream")), 1);
	CHECK_STR(str(g, "name"), "fake_mac_golden_frame");
	memset(&s, 0, sizeof(s));
	p2p_keccak256(s.aes, "", 0);
	CHECK_HEX(s.aes, 32, str(g, "aes_secret"));
	CHECK_HEX(s.aes, 32, str(g, "mac_secret"));
	CHECK(json_is_true(json_object_get(d,
	    "aes_secret_is_keccak256_of_empty")));
	memcpy(s.mac, s.aes, 32);
	/* The fake MAC: digest always 0x01 * 32, so both MACs are 0x01s. */
	memset(ones, 1, sizeof(ones));
	CHECK(strstr(str(g, "egress_mac"), "0101010101010101") != NULL);
	CHECK(strstr(str(g, "ingress_mac"), "0101010101010101") != NULL);
	w = p2p_frame_new(&s);
	r = p2p_frame_new(&s);
	p2pi_frame_fake_mac(w);
	p2pi_frame_fake_mac(r);
	payload = unit_unhex(str(g, "msg_payload"), &plen);
	frame = unit_unhex(str(g, "frame"), &flen);
	content = unit_unhex(str(g, "expected_read_frame_content"), &clen);
	CHECK(memcmp(frame + 16, ones, 16) == 0);
	CHECK(memcmp(frame + flen - 16, ones, 16) == 0);
	c = ctr(s.aes);
	CHECK_INT(check_plain(c, frame, flen, str(d, "header_plaintext"),
	    str(d, "body_plaintext_padded")), clen);
	EVP_CIPHER_CTX_free(c);
	CHECK_INT(p2p_frame_write(w, json_integer_value(json_object_get(g,
	    "msg_code")), payload, plen, out, &outlen), 0);
	CHECK_HEX(out, outlen, str(g, "frame"));
	CHECK_INT(read_bytewise(r, frame, flen, &msg), 0);
	CHECK_INT(msg.code, content[0]);
	CHECK(msg.len == clen - 1 && memcmp(msg.data, content + 1,
	    clen - 1) == 0);
	CHECK(msg.len == plen && memcmp(msg.data, payload, plen) == 0);
	/* With the real MAC in its place the same bytes fail. */
	p2p_frame_free(r);
	r = p2p_frame_new(&s);
	CHECK_INT(read_all(r, frame, flen, &msg), P2P_EMAC);
	free(payload);
	free(frame);
	free(content);
	p2p_frame_free(w);
	p2p_frame_free(r);
	json_decref(j);
}

/* Checks a supplementary frame's parts add up to the frame. */
static void
check_parts(json_t *fr, const uint8_t *frame, size_t n)
{
	json_t *parts = json_object_get(fr, "frame_parts");
	const char *body = str(parts, "body_ciphertext");

	CHECK_INT(n, 48 + strlen(body) / 2);
	CHECK_HEX(frame, 16, str(parts, "header_ciphertext"));
	CHECK_HEX(frame + 16, 16, str(parts, "header_mac"));
	CHECK_HEX(frame + 32, n - 48, body);
	CHECK_HEX(frame + n - 16, 16, str(parts, "frame_mac"));
}

/*
 * The chained frames from the (auth2, ack2) secrets, in order: each one
 * written by its sender must equal the vector, and the vector's bytes fed
 * to the other side one at a time must give the message back.
 */
static void
test_chained(void)
{
	json_t *j = unit_vectors("rlpx-frames.json"), *fr;
	json_t *sup = json_object_get(j, "supplementary_generated");
	struct p2p_rlpx_secrets sa, sb;
	struct p2p_frame *a, *b;
	struct p2p_frame_msg msg;
	EVP_CIPHER_CTX *ca, *cb;
	uint8_t out[256];
	size_t i, n, plen, flen, seq[2] = { 0, 0 };

	CHECK_STR(json_string_value(json_array_get(json_object_get(sup,
	    "handshake_pair"), 0)), "auth2");
	CHECK_STR(json_string_value(json_array_get(json_object_get(sup,
	    "handshake_pair"), 1)), "ack2");
	CHECK_INT(json_object_size(json_object_get(sup,
	    "initial_mac_states")), 4);
	unit_rlpx_pair_secrets(1, &sa, &sb);
	CHECK_HEX(sa.aes, 32, str(sup, "aes_secret"));
	CHECK_HEX(sa.mac, 32, str(sup, "mac_secret"));
	a = p2p_frame_new(&sa);
	b = p2p_frame_new(&sb);
	ca = ctr(sa.aes);
	cb = ctr(sb.aes);
	json_array_foreach(json_object_get(sup, "frames"), i, fr) {
		int from_a = strcmp(str(fr, "sender"), "initiator_a") == 0;
		uint8_t *p = unit_unhex(str(fr, "msg_payload"), &plen);
		uint8_t *f = unit_unhex(str(fr, "frame"), &flen);
		uint64_t code = (uint64_t)json_integer_value(json_object_get(fr,
		    "msg_code"));

		CHECK(from_a || strcmp(str(fr, "sender"), "recipient_b") == 0);
		CHECK_INT(json_integer_value(json_object_get(fr,
		    "sequence_index")), seq[!from_a]++);
		check_parts(fr, f, flen);
		check_plain(from_a ? ca : cb, f, flen, str(fr,
		    "header_plaintext"), str(fr, "body_plaintext_padded"));
		n = sizeof(out);
		CHECK_INT(p2p_frame_write(from_a ? a : b, code, p, plen, out,
		    &n), 0);
		CHECK_HEX(out, n, str(fr, "frame"));
		CHECK_INT(read_bytewise(from_a ? b : a, f, flen, &msg), 0);
		CHECK(msg.code == code && msg.len == plen &&
		    memcmp(msg.data, p, plen) == 0);
		free(p);
		free(f);
	}
	CHECK_INT(i, 3);
	EVP_CIPHER_CTX_free(ca);
	EVP_CIPHER_CTX_free(cb);
	p2p_frame_free(a);
	p2p_frame_free(b);
	p2p_wipe(&sa, sizeof(sa));
	p2p_wipe(&sb, sizeof(sb));
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
	size_t n, used;

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
	/* And the error stays: nothing more is taken or returned. */
	n = sizeof(out);
	p2p_frame_write(a, 1, payload, sizeof(payload), out, &n);
	CHECK_INT(p2p_frame_read(b, out, n, &used, &msg), P2P_EMAC);
	CHECK_INT(used, 0);
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
	/* Garbage snappy data is malformed. */
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

/* A Disconnect sent uncompressed after v5 Hellos (ethereumjs) comes out
 * raw; a compressed one is decompressed; other codes get no such grace. */
static void
test_raw_disconnect(void)
{
	static const struct { const char *in; const char *out; } cases[] = {
		{ "\x08", "\x08" },		/* bare reason, raw */
		{ "\x80", "\x80" },		/* bare reason 0 */
		{ "\xc1\x03", "\xc1\x03" },	/* [3], raw */
		{ "\x02\x04\xc1\x04", "\xc1\x04" },	/* [4], snappy */
	};
	struct p2p_frame *a, *b;
	struct p2p_frame_msg msg;
	uint8_t out[128];
	size_t n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pair(&a, &b, 0);
		p2p_frame_set_snappy(b, 1);
		n = sizeof(out);
		CHECK_INT(p2p_frame_write(a, 1, (const uint8_t *)cases[i].in,
		    strlen(cases[i].in), out, &n), 0);
		CHECK_INT(read_all(b, out, n, &msg), 0);
		CHECK_INT(msg.code, 1);
		CHECK_INT(msg.len, strlen(cases[i].out));
		CHECK(memcmp(msg.data, cases[i].out, msg.len) == 0);
		p2p_frame_free(a);
		p2p_frame_free(b);
	}
	pair(&a, &b, 0);
	p2p_frame_set_snappy(b, 1);
	n = sizeof(out);
	CHECK_INT(p2p_frame_write(a, 2, (const uint8_t *)"\x08", 1, out, &n),
	    0);
	CHECK_INT(read_all(b, out, n, &msg), P2P_EFIELD);
	p2p_frame_free(a);
	p2p_frame_free(b);
}

/* With snappy the limit is on the payload before compression: a
 * compressible 2^24-1 bytes goes, one more does not. */
static void
test_limits_snappy(void)
{
	struct p2p_frame *a, *b;
	struct p2p_frame_msg msg;
	uint8_t *data = calloc(1, P2P_FRAME_MAX + 1), *out;
	size_t n;

	pair(&a, &b, 1);
	n = p2p_frame_write_size(a, P2P_FRAME_MAX);
	CHECK(n <= P2P_FRAME_MAX + P2P_FRAME_MAX / 5 + 64);
	out = malloc(n);
	data[P2P_FRAME_MAX - 1] = 0x77;
	CHECK_INT(p2p_frame_write(a, 3, data, P2P_FRAME_MAX, out, &n), 0);
	CHECK(n < P2P_FRAME_MAX / 4);
	CHECK_INT(read_all(b, out, n, &msg), 0);
	CHECK_INT(msg.code, 3);
	CHECK_INT(msg.len, P2P_FRAME_MAX);
	CHECK(msg.data[P2P_FRAME_MAX - 1] == 0x77 && msg.data[0] == 0);
	CHECK_INT(p2p_frame_write(a, 3, data, P2P_FRAME_MAX + 1, out, &n),
	    P2P_ETOOBIG);
	/* After the big one (its buffers given back), small ones still go. */
	n = 200;
	CHECK_INT(p2p_frame_write(a, 4, data, 5, out, &n), 0);
	CHECK_INT(read_all(b, out, n, &msg), 0);
	CHECK(msg.code == 4 && msg.len == 5);
	p2p_frame_free(a);
	p2p_frame_free(b);
	free(data);
	free(out);
}

/* A frame with content c[0..n) as go-ethereum's fake MAC would make it:
 * encrypted with the stream c, both MACs 0x01s. */
static size_t
fake_frame(EVP_CIPHER_CTX *c, const uint8_t *content, size_t n,
    uint8_t *out)
{
	size_t padded = (n + 15) / 16 * 16;
	int len;

	memset(out, 0, 32 + padded + 16);
	out[1] = (uint8_t)(n >> 8);
	out[2] = (uint8_t)n;
	memcpy(out + 3, "\xc2\x80\x80", 3);
	memcpy(out + 32, content, n);
	CHECK(EVP_EncryptUpdate(c, out, &len, out, 16));
	CHECK(EVP_EncryptUpdate(c, out + 32, &len, out + 32, (int)padded));
	memset(out + 16, 1, 16);
	memset(out + 32 + padded, 1, 16);
	return 32 + padded + 16;
}

/* Content the writer never makes: the reader says EFIELD, never more. */
static void
test_malformed(void)
{
	static const char *bad[] = {
		"",		/* no message code */
		"c0",		/* a list as the code */
		"8100",		/* a non-canonical code */
		"88010203",	/* a truncated code */
		"890102030405060708090a",	/* a code over 64 bits */
	};
	struct p2p_rlpx_secrets s;
	struct p2p_frame *r;
	struct p2p_frame_msg msg;
	EVP_CIPHER_CTX *c;
	uint8_t out[128], *content;
	size_t n, len;

	memset(&s, 0x21, sizeof(s));
	p2p_keccak_init(&s.egress_mac);
	p2p_keccak_init(&s.ingress_mac);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = p2p_frame_new(&s);
		p2pi_frame_fake_mac(r);
		c = ctr(s.aes);
		content = unit_unhex(bad[i], &n);
		len = fake_frame(c, content, n, out);
		CHECK_MSG(read_all(r, out, len, &msg) == P2P_EFIELD,
		    "content %s", bad[i]);
		free(content);
		EVP_CIPHER_CTX_free(c);
		p2p_frame_free(r);
	}
	/* And the same way a good one reads (the harness is right). */
	r = p2p_frame_new(&s);
	p2pi_frame_fake_mac(r);
	c = ctr(s.aes);
	len = fake_frame(c, (const uint8_t *)"\x7f\x01\x02", 3, out);
	CHECK_INT(read_all(r, out, len, &msg), 0);
	CHECK(msg.code == 0x7f && msg.len == 2 && msg.data[1] == 2);
	EVP_CIPHER_CTX_free(c);
	p2p_frame_free(r);
}

const struct unit_test unit_frame[] = {
	{ "golden", test_golden },
	{ "chained", test_chained },
	{ "roundtrip", test_roundtrip },
	{ "roundtrip_snappy", test_roundtrip_snappy },
	{ "splits", test_splits },
	{ "tamper", test_tamper },
	{ "limits", test_limits },
	{ "limits_snappy", test_limits_snappy },
	{ "raw_disconnect", test_raw_disconnect },
	{ "malformed", test_malformed },
	{ NULL, NULL },
};
