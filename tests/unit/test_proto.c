/* test_proto.c - Hello against the EIP-8 vector, Disconnect's lenient
 * decoding and reasons, capability matching. */
#include <stdlib.h>

#include <p2p/hex.h>
#include <p2p/proto.h>
#include <p2p/rlp.h>

#include "unit.h"

static void
test_hello_vector(void)
{
	json_t *j = unit_vectors("rlpx-handshake.json");
	json_t *hv = json_object_get(j, "devp2p_hello");
	json_t *dec = json_object_get(json_object_get(hv, "derived"),
	    "decoded");
	const char *pa = json_string_value(json_object_get(json_object_get(j,
	    "derived_keys"), "static_public_key_a"));
	const char *pb = json_string_value(json_object_get(json_object_get(j,
	    "derived_keys"), "static_public_key_b"));
	struct p2p_hello h;
	struct p2p_pubkey a, b;
	size_t n;
	uint8_t *p = unit_unhex(json_string_value(json_object_get(hv,
	    "packet")), &n);

	CHECK_INT(p2p_proto_hello_decode(&h, p, n), 0);
	CHECK_INT(h.version, json_integer_value(json_object_get(dec,
	    "protocol_version")));
	CHECK_STR(h.client, json_string_value(json_object_get(dec,
	    "client_id")));
	CHECK_INT(h.ncaps, 2);
	CHECK_STR(h.caps[0].name, "eth");
	CHECK_INT(h.caps[0].version, 61);
	CHECK_STR(h.caps[1].name, "mork");
	CHECK_INT(h.caps[1].version, 22);
	CHECK_INT(h.listen_port, 9999);
	CHECK_HEX(h.id.b, 64, json_string_value(json_object_get(dec,
	    "node_id")));
	p2p_hex_decode_exact(a.b, 64, pa, 128);
	p2p_hex_decode_exact(b.b, 64, pb, 128);
	CHECK_INT(p2p_proto_hello_check(&h, &a), 0);
	CHECK_INT(p2p_proto_hello_check(&h, &b), P2P_EIDENTITY);
	free(p);
	json_decref(j);
}

static void
test_hello_roundtrip(void)
{
	struct p2p_hello h = { .version = 5, .client = "p2pcore/test",
	    .ncaps = 3, .listen_port = 30303 }, d;
	uint8_t out[P2P_PROTO_HELLO_MAX];
	size_t n = sizeof(out);

	strcpy(h.caps[0].name, "snap");
	h.caps[0].version = 1;
	strcpy(h.caps[1].name, "eth");
	h.caps[1].version = 68;
	strcpy(h.caps[2].name, "eth");
	h.caps[2].version = 67;
	memset(h.id.b, 0x42, 64);
	CHECK_INT(p2p_proto_hello_encode(&h, out, &n), 0);
	CHECK_INT(p2p_proto_hello_decode(&d, out, n), 0);
	CHECK_STR(d.client, "p2pcore/test");
	CHECK_INT(d.ncaps, 3);
	/* Sent sorted by name, then version. */
	CHECK(strcmp(d.caps[0].name, "eth") == 0 && d.caps[0].version == 67);
	CHECK(strcmp(d.caps[1].name, "eth") == 0 && d.caps[1].version == 68);
	CHECK(strcmp(d.caps[2].name, "snap") == 0);
	CHECK_INT(d.listen_port, 30303);
	CHECK(memcmp(d.id.b, h.id.b, 64) == 0);
	n = 10;
	CHECK_INT(p2p_proto_hello_encode(&h, out, &n), P2P_ETOOBIG);
}

static int
hello_hex(const char *hex)
{
	struct p2p_hello h;
	size_t n;
	uint8_t *p = unit_unhex(hex, &n);
	int rc = p2p_proto_hello_decode(&h, p, n);

	free(p);
	return rc;
}

#define ID64 "b840" "4242424242424242424242424242424242424242424242424242" \
	"424242424242424242424242424242424242424242424242424242424242424242" \
	"42424242424242424242424242424242424242"

static void
test_hello_bad(void)
{
	uint8_t big[P2P_PROTO_HELLO_MAX + 1];
	struct p2p_hello h;

	/* [5, "x", [], 1, id]: fine; then one thing wrong at a time. */
	CHECK_INT(hello_hex("f84a" "05" "78" "c0" "01" ID64), 0);
	CHECK_INT(hello_hex("f84b" "05" "8178" "c0" "01" ID64),
	    P2P_ESINGLEBYTE);
	CHECK_INT(hello_hex("f84c" "05" "820078" "c0" "01" ID64),
	    P2P_EFIELD);	/* NUL in the client name */
	CHECK_INT(hello_hex("f84c" "05" "78" "c0" "83011170" ID64),
	    P2P_EFIELD);	/* port 70000 */
	CHECK_INT(hello_hex("c405" "78" "c0" "01"), P2P_EFIELD);
	CHECK_INT(hello_hex("f84c" "05" "78" "c2c178" "01" ID64),
	    P2P_EFIELD);	/* capability without version */
	memset(big, 0, sizeof(big));
	CHECK_INT(p2p_proto_hello_decode(&h, big, sizeof(big)), P2P_ETOOBIG);
}

