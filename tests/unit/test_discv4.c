/* test_discv4.c - discovery v4 packets: the EIP-8 / go-ethereum vectors
 * (both the v1.8.24 and the EIP-868 view), round trips of every type,
 * re-encoding, rejection of damaged packets, size limits and expiry. */
#include <arpa/inet.h>
#include <stdlib.h>

#include <p2p/discv4.h>
#include <p2p/hex.h>
#include <p2p/keccak.h>
#include <p2p/rlp.h>

#include "unit.h"

/* EIP-8's signing key: a published test key, not a secret. */
static const char vec_key[] =
    "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291";
/* EIP-778's example record (RLP). */
static const char eip778_rlp[] = "f884b8407098ad865b00a582051940cb9cf36836"
    "572411a47278783077011599ed5cd16b76f2635f4e234738f30813a89eb9137e3e3d"
    "f5266e3a1f11df72ecf1145ccb9c01826964827634826970847f00000189736563703"
    "235366b31a103ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f32"
    "58cd31388375647082765f";

static struct p2p_privkey
test_key(void)
{
	struct p2p_privkey k;

	p2p_hex_decode_exact(k.b, sizeof(k.b), vec_key, 64);
	return k;
}

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* hash || sig || type || data signed with key, built by hand so a test can
 * send what p2p_disc_encode never would.  Returns the length. */
static size_t
raw_packet(uint8_t *out, int type, const uint8_t *data, size_t n,
    const struct p2p_privkey *key)
{
	uint8_t digest[32];

	out[97] = (uint8_t)type;
	memmove(out + 98, data, n);
	p2p_keccak256(digest, out + 97, 1 + n);
	if (p2p_secp_sign(out + 32, digest, key) != 0)
		abort();
	p2p_keccak256(out, out + 32, 66 + n);
	return 98 + n;
}

/* Decodes hex packet data of the given type, signed with the test key. */
static int
decode_data_hex(struct p2p_disc_packet *pkt, int type, const char *hex)
{
	static uint8_t buf[P2P_DISC_MAX_PACKET + 1];
	struct p2p_privkey key = test_key();
	size_t n;
	uint8_t *d = unit_unhex(hex, &n);
	int rc;

	n = raw_packet(buf, type, d, n, &key);
	rc = p2p_disc_decode(pkt, NULL, NULL, buf, n);
	free(d);
	return rc;
}

/* Same, with hex the list's contents (the header is computed). */
static int
decode_list_hex(struct p2p_disc_packet *pkt, int type, const char *hex)
{
	uint8_t buf[P2P_DISC_MAX_PACKET];
	struct p2p_rlp_enc e;
	const uint8_t *p;
	char *out;
	size_t n;
	uint8_t *d = unit_unhex(hex, &n);
	int rc;

	p2p_rlp_enc_init_fixed(&e, buf, sizeof(buf));
	p2p_rlp_enc_list_begin(&e);
	p2p_rlp_enc_raw(&e, d, n);
	p2p_rlp_enc_list_end(&e);
	if (p2p_rlp_enc_finish(&e, &p, &n) != 0 || (out = malloc(2 * n + 1)) ==
	    NULL)
		abort();
	p2p_hex_encode(out, p, n);
	rc = decode_data_hex(pkt, type, out);
	free(d);
	free(out);
	return rc;
}

static void
check_ep(const struct p2p_disc_endpoint *ep, json_t *want, const char *what)
{
	uint8_t ip[16];
	const char *s = str(want, "ip");
	int v6 = strchr(s, ':') != NULL;

	CHECK_MSG(inet_pton(v6 ? AF_INET6 : AF_INET, s, ip) == 1, "bad %s", s);
	CHECK_MSG(ep->ip_len == (v6 ? 16 : 4) &&
	    memcmp(ep->ip, ip, ep->ip_len) == 0, "%s: ip != %s", what, s);
	CHECK_INT(ep->udp, json_integer_value(json_object_get(want, "udp")));
	CHECK_INT(ep->tcp, json_integer_value(json_object_get(want, "tcp")));
}

/* The concatenated rest hex strings of a view. */
static void
rest_hex(json_t *view, char *out, size_t cap)
{
	size_t i;
	json_t *r;

	out[0] = '\0';
	json_array_foreach(json_object_get(view, "rest"), i, r)
		if (strlen(out) + strlen(json_string_value(r)) < cap)
			strcat(out, json_string_value(r));
}

static void
check_seq(int has_seq, uint64_t seq, json_t *view)
{
	json_t *s = json_object_get(view, "enr_seq");

	if (s == NULL || json_is_null(s)) {
		CHECK_INT(has_seq, 0);
		return;
	}
	CHECK_INT(has_seq, 1);
	CHECK_INT(seq, json_integer_value(s));
}

