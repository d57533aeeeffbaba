/*
 * fuzz_frame.c - the frame reader.  The first byte picks a mode: raw bytes
 * into a reader (almost all fail the MAC, which must be all that happens),
 * or the rest is cut into messages that a matching writer frames and the
 * reader must return intact, fed in chunks the input also chooses.
 */
#include <stdlib.h>
#include <string.h>

#include <p2p/frame.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
secrets(struct p2p_rlpx_secrets *s)
{
	memset(s, 0x5c, sizeof(*s));
	p2p_keccak_init(&s->egress_mac);
	p2p_keccak_update(&s->egress_mac, "fuzz", 4);
	s->ingress_mac = s->egress_mac;
}

static void
raw(const uint8_t *data, size_t size, int snappy)
{
	struct p2p_rlpx_secrets s;
	struct p2p_frame *r;
	struct p2p_frame_msg msg;
	size_t used;

	secrets(&s);
	if ((r = p2p_frame_new(&s)) == NULL)
		return;
	p2p_frame_set_snappy(r, snappy);
	while (size > 0 && p2p_frame_read(r, data, size, &used, &msg) == 0) {
		data += used;
		size -= used;
	}
	p2p_frame_free(r);
}

static void
roundtrip(const uint8_t *data, size_t size, int snappy)
{
	struct p2p_rlpx_secrets s;
	struct p2p_frame *w, *r;
	struct p2p_frame_msg msg;
	size_t chunk = size ? data[0] % 7 + 1 : 1, cut = size ? data[0] : 0;
	size_t len, used, off;
	uint8_t *buf;

	secrets(&s);
	w = p2p_frame_new(&s);
	r = p2p_frame_new(&s);
	if (w == NULL || r == NULL)
		abort();
	p2p_frame_set_snappy(w, snappy);
	p2p_frame_set_snappy(r, snappy);
	if (cut > size)
		cut = size;
	len = p2p_frame_write_size(w, cut);
	if ((buf = malloc(len)) == NULL ||
	    p2p_frame_write(w, cut, data, cut, buf, &len) != 0)
		abort();
	for (off = 0;; off += used) {
		size_t n = len - off < chunk ? len - off : chunk;
		int rc = p2p_frame_read(r, buf + off, n, &used, &msg);

		if (rc == 0)
			break;
		if (rc != P2P_EAGAIN || off + used >= len)
			abort();
	}
	if (msg.code != cut || msg.len != cut ||
	    (cut && memcmp(msg.data, data, cut) != 0))
		abort();
	free(buf);
	p2p_frame_free(w);
	p2p_frame_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	switch (data[0] % 4) {
	case 0: raw(data + 1, size - 1, 0); break;
	case 1: raw(data + 1, size - 1, 1); break;
	case 2: roundtrip(data + 1, size - 1, 0); break;
	default: roundtrip(data + 1, size - 1, 1); break;
	}
	return 0;
}
