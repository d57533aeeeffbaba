/*
 * fuzz_hello.c - the base protocol decoders: a Hello that decodes must
 * re-encode and decode to the same fields; Disconnect decoding of the same
 * bytes must not fail in any other way than an error code.
 */
#include <stdlib.h>
#include <string.h>

#include <p2p/proto.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct p2p_hello h, d;
	uint8_t out[P2P_PROTO_HELLO_MAX * 2];
	size_t n = sizeof(out);
	unsigned reason;

	(void)p2p_proto_disconnect_decode(data, size, &reason);
	if (p2p_proto_hello_decode(&h, data, size) != 0)
		return 0;
	if (p2p_proto_hello_encode(&h, out, &n) != 0)
		return 0;	/* may not fit once re-encoded: fine */
	if (p2p_proto_hello_decode(&d, out, n) != 0 ||
	    d.version != h.version || strcmp(d.client, h.client) != 0 ||
	    d.ncaps != h.ncaps || d.listen_port != h.listen_port ||
	    memcmp(d.id.b, h.id.b, 64) != 0)
		abort();
	return 0;
}