static void
check_view(const struct p2p_disc_packet *pkt, json_t *view, const char *name)
{
	char rest[512];
	size_t i;
	json_t *nd;

	CHECK_INT(pkt->expiration, json_integer_value(json_object_get(view,
	    "expiration")));
	rest_hex(view, rest, sizeof(rest));
	CHECK_MSG(pkt->rest_len * 2 == strlen(rest), "%s: rest", name);
	if (pkt->rest_len > 0)
		CHECK_HEX(pkt->rest, pkt->rest_len, rest);
	else
		CHECK(pkt->rest == NULL);
	switch (pkt->type) {
	case P2P_DISC_PING:
		CHECK_INT(pkt->u.ping.version,
		    json_integer_value(json_object_get(view, "version")));
		check_ep(&pkt->u.ping.from, json_object_get(view, "from"),
		    name);
		check_ep(&pkt->u.ping.to, json_object_get(view, "to"), name);
		check_seq(pkt->u.ping.has_seq, pkt->u.ping.enr_seq, view);
		break;
	case P2P_DISC_PONG:
		check_ep(&pkt->u.pong.to, json_object_get(view, "to"), name);
		CHECK_HEX(pkt->u.pong.ping_hash, 32, str(view, "ping_hash"));
		check_seq(pkt->u.pong.has_seq, pkt->u.pong.enr_seq, view);
		break;
	case P2P_DISC_FINDNODE:
		CHECK_HEX(pkt->u.findnode.target, 64, str(view, "target"));
		break;
	case P2P_DISC_NEIGHBORS:
		CHECK_INT(pkt->u.neighbors.n, json_array_size(
		    json_object_get(view, "nodes")));
		json_array_foreach(json_object_get(view, "nodes"), i, nd) {
			if (i >= pkt->u.neighbors.n)
				break;
			check_ep(&pkt->u.neighbors.nodes[i].ep, nd, name);
			CHECK_HEX(pkt->u.neighbors.nodes[i].id, 64,
			    str(nd, "id"));
		}
		break;
	default:
		CHECK_MSG(0, "%s: type %d", name, pkt->type);
	}
}

static int
same_ep(const struct p2p_disc_endpoint *a, const struct p2p_disc_endpoint *b)
{
	return a->ip_len == b->ip_len && memcmp(a->ip, b->ip, a->ip_len) == 0 &&
	    a->udp == b->udp && a->tcp == b->tcp;
}

/* Every field but rest (which encoding drops). */
static int
same_packet(const struct p2p_disc_packet *a, const struct p2p_disc_packet *b)
{
	if (a->type != b->type || a->expiration != b->expiration)
		return 0;
	switch (a->type) {
	case P2P_DISC_PING:
		return a->u.ping.version == b->u.ping.version &&
		    same_ep(&a->u.ping.from, &b->u.ping.from) &&
		    same_ep(&a->u.ping.to, &b->u.ping.to) &&
		    a->u.ping.has_seq == b->u.ping.has_seq &&
		    (!a->u.ping.has_seq ||
		    a->u.ping.enr_seq == b->u.ping.enr_seq);
	case P2P_DISC_PONG:
		return same_ep(&a->u.pong.to, &b->u.pong.to) &&
		    memcmp(a->u.pong.ping_hash, b->u.pong.ping_hash, 32) == 0 &&
		    a->u.pong.has_seq == b->u.pong.has_seq &&
		    (!a->u.pong.has_seq ||
		    a->u.pong.enr_seq == b->u.pong.enr_seq);
	case P2P_DISC_FINDNODE:
		return memcmp(a->u.findnode.target, b->u.findnode.target,
		    64) == 0;
	case P2P_DISC_NEIGHBORS:
		if (a->u.neighbors.n != b->u.neighbors.n)
			return 0;
		for (size_t i = 0; i < a->u.neighbors.n; i++)
			if (!same_ep(&a->u.neighbors.nodes[i].ep,
			    &b->u.neighbors.nodes[i].ep) ||
			    memcmp(a->u.neighbors.nodes[i].id,
			    b->u.neighbors.nodes[i].id, 64) != 0)
				return 0;
		return 1;
	case P2P_DISC_ENRREQ:
		return 1;
	case P2P_DISC_ENRRESP:
		return memcmp(a->u.enrresp.req_hash, b->u.enrresp.req_hash,
		    32) == 0 && a->u.enrresp.enr_len == b->u.enrresp.enr_len &&
		    memcmp(a->u.enrresp.enr, b->u.enrresp.enr,
		    a->u.enrresp.enr_len) == 0;
	}
	return 0;
}

static void
test_vectors(void)
{
	json_t *j = unit_vectors("discv4-packets.json"), *v;
	const char *signer = str(json_object_get(j, "derived_signer"),
	    "public_key");
	struct p2p_disc_packet pkt;
	struct p2p_pubkey sender;
	uint8_t hash[32];
	size_t i, n;
	int count = 0;

	json_array_foreach(json_object_get(j, "packets"), i, v) {
		const char *name = str(v, "name");
		json_t *view = json_object_get(v, "expected_eip868");
		uint8_t *p = unit_unhex(str(v, "packet"), &n);
		int rc = p2p_disc_decode(&pkt, hash, &sender, p, n);

		CHECK_MSG(rc == 0, "%s: decode %d", name, rc);
		if (view == NULL || json_is_null(view))
			view = json_object_get(v, "expected");
		CHECK_INT(pkt.type, json_integer_value(json_object_get(v,
		    "packet_type")));
		CHECK_STR(p2p_disc_type_name(pkt.type),
		    str(v, "packet_type_name"));
		CHECK_HEX(hash, 32, str(json_object_get(v, "derived"), "hash"));
		CHECK_HEX(sender.b, 64, signer);
		if (rc == 0)
			check_view(&pkt, view, name);
		free(p);
		count++;
	}
	CHECK_INT(count, 6);
	json_decref(j);
}

