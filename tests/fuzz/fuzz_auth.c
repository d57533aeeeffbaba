/*
 * fuzz_auth.c - RLPx handshake message decoding: the input as an auth read
 * by the recipient (key B of rlpx-handshake.json) and as an ack read by
 * the initiator (key A), fed whole and in two pieces.
 */
#include <string.h>

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
	struct p2p_privkey k, kb;
	struct p2p_pubkey pb;

	p2p_hex_decode_exact(k.b, 32, keys[initiator], 64);
	p2p_hex_decode_exact(kb.b, 32, keys[0], 64);
	p2p_secp_pubkey(&pb, &kb);
	p2p_rlpx_hs_init(&hs, initiator, &k, initiator ? &pb : NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t used, half = size / 2;
	struct p2p_rlpx_secrets s;

	init(0);
	if (p2p_rlpx_auth_read(&hs, data, half, &used) == P2P_EAGAIN)
		(void)p2p_rlpx_auth_read(&hs, data, size, &used);
	if (p2p_rlpx_auth_read(&hs, data, size, &used) == 0) {
		(void)p2p_rlpx_ack_write(&hs);
		(void)p2p_rlpx_secrets(&hs, &s);
	}
	init(1);
	if (p2p_rlpx_ack_read(&hs, data, size, &used) == 0)
		(void)p2p_rlpx_secrets(&hs, &s);
	p2p_rlpx_hs_clear(&hs);
	return 0;
}
