/* test_hex.c - strict hex parsing and formatting. */
#include <p2p/hex.h>

#include "unit.h"

static void
test_roundtrip(void)
{
	uint8_t b[4];
	size_t n = sizeof(b);
	char s[9];

	CHECK_INT(p2p_hex_decode(b, &n, "0xDEadBe", 8), 0);
	CHECK_INT(n, 3);
	CHECK_HEX(b, 3, "deadbe");
	p2p_hex_encode(s, b, 3);
	CHECK_STR(s, "deadbe");
	n = 0;
	CHECK_INT(p2p_hex_decode(NULL, &n, "", 0), 0);
	CHECK_INT(n, 0);
	CHECK_INT(p2p_hex_decode(b, &n, "0x", 2), 0);
	CHECK_INT(n, 0);
}

static void
test_strict(void)
{
	uint8_t b[4];
	size_t n = sizeof(b);

	CHECK_INT(p2p_hex_decode(b, &n, "abc", 3), P2P_EHEXLEN);
	CHECK_INT(p2p_hex_decode(b, &n, "abcg", 4), P2P_EHEX);
	CHECK_INT(p2p_hex_decode(b, &n, "ab\n", 3), P2P_EHEX);
	CHECK_INT(p2p_hex_decode(b, &n, " ab", 3), P2P_EHEX);
	CHECK_INT(p2p_hex_decode(b, &n, "0x0x", 4), P2P_EHEX);
	CHECK_INT(p2p_hex_decode(b, &n, "0102030405", 10), P2P_ETOOBIG);
	CHECK_INT(n, 5);
	CHECK_INT(p2p_hex_decode_exact(b, 2, "0102", 4), 0);
	CHECK_INT(p2p_hex_decode_exact(b, 2, "010203", 6), P2P_EHEXLEN);
	CHECK_INT(p2p_hex_decode_exact(b, 2, "01", 2), P2P_EHEXLEN);
	CHECK_INT(p2p_hex_decode_exact(b, 2, "01z2", 4), P2P_EHEX);
	CHECK_INT(p2p_hex_decode_exact(b, 2, "0x0102", 6), 0);
}

const struct unit_test unit_hex[] = {
	{ "roundtrip", test_roundtrip },
	{ "strict", test_strict },
	{ NULL, NULL },
};