/* The v1.8.24 view lists enr-seq in rest: it must be what EIP-868 split
 * off, byte for byte. */
static void
test_vectors_v1_8_24_rest(void)
{
	json_t *j = unit_vectors("discv4-packets.json"), *v;
	struct p2p_disc_packet pkt;
	char want[512], got[1024];
	size_t i, n;

	json_array_foreach(json_object_get(j, "packets"), i, v) {
		uint8_t *p = unit_unhex(str(v, "packet"), &n);
		const uint8_t *from;
		int has_seq;

		CHECK_INT(p2p_disc_decode(&pkt, NULL, NULL, p, n), 0);
		rest_hex(json_object_get(v, "expected"), want, sizeof(want));
		has_seq = pkt.type == P2P_DISC_PING ? pkt.u.ping.has_seq :
		    pkt.type == P2P_DISC_PONG ? pkt.u.pong.has_seq : 0;
		/* enr-seq, when there, is the one byte 01 before rest. */
		from = pkt.rest ? pkt.rest - has_seq : NULL;
		if (has_seq)
			CHECK(from[0] == 0x01);
		got[0] = '\0';
		if (from != NULL)
			p2p_hex_encode(got, from, pkt.rest_len + has_seq);
		CHECK_STR(got, want);
		free(p);
	}
	json_decref(j);
}

/* Decoded vector packets re-encode (rest dropped) to packets that decode
 * to the same fields; the plain ping re-encodes to the same data. */
static void
test_reencode(void)
{
	json_t *j = unit_vectors("discv4-packets.json"), *v;
	struct p2p_privkey key = test_key();
	struct p2p_disc_packet a, b;
	uint8_t out[P2P_DISC_MAX_SEND], h1[32], h2[32];
	size_t i, n, outlen;

	json_array_foreach(json_object_get(j, "packets"), i, v) {
		uint8_t *p = unit_unhex(str(v, "packet"), &n);

		CHECK_INT(p2p_disc_decode(&a, NULL, NULL, p, n), 0);
		CHECK_INT(p2p_disc_encode(out, sizeof(out), &outlen, h1, &a,
		    &key), 0);
		CHECK_INT(p2p_disc_decode(&b, h2, NULL, out, outlen), 0);
		CHECK_MSG(same_packet(&a, &b), "%s: fields differ",
		    str(v, "name"));
		CHECK(memcmp(h1, h2, 32) == 0 && memcmp(h1, out, 32) == 0);
		CHECK(b.rest == NULL && b.rest_len == 0);
		/* Type and data; the upstream signature used another
		 * nonce than RFC 6979's. */
		if (strcmp(str(v, "name"), "ping_v4_plain") == 0)
			CHECK(outlen == n && memcmp(out + 97, p + 97,
			    n - 97) == 0);
		free(p);
	}
	json_decref(j);
}

static void
set_ep(struct p2p_disc_endpoint *ep, const char *ip, uint16_t udp,
    uint16_t tcp)
{
	memset(ep, 0, sizeof(*ep));
	if (ip != NULL && inet_pton(AF_INET, ip, ep->ip) == 1)
		ep->ip_len = 4;
	else if (ip != NULL && inet_pton(AF_INET6, ip, ep->ip) == 1)
		ep->ip_len = 16;
	ep->udp = udp;
	ep->tcp = tcp;
}

/* Encodes, decodes and compares; returns the encoded length. */
static size_t
roundtrip(const struct p2p_disc_packet *pkt, const char *what)
{
	struct p2p_privkey key;
	struct p2p_pubkey pub, sender;
	struct p2p_disc_packet d;
	uint8_t out[P2P_DISC_MAX_SEND], h1[32], h2[32];
	size_t n = 0;
	int rc;

	p2p_secp_keygen(&key);
	p2p_secp_pubkey(&pub, &key);
	rc = p2p_disc_encode(out, sizeof(out), &n, h1, pkt, &key);
	CHECK_MSG(rc == 0, "%s: encode %d", what, rc);
	rc = p2p_disc_decode(&d, h2, &sender, out, n);
	CHECK_MSG(rc == 0, "%s: decode %d", what, rc);
	CHECK_MSG(same_packet(pkt, &d), "%s: fields differ", what);
	CHECK(memcmp(h1, h2, 32) == 0);
	CHECK(memcmp(sender.b, pub.b, 64) == 0);
	CHECK(d.rest == NULL);
	p2p_wipe(&key, sizeof(key));
	return n;
}

