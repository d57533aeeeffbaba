/*
 * fuzz_auth.c - RLPx handshake message decoding with the fixed keys of
 * rlpx-handshake.json.  Every input is:
 *  - read as an auth by the recipient (key B) and as an ack by the
 *    initiator (key A), whole and then the way a non-blocking reader does
 *    it, growing the buffer to what hs->need asks for;
 *  - decoded directly as each kind of body, EIP-8 and pre-EIP-8 (the ECIES
 *    MAC keeps random bytes from ever reaching this code otherwise);
 *  - when it decodes as an EIP-8 body, sealed to the reader's key with a
 *    size prefix and read, so the key checks and signature recovery after
 *    the MAC see arbitrary fields too.
 */
#include <stdlib.h>
#include <string.h>

#include <p2p/ecies.h>
#include <p2p/hex.h>
#include <p2p/rlpx.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct p2p_rlpx_hs hs;

static void
init(int initiator)
{
	static const char *keys[] = {
		"b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291",
		"49a7b37aa6f6645917e7b807e9d1c00d4fa71f18343b0d4122a4d2df64dd6fee",
	};
	static struct p2p_pubkey pb;
	static int have_pb;
	struct p2p_privkey k;

	if (!have_pb) {
		p2p_hex_decode_exact(k.b, 32, keys[0], 64);
		p2p_secp_pubkey(&pb, &k);
		have_pb = 1;
	}
	p2p_hex_decode_exact(k.b, 32, keys[initiator], 64);
	if (p2p_rlpx_hs_init(&hs, initiator, &k, initiator ? &pb : NULL) != 0)
		abort();
}

static int
rd(int ack, const uint8_t *data, size_t size, size_t *used)
{
	return ack ? p2p_rlpx_ack_read(&hs, data, size, used) :
	    p2p_rlpx_auth_read(&hs, data, size, used);
}

/* Whole, then by hs->need, which must only ever grow. */
static void
read_msg(int ack, const uint8_t *data, size_t size)
{
	struct p2p_rlpx_secrets s;
	size_t used, have = 0;
	int whole, rc;

	init(ack);
	whole = rd(ack, data, size, &used);
	if (whole == 0 && (used > size || used > P2P_RLPX_MSG_MAX))
		abort();
	if (whole == 0 && !ack && p2p_rlpx_ack_write(&hs) == 0)
		(void)p2p_rlpx_secrets(&hs, &s);
	if (whole == 0 && ack)
		(void)p2p_rlpx_secrets(&hs, &s);
	init(ack);
	while ((rc = rd(ack, data, have, &used)) == P2P_EAGAIN &&
	    hs.need <= size) {
		if (hs.need <= have)
			abort();
		have = hs.need;
	}
	/* Reading exactly as asked ends the way reading it all did. */
	if (rc == P2P_EAGAIN ? whole != P2P_EAGAIN : rc != whole)
		abort();
	p2p_wipe(&s, sizeof(s));
}

/* An EIP-8 body sealed to the reader's own key and read. */
static void
sealed(int ack, const uint8_t *body, size_t len)
{
	uint8_t msg[P2P_RLPX_MSG_MAX];
	size_t n = sizeof(msg) - 2, used;
	struct p2p_pubkey pub;

	if (len + P2P_ECIES_OVERHEAD > P2P_RLPX_HANDSHAKE_MAX)
		return;
	init(ack);
	msg[0] = (uint8_t)((len + P2P_ECIES_OVERHEAD) >> 8);
	msg[1] = (uint8_t)(len + P2P_ECIES_OVERHEAD);
	if (p2p_secp_pubkey(&pub, &hs.key) != 0 ||
	    p2p_ecies_encrypt(msg + 2, &n, &pub, body, len, msg, 2) != 0)
		abort();
	if (rd(ack, msg, n + 2, &used) == P2P_EHANDSHAKE)
		abort();	/* it decoded a moment ago */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p2p_rlpx_auth_body ab;
	struct p2p_rlpx_ack_body kb;

	read_msg(0, data, size);
	read_msg(1, data, size);
	(void)p2p_rlpx_auth_decode(&ab, data, size, 0);
	(void)p2p_rlpx_ack_decode(&kb, data, size, 0);
	if (p2p_rlpx_auth_decode(&ab, data, size, 1) == 0) {
		if (ab.restlen > size || (ab.rest != NULL &&
		    (ab.rest < data || ab.rest + ab.restlen > data + size)))
			abort();
		sealed(0, data, size);
	}
	if (p2p_rlpx_ack_decode(&kb, data, size, 1) == 0) {
		if (kb.restlen > size || (kb.rest != NULL &&
		    (kb.rest < data || kb.rest + kb.restlen > data + size)))
			abort();
		sealed(1, data, size);
	}
	p2p_rlpx_hs_clear(&hs);
	return 0;
}