/* A Hello with ncaps capabilities, built by hand. */
static int
hello_with_caps(unsigned ncaps)
{
	uint8_t buf[P2P_PROTO_HELLO_MAX], id[64] = { 0 };
	struct p2p_rlp_enc e;
	struct p2p_hello h;
	const uint8_t *p;
	size_t n;

	p2p_rlp_enc_init_fixed(&e, buf, sizeof(buf));
	p2p_rlp_enc_list_begin(&e);
	p2p_rlp_enc_uint(&e, 5);
	p2p_rlp_enc_str(&e, "x");
	p2p_rlp_enc_list_begin(&e);
	for (unsigned i = 0; i < ncaps; i++) {
		p2p_rlp_enc_list_begin(&e);
		p2p_rlp_enc_str(&e, "c");
		p2p_rlp_enc_uint(&e, i + 1);
		p2p_rlp_enc_list_end(&e);
	}
	p2p_rlp_enc_list_end(&e);
	p2p_rlp_enc_uint(&e, 1);
	p2p_rlp_enc_bytes(&e, id, 64);
	p2p_rlp_enc_uint(&e, 7);	/* an extra element, ignored */
	p2p_rlp_enc_list_end(&e);
	CHECK_INT(p2p_rlp_enc_finish(&e, &p, &n), 0);
	return p2p_proto_hello_decode(&h, p, n);
}

static void
test_too_many_caps(void)
{
	CHECK_INT(hello_with_caps(P2P_PROTO_MAX_CAPS), 0);
	CHECK_INT(hello_with_caps(P2P_PROTO_MAX_CAPS + 1), P2P_ETOOBIG);
}

static unsigned
disc(const char *hex, int *rc)
{
	unsigned r = 99;
	size_t n;
	uint8_t *p = unit_unhex(hex, &n);

	*rc = p2p_proto_disconnect_decode(p, n, &r);
	free(p);
	return r;
}

static void
test_disconnect(void)
{
	uint8_t out[8];
	size_t n = sizeof(out);
	int rc;

	CHECK_INT(p2p_proto_disconnect_encode(P2P_DISC_TOO_MANY_PEERS, out,
	    &n), 0);
	CHECK_HEX(out, n, "c104");
	CHECK_INT(disc("c104", &rc), 4);
	CHECK_INT(rc, 0);
	CHECK_INT(disc("08", &rc), 8);	/* ethereumjs: bare integer */
	CHECK_INT(disc("80", &rc), 0);
	CHECK_INT(disc("c180", &rc), 0);
	CHECK_INT(disc("c0", &rc), 0);
	CHECK_INT(disc("", &rc), 0);
	CHECK_INT(rc, 0);
	disc("c1c0", &rc);
	CHECK_INT(rc, P2P_EFIELD);
	disc("820100", &rc);
	CHECK_INT(rc, P2P_EFIELD);
	disc("b8", &rc);
	CHECK_INT(rc, P2P_EFIELD);
	CHECK_STR(p2p_proto_disc_reason(P2P_DISC_UNEXPECTED_IDENTITY),
	    "unexpected identity");
	CHECK_STR(p2p_proto_disc_reason(P2P_DISC_SUBPROTOCOL_ERROR),
	    "subprotocol error");
	int known = 0;
	for (unsigned r = 0; r < 256; r++)
		known += strcmp(p2p_proto_disc_reason(r),
		    "unknown disconnect reason") != 0;
	CHECK_INT(known, 13);
}

static struct p2p_cap
cap(const char *name, uint32_t version, uint32_t length)
{
	struct p2p_cap c = { .version = version, .length = length };

	strcpy(c.name, name);
	return c;
}

static void
test_match(void)
{
	struct p2p_cap local[] = { cap("snap", 1, 8), cap("eth", 66, 17),
	    cap("eth", 67, 18), cap("foo", 1, 1) };
	struct p2p_cap remote[] = { cap("eth", 66, 0), cap("eth", 67, 0),
	    cap("bar", 1, 0), cap("snap", 1, 0), cap("eth", 68, 0) };
	struct p2p_cap out[P2P_PROTO_MAX_CAPS];

	CHECK_INT(p2p_proto_match_caps(local, 4, remote, 5, out), 2);
	CHECK(strcmp(out[0].name, "eth") == 0 && out[0].version == 67);
	CHECK_INT(out[0].offset, 16);
	CHECK_INT(out[0].length, 18);
	CHECK(strcmp(out[1].name, "snap") == 0 && out[1].version == 1);
	CHECK_INT(out[1].offset, 34);
	CHECK_INT(p2p_proto_match_caps(local, 4, remote + 2, 1, out), 0);
}

const struct unit_test unit_proto[] = {
	{ "hello_vector", test_hello_vector },
	{ "hello_roundtrip", test_hello_roundtrip },
	{ "hello_bad", test_hello_bad },
	{ "too_many_caps", test_too_many_caps },
	{ "disconnect", test_disconnect },
	{ "match", test_match },
	{ NULL, NULL },
};
