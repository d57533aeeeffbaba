/*
 * fuzz_enr.c - ENR decoding from RLP and from text: an accepted record
 * must verify or fail cleanly, and a verified one must re-encode to the
 * same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include <p2p/enr.h>
#include <p2p/json.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
touch(const struct p2p_enr *r)
{
	struct p2p_node node;
	struct p2p_ip ip;
	uint16_t port;
	char id[16];

	(void)p2p_enr_get_id(r, id);
	(void)p2p_enr_get_ip(r, &ip);
	(void)p2p_enr_get_ip6(r, &ip);
	(void)p2p_enr_get_port(r, "udp", &port);
	(void)p2p_enr_to_node(r, &node);
	json_decref(p2p_json_enr(r));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[P2P_ENR_MAX_SIZE];
	size_t n = sizeof(out);
	struct p2p_enr r;

	if (p2p_enr_decode(&r, data, size) == 0) {
		touch(&r);
		if (p2p_enr_verify(&r) == 0 &&
		    (p2p_enr_encode(&r, out, &n) != 0 || n != size ||
		    memcmp(out, data, size) != 0))
			abort();
	}
	if (p2p_enr_parse(&r, (const char *)data, size) == 0)
		touch(&r);
	return 0;
}