static void
test_roundtrip_ping_pong(void)
{
	static const uint64_t seqs[] = { 0, 1, 0x100, UINT64_MAX };
	struct p2p_disc_packet p;

	memset(&p, 0, sizeof(p));
	p.type = P2P_DISC_PING;
	p.expiration = 1700000020;
	p.u.ping.version = P2P_DISC_VERSION;
	set_ep(&p.u.ping.from, "10.0.0.1", 30303, 30303);
	set_ep(&p.u.ping.to, "2001:db8::1", 30301, 0);
	roundtrip(&p, "ping");
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		p.u.ping.has_seq = 1;
		p.u.ping.enr_seq = seqs[i];
		roundtrip(&p, "ping seq");
	}
	set_ep(&p.u.ping.from, NULL, 0, 0);	/* empty IP */
	p.expiration = UINT64_MAX;
	p.u.ping.version = UINT64_MAX;
	roundtrip(&p, "ping empty ip");

	memset(&p, 0, sizeof(p));
	p.type = P2P_DISC_PONG;
	p.expiration = 1;
	set_ep(&p.u.pong.to, "192.0.2.7", 65535, 65535);
	memset(p.u.pong.ping_hash, 0xab, 32);
	roundtrip(&p, "pong");
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		p.u.pong.has_seq = 1;
		p.u.pong.enr_seq = seqs[i];
		roundtrip(&p, "pong seq");
	}
}

static void
test_roundtrip_others(void)
{
	struct p2p_disc_packet p;
	size_t n;
	uint8_t *rec = unit_unhex(eip778_rlp, &n);

	memset(&p, 0, sizeof(p));
	p.type = P2P_DISC_FINDNODE;
	p.expiration = 1136239445;
	memset(p.u.findnode.target, 0x5a, 64);
	roundtrip(&p, "findnode");

	memset(&p, 0, sizeof(p));
	p.type = P2P_DISC_NEIGHBORS;
	p.expiration = 42;
	roundtrip(&p, "neighbors 0");
	for (int i = 0; i < 5; i++) {
		struct p2p_disc_rpcnode *nd = &p.u.neighbors.nodes[i];

		set_ep(&nd->ep, i % 2 ? "::1" : "1.2.3.4", (uint16_t)(i + 1),
		    (uint16_t)(1000 * i));
		memset(nd->id, i, 64);
	}
	set_ep(&p.u.neighbors.nodes[4].ep, NULL, 1, 2);
	p.u.neighbors.n = 5;
	roundtrip(&p, "neighbors 5");

	memset(&p, 0, sizeof(p));
	p.type = P2P_DISC_ENRREQ;
	p.expiration = 99;
	roundtrip(&p, "enrrequest");

	memset(&p, 0, sizeof(p));
	p.type = P2P_DISC_ENRRESP;
	memset(p.u.enrresp.req_hash, 0x11, 32);
	p.u.enrresp.enr = rec;
	p.u.enrresp.enr_len = n;
	roundtrip(&p, "enrresponse");
	free(rec);
}

/* Pieces of hand-made packet data. */
#define H31 "2222222222222222222222222222222222222222222222222222222222"\
	"2222"
#define H32 "a0" H31 "22"
#define ID63 "0101010101010101010101010101010101010101010101010101010101"\
	"01010101010101010101010101010101010101010101010101010101010101010101"
#define ID64 ID63 "01"
#define EP "c9" "847f000001" "82765f" "80"	/* [127.0.0.1, 30303, 0] */

/* IPv4-mapped IPv6 goes out as 4 bytes and is read back as 4 bytes;
 * other IP lengths are accepted as "no IP". */
static void
test_ip_forms(void)
{
	struct p2p_disc_packet p, d;
	struct p2p_privkey key = test_key();
	uint8_t out[P2P_DISC_MAX_SEND];
	size_t n;

	memset(&p, 0, sizeof(p));
	p.type = P2P_DISC_PONG;
	set_ep(&p.u.pong.to, "::ffff:1.2.3.4", 1, 2);
	CHECK_INT(p.u.pong.to.ip_len, 16);
	CHECK_INT(p2p_disc_encode(out, sizeof(out), &n, NULL, &p, &key), 0);
	CHECK_INT(p2p_disc_decode(&d, NULL, NULL, out, n), 0);
	CHECK_INT(d.u.pong.to.ip_len, 4);
	CHECK_HEX(d.u.pong.to.ip, 4, "01020304");

	/* [[::ffff:5.6.7.8, 1, 2], hash, 3] */
	CHECK_INT(decode_list_hex(&d, P2P_DISC_PONG, "d3" "90"
	    "00000000000000000000ffff05060708" "0102" H32 "03"), 0);
	CHECK_INT(d.u.pong.to.ip_len, 4);
	CHECK_HEX(d.u.pong.to.ip, 4, "05060708");
	/* 5-byte IP */
	CHECK_INT(decode_list_hex(&d, P2P_DISC_PONG, "c8" "850102030405"
	    "0102" H32 "03"), 0);
	CHECK_INT(d.u.pong.to.ip_len, 0);
	CHECK_INT(d.u.pong.to.udp, 1);
}

