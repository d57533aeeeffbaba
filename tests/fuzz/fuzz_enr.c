/*
 * fuzz_enr.c - ENR decoding from RLP and from text.  A decoded record with
 * a 64-byte signature must re-encode to exactly the input, whether or not
 * it verifies; a parsed text record must format to exactly the input
 * text (only canonical base64 is accepted) and parse to the same record.
 * p2p_enr_parse_node takes either an enode URL or a record.
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
	struct p2p_nodeid id;
	struct p2p_ip ip;
	uint16_t port;
	char sid[16];

	(void)p2p_enr_get_id(r, sid);
	(void)p2p_enr_get_ip(r, &ip);
	(void)p2p_enr_get_ip6(r, &ip);
	(void)p2p_enr_get_port(r, "udp", &port);
	(void)p2p_enr_nodeid(r, &id);
	(void)p2p_enr_to_node(r, &node);
	json_decref(p2p_json_enr(r));
}

static void
check_text(const struct p2p_enr *r, const uint8_t *in, size_t inlen)
{
	char text[P2P_ENR_TEXT_MAX];
	size_t len = sizeof(text);
	uint8_t a[P2P_ENR_MAX_SIZE], b[P2P_ENR_MAX_SIZE];
	size_t an = sizeof(a), bn = sizeof(b);
	struct p2p_enr again;

	if (p2p_enr_format(r, text, &len) != 0 ||
	    p2p_enr_parse(&again, text, len) != 0 ||
	    p2p_enr_encode(r, a, &an) != 0 ||
	    p2p_enr_encode(&again, b, &bn) != 0 ||
	    an != bn || memcmp(a, b, an) != 0 ||
	    len != inlen || memcmp(text, in, len) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[P2P_ENR_MAX_SIZE];
	size_t n = sizeof(out);
	struct p2p_enr r;
	struct p2p_node node;

	if (p2p_enr_decode(&r, data, size) == 0) {
		touch(&r);
		(void)p2p_enr_verify(&r);
		if (r.has_sig == 1 && (p2p_enr_encode(&r, out, &n) != 0 ||
		    n != size || memcmp(out, data, size) != 0))
			abort();
	}
	if (p2p_enr_parse(&r, (const char *)data, size) == 0) {
		touch(&r);
		check_text(&r, data, size);
	}
	(void)p2p_enr_parse_node(&node, (const char *)data, size);
	return 0;
}
