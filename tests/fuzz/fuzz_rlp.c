/*
 * fuzz_rlp.c - the RLP decoder: whatever it accepts must re-encode to the
 * same bytes (canonical encodings are unique), and nothing may crash.
 */
#include <stdlib.h>
#include <string.h>

#include <p2p/rlp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
reencode(struct p2p_rlp_enc *e, const struct p2p_rlp_item *item)
{
	struct p2p_rlp_iter it;
	struct p2p_rlp_item sub;

	if (!item->is_list) {
		p2p_rlp_enc_bytes(e, item->data, item->len);
		return;
	}
	p2p_rlp_enc_list_begin(e);
	if (p2p_rlp_iter_init(&it, item) != 0)
		abort();
	while (p2p_rlp_iter_next(&it, &sub) == 1)
		reencode(e, &sub);
	p2p_rlp_enc_list_end(e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p2p_rlp_item item;
	struct p2p_rlp_enc e;
	const uint8_t *out;
	size_t n;
	uint64_t v;

	if (p2p_rlp_decode_prefix(&item, data, size) == 0 && item.is_list)
		(void)p2p_rlp_count(&item);
	if (p2p_rlp_decode(&item, data, size) != 0)
		return 0;
	(void)p2p_rlp_uint64(&item, &v);
	p2p_rlp_enc_init(&e, size + 16);
	reencode(&e, &item);
	if (p2p_rlp_enc_finish(&e, &out, &n) != 0 || n != size ||
	    memcmp(out, data, size) != 0)
		abort();
	p2p_rlp_enc_free(&e);
	return 0;
}