/* What may follow a ping's expiration: enr-seq or rest. */
static void
test_seq_slot(void)
{
	struct p2p_disc_packet d;

	/* [4, ep, ep, 5, 7] */
	CHECK_INT(decode_list_hex(&d, P2P_DISC_PING, "04" EP EP "05" "07"), 0);
	CHECK(d.u.ping.has_seq && d.u.ping.enr_seq == 7 && d.rest == NULL);
	/* 8-byte seq */
	CHECK_INT(decode_list_hex(&d, P2P_DISC_PING,
	    "04" EP EP "05" "88ffffffffffffffff"), 0);
	CHECK(d.u.ping.has_seq && d.u.ping.enr_seq == UINT64_MAX);
	/* zero is 80 */
	CHECK_INT(decode_list_hex(&d, P2P_DISC_PING, "04" EP EP "05" "80"), 0);
	CHECK(d.u.ping.has_seq && d.u.ping.enr_seq == 0);
	/* Not a uint64: 00, 9 bytes, a list -> rest, no seq. */
	CHECK_INT(decode_list_hex(&d, P2P_DISC_PING,
	    "04" EP EP "05" "00" "01"), 0);
	CHECK(!d.u.ping.has_seq && d.rest_len == 2 && d.rest[0] == 0);
	CHECK_INT(decode_list_hex(&d, P2P_DISC_PING,
	    "04" EP EP "05" "89010000000000000000"), 0);
	CHECK(!d.u.ping.has_seq && d.rest_len == 10);
	CHECK_INT(decode_list_hex(&d, P2P_DISC_PONG, EP H32 "05" "c101"), 0);
	CHECK(!d.u.pong.has_seq && d.rest_len == 2 && d.rest[0] == 0xc1);
	/* seq, then rest */
	CHECK_INT(decode_list_hex(&d, P2P_DISC_PONG, EP H32 "05" "09" "c0"),
	    0);
	CHECK(d.u.pong.has_seq && d.u.pong.enr_seq == 9 && d.rest_len == 1);
}

/* Expirations of any width up to 8 bytes, canonical only. */
static void
test_expiration_widths(void)
{
	struct p2p_disc_packet d;

	CHECK_INT(decode_data_hex(&d, P2P_DISC_ENRREQ, "c180"), 0);
	CHECK_INT(d.expiration, 0);
	CHECK_INT(decode_data_hex(&d, P2P_DISC_ENRREQ, "c105"), 0);
	CHECK_INT(d.expiration, 5);
	CHECK_INT(decode_data_hex(&d, P2P_DISC_ENRREQ, "c5845f5e1000"), 0);
	CHECK_INT(d.expiration, 0x5f5e1000);
	CHECK_INT(decode_data_hex(&d, P2P_DISC_ENRREQ,
	    "c9887fffffffffffffff"), 0);
	CHECK(d.expiration == INT64_MAX);
	CHECK_INT(decode_data_hex(&d, P2P_DISC_ENRREQ,
	    "ca89010000000000000000"), P2P_EINTRANGE);
	CHECK_INT(decode_data_hex(&d, P2P_DISC_ENRREQ, "c5840000a355"),
	    P2P_ELEADINGZERO);
	CHECK_INT(decode_data_hex(&d, P2P_DISC_ENRREQ, "c100"),
	    P2P_ELEADINGZERO);
	CHECK_INT(decode_data_hex(&d, P2P_DISC_ENRREQ, "c28105"),
	    P2P_ESINGLEBYTE);
	CHECK_INT(decode_data_hex(&d, P2P_DISC_ENRREQ, "c2c105"),
	    P2P_EEXPECTSTR);
	CHECK_INT(d.type, 0);	/* zeroed on error */
}

/* Malformed packet data under a valid hash and signature. */
static void
test_bad_data(void)
{
	struct p2p_disc_packet d;

	CHECK_INT(decode_data_hex(&d, P2P_DISC_PING, "05"), P2P_EEXPECTLIST);
	CHECK_INT(decode_data_hex(&d, P2P_DISC_PING, ""), P2P_ETRUNCATED);
	CHECK_INT(decode_data_hex(&d, P2P_DISC_PING, "c0"), P2P_EFIELD);
	CHECK_INT(decode_list_hex(&d, P2P_DISC_PING, "04" EP EP),
	    P2P_EFIELD);		/* no expiration */
	/* port 70000: endpoint udp, endpoint tcp, node udp */
	CHECK_INT(decode_list_hex(&d, P2P_DISC_PING,
	    "04" "ca" "847f000001" "83011170" "80" EP "05"), P2P_EINTRANGE);
	CHECK_INT(decode_list_hex(&d, P2P_DISC_PING,
	    "04" EP "ca" "847f000001" "80" "83011170" "05"), P2P_EINTRANGE);
	CHECK_INT(decode_list_hex(&d, P2P_DISC_NEIGHBORS, "f84e" "f84c"
	    "847f000001" "83011170" "80" "b840" ID64 "05"), P2P_EINTRANGE);
	CHECK_INT(decode_list_hex(&d, P2P_DISC_NEIGHBORS, "f84d" "f84b"
	    "847f000001" "82765f" "80" "b840" ID64 "05"), 0);
	/* non-canonical port and version */
	CHECK_INT(decode_list_hex(&d, P2P_DISC_PING,
	    "04" "c9" "847f000001" "820050" "80" EP "05"), P2P_ELEADINGZERO);
	CHECK_INT(decode_list_hex(&d, P2P_DISC_PING, "00" EP EP "05"),
	    P2P_ELEADINGZERO);
	/* endpoint with an extra element, one short, ip a list */
	CHECK_INT(decode_list_hex(&d, P2P_DISC_PING,
	    "04" "ca" "847f000001" "82765f" "80" "01" EP "05"), P2P_EFIELD);
	CHECK_INT(decode_list_hex(&d, P2P_DISC_PING,
	    "04" "c8" "847f000001" "82765f" EP "05"), P2P_EFIELD);
	CHECK_INT(decode_list_hex(&d, P2P_DISC_PING,
	    "04" "c8" "c3010203" "82765f" "80" EP "05"), P2P_EEXPECTSTR);
	/* pong hash of 31 bytes; findnode target of 63 */
	CHECK_INT(decode_list_hex(&d, P2P_DISC_PONG, EP "9f" H31 "05"),
	    P2P_EFIELD);
	CHECK_INT(decode_list_hex(&d, P2P_DISC_FINDNODE, "b83f" ID63 "05"),
	    P2P_EFIELD);
	CHECK_INT(decode_list_hex(&d, P2P_DISC_FINDNODE, "b840" ID64 "05"), 0);
	/* neighbors: nodes not a list; a node without id */
	CHECK_INT(decode_list_hex(&d, P2P_DISC_NEIGHBORS, "05" "05"),
	    P2P_EEXPECTLIST);
	CHECK_INT(decode_list_hex(&d, P2P_DISC_NEIGHBORS, "ca" EP "05"),
	    P2P_EFIELD);
	/* enrresponse: record a string; no record */
	CHECK_INT(decode_list_hex(&d, P2P_DISC_ENRRESP, H32 "01"),
	    P2P_EEXPECTLIST);
	CHECK_INT(decode_list_hex(&d, P2P_DISC_ENRRESP, H32), P2P_EFIELD);
	CHECK_INT(decode_list_hex(&d, P2P_DISC_ENRRESP, H32 "c0"), 0);
	CHECK_INT(d.u.enrresp.enr_len, 1);
	CHECK_INT(d.expiration, 0);
}

/* Every prefix of every vector fails: short ones as truncated, longer ones
 * on the hash; every prefix of the packet data, signed, is truncated RLP. */
static void
test_truncated(void)
{
	json_t *j = unit_vectors("discv4-packets.json"), *v;
	struct p2p_privkey key = test_key();
	struct p2p_disc_packet d;
	static uint8_t buf[P2P_DISC_MAX_PACKET];
	size_t i, n, dn;
	int bad = 0;

	json_array_foreach(json_object_get(j, "packets"), i, v) {
		uint8_t *p = unit_unhex(str(v, "packet"), &n);
		uint8_t *data = unit_unhex(str(json_object_get(v, "derived"),
		    "packet_data_rlp"), &dn);

		for (size_t k = 0; k < n; k++) {
			int rc = p2p_disc_decode(&d, NULL, NULL, p, k);

			bad += rc != (k < P2P_DISC_HEAD_LEN + 1 ?
			    P2P_ETRUNCATED : P2P_EPKTHASH);
		}
		for (size_t k = 0; k < dn; k++) {
			size_t len = raw_packet(buf, p[97], data, k, &key);

			bad += p2p_disc_decode(&d, NULL, NULL, buf, len) !=
			    P2P_ETRUNCATED;
		}
		free(p);
		free(data);
	}
	CHECK_INT(bad, 0);
	json_decref(j);
}

static void
test_damaged(void)
{
	json_t *j = unit_vectors("discv4-packets.json"), *v;
	const char *signer = str(json_object_get(j, "derived_signer"),
	    "public_key");
	struct p2p_pubkey want, got;
	struct p2p_disc_packet d;
	size_t i, n;
	int bad = 0, esig = 0;

	p2p_hex_decode_exact(want.b, 64, signer, 128);
	json_array_foreach(json_object_get(j, "packets"), i, v) {
		uint8_t *p = unit_unhex(str(v, "packet"), &n);

		for (size_t k = 0; k < 32; k++) {
			p[k] ^= 0xff;
			bad += p2p_disc_decode(&d, NULL, NULL, p, n) !=
			    P2P_EPKTHASH;
			p[k] ^= 0xff;
		}
		/* Signature bytes, with the hash made to match. */
		for (size_t k = 32; k < 97; k++) {
			uint8_t save[32];
			int rc;

			memcpy(save, p, 32);
			p[k] ^= k == 96 ? 0x02 : 0x01;
			p2p_keccak256(p, p + 32, n - 32);
			rc = p2p_disc_decode(&d, NULL, &got, p, n);
			esig += rc == P2P_ESIG;
			bad += !(rc == P2P_ESIG || (rc == 0 &&
			    memcmp(got.b, want.b, 64) != 0));
			p[k] ^= k == 96 ? 0x02 : 0x01;
			memcpy(p, save, 32);
		}
		CHECK_INT(p2p_disc_decode(&d, NULL, &got, p, n), 0);
		free(p);
	}
	CHECK_INT(bad, 0);
	CHECK(esig >= 6);	/* v = 2 at least */
	json_decref(j);
}

static void
test_bad_type(void)
{
	static const int types[] = { 0, 7, 255 };
	struct p2p_disc_packet d;

	for (size_t i = 0; i < 3; i++)
		CHECK_INT(decode_data_hex(&d, types[i], "c105"), P2P_EPKTTYPE);
	CHECK_INT(decode_data_hex(&d, P2P_DISC_ENRREQ, "c105"), 0);
	CHECK_STR(p2p_disc_type_name(0), "unknown");
	CHECK_STR(p2p_disc_type_name(7), "unknown");
	CHECK_STR(p2p_disc_type_name(-1), "unknown");
	CHECK_STR(p2p_disc_type_name(P2P_DISC_ENRREQ), "enrrequest");
	CHECK_STR(p2p_disc_type_name(P2P_DISC_ENRRESP), "enrresponse");
	CHECK_STR(p2p_disc_type_name(P2P_DISC_NEIGHBORS), "neighbors");
}

/* A valid packet padded with trailing bytes to exactly the limit decodes;
 * one byte more is refused on length alone. */
static void
test_size_limit(void)
{
	static uint8_t buf[P2P_DISC_MAX_PACKET + 1], data[P2P_DISC_MAX_PACKET];
	struct p2p_privkey key = test_key();
	struct p2p_disc_packet d;
	size_t n;

	memset(data, 0xee, sizeof(data));
	data[0] = 0xc1;
	data[1] = 0x05;
	n = raw_packet(buf, P2P_DISC_ENRREQ, data, P2P_DISC_MAX_PACKET - 98,
	    &key);
	CHECK_INT(n, P2P_DISC_MAX_PACKET);
	CHECK_INT(p2p_disc_decode(&d, NULL, NULL, buf, n), 0);
	CHECK_INT(d.expiration, 5);
	n = raw_packet(buf, P2P_DISC_ENRREQ, data,
	    P2P_DISC_MAX_PACKET - 97, &key);
	CHECK_INT(p2p_disc_decode(&d, NULL, NULL, buf, n), P2P_ETOOBIG);
	CHECK_INT(p2p_disc_decode(&d, NULL, NULL, buf, 98), P2P_ETRUNCATED);
}

static void
fill_neighbors(struct p2p_disc_packet *p, size_t n)
{
	memset(p, 0, sizeof(*p));
	p->type = P2P_DISC_NEIGHBORS;
	p->expiration = UINT64_MAX;
	for (size_t i = 0; i < n && i < P2P_DISC_MAX_NODES_IN; i++) {
		struct p2p_disc_rpcnode *nd = &p->u.neighbors.nodes[i];

		set_ep(&nd->ep, "2001:db8:85a3:8d3:1319:8a2e:370:7348",
		    65535, 65535);
		memset(nd->id, 0xff, 64);
	}
	p->u.neighbors.n = n;
}

/* go-ethereum's maxNeighbors: 12 worst-case IPv6 nodes fit in 1280. */
static void
test_neighbors_limit(void)
{
	struct p2p_privkey key = test_key();
	struct p2p_disc_packet p;
	uint8_t out[P2P_DISC_MAX_SEND];
	size_t n;

	fill_neighbors(&p, P2P_DISC_NEIGHBORS_PER_PACKET);
	n = roundtrip(&p, "neighbors 12");
	CHECK(n <= P2P_DISC_MAX_SEND);
	CHECK_INT(n, 1205);
	/* Too small a buffer says how much is needed. */
	CHECK_INT(p2p_disc_encode(out, 1000, &n, NULL, &p, &key),
	    P2P_ETOOBIG);
	CHECK_INT(n, 1205);
	fill_neighbors(&p, P2P_DISC_NEIGHBORS_PER_PACKET + 1);
	CHECK_INT(p2p_disc_encode(out, sizeof(out), &n, NULL, &p, &key),
	    P2P_EINVAL);
}

/* ethereumjs sends 16 IPv4 neighbors (1373 bytes) with a 4-byte
 * expiration; we read it although we would not send it. */
static void
test_neighbors_ethereumjs(void)
{
	static uint8_t buf[P2P_DISC_MAX_PACKET];
	struct p2p_privkey key = test_key();
	struct p2p_disc_packet d;
	struct p2p_rlp_enc e;
	uint8_t id[64];
	const uint8_t *data;
	size_t n;

	p2p_rlp_enc_init_fixed(&e, buf + 98, sizeof(buf) - 98);
	p2p_rlp_enc_list_begin(&e);
	p2p_rlp_enc_list_begin(&e);
	for (int i = 0; i < 16; i++) {
		uint8_t ip[4] = { 10, 0, 0, (uint8_t)i };

		memset(id, i, sizeof(id));
		p2p_rlp_enc_list_begin(&e);
		p2p_rlp_enc_bytes(&e, ip, 4);
		p2p_rlp_enc_uint(&e, 30303);
		p2p_rlp_enc_uint(&e, 30303);
		p2p_rlp_enc_bytes(&e, id, 64);
		p2p_rlp_enc_list_end(&e);
	}
	p2p_rlp_enc_list_end(&e);
	p2p_rlp_enc_uint(&e, 1700000000);
	p2p_rlp_enc_list_end(&e);
	CHECK_INT(p2p_rlp_enc_finish(&e, &data, &n), 0);
	n = raw_packet(buf, P2P_DISC_NEIGHBORS, data, n, &key);
	CHECK_INT(n, 1373);
	CHECK_INT(p2p_disc_decode(&d, NULL, NULL, buf, n), 0);
	CHECK_INT(d.u.neighbors.n, 16);
	CHECK_INT(d.expiration, 1700000000);
	CHECK_HEX(d.u.neighbors.nodes[15].ep.ip, 4, "0a00000f");
	CHECK_INT(d.u.neighbors.nodes[15].id[63], 15);
}

static void
test_encode_errors(void)
{
	struct p2p_privkey key = test_key(), zero;
	struct p2p_disc_packet p;
	uint8_t out[P2P_DISC_MAX_SEND], bad[4] = { 0xc3, 0x01, 0x02, 0x03 };
	size_t n;

	memset(&zero, 0, sizeof(zero));
	memset(&p, 0, sizeof(p));
	p.type = 7;
	CHECK_INT(p2p_disc_encode(out, sizeof(out), &n, NULL, &p, &key),
	    P2P_EINVAL);
	p.type = P2P_DISC_PING;
	CHECK_INT(p2p_disc_encode(out, sizeof(out), &n, NULL, &p, &zero),
	    P2P_EPRIVKEY);
	p.u.ping.to.ip_len = 5;
	CHECK_INT(p2p_disc_encode(out, sizeof(out), &n, NULL, &p, &key),
	    P2P_EINVAL);
	memset(&p, 0, sizeof(p));
	p.type = P2P_DISC_ENRRESP;
	CHECK_INT(p2p_disc_encode(out, sizeof(out), &n, NULL, &p, &key),
	    P2P_EINVAL);
	p.u.enrresp.enr = bad;		/* a list of 3 items: fine */
	p.u.enrresp.enr_len = 4;
	CHECK_INT(p2p_disc_encode(out, sizeof(out), &n, NULL, &p, &key), 0);
	p.u.enrresp.enr_len = 3;	/* truncated */
	CHECK_INT(p2p_disc_encode(out, sizeof(out), &n, NULL, &p, &key),
	    P2P_EINVAL);
	p.u.enrresp.enr = bad + 1;	/* not a list */
	p.u.enrresp.enr_len = 1;
	CHECK_INT(p2p_disc_encode(out, sizeof(out), &n, NULL, &p, &key),
	    P2P_EINVAL);
}

static void
test_expired(void)
{
	CHECK_INT(p2p_disc_expired(1000, 1000), 0);
	CHECK_INT(p2p_disc_expired(999, 1000), 1);
	CHECK_INT(p2p_disc_expired(1001, 1000), 0);
	CHECK_INT(p2p_disc_expired(0, 0), 0);
	CHECK_INT(p2p_disc_expired(0, 1), 1);
	CHECK_INT(p2p_disc_expired(INT64_MAX, INT64_MAX), 0);
	CHECK_INT(p2p_disc_expired(INT64_MAX, 1000), 0);
	/* go-ethereum's int64(ts): these are in 1677. */
	CHECK_INT(p2p_disc_expired((uint64_t)INT64_MAX + 1, 1000), 1);
	CHECK_INT(p2p_disc_expired(UINT64_MAX, 0), 1);
}

const struct unit_test unit_discv4[] = {
	{ "vectors", test_vectors },
	{ "vectors_v1_8_24_rest", test_vectors_v1_8_24_rest },
	{ "reencode", test_reencode },
	{ "roundtrip_ping_pong", test_roundtrip_ping_pong },
	{ "roundtrip_others", test_roundtrip_others },
	{ "ip_forms", test_ip_forms },
	{ "seq_slot", test_seq_slot },
	{ "expiration_widths", test_expiration_widths },
	{ "bad_data", test_bad_data },
	{ "truncated", test_truncated },
	{ "damaged", test_damaged },
	{ "bad_type", test_bad_type },
	{ "size_limit", test_size_limit },
	{ "neighbors_limit", test_neighbors_limit },
	{ "neighbors_ethereumjs", test_neighbors_ethereumjs },
	{ "encode_errors", test_encode_errors },
	{ "expired", test_expired },
	{ NULL, NULL },
};
