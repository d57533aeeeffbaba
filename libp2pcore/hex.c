/*
 * hex.c - strict hex decoding (optional 0x, even length, nothing else) and
 * lowercase encoding.
 */
#include <p2p/hex.h>

static int
nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Strips an optional 0x/0X prefix. */
static void
strip_prefix(const char **hex, size_t *hexlen)
{
	if (*hexlen >= 2 && (*hex)[0] == '0' &&
	    ((*hex)[1] == 'x' || (*hex)[1] == 'X')) {
		*hex += 2;
		*hexlen -= 2;
	}
}

/* Validates every digit before writing anything. */
static int
check_digits(const char *hex, size_t hexlen)
{
	for (size_t i = 0; i < hexlen; i++)
		if (nibble(hex[i]) < 0)
			return P2P_EHEX;
	return hexlen % 2 ? P2P_EHEXLEN : 0;
}

static void
decode(uint8_t *out, const char *hex, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(nibble(hex[2 * i]) << 4 |
		    nibble(hex[2 * i + 1]));
}

int
p2p_hex_decode(uint8_t *out, size_t *outlen, const char *hex, size_t hexlen)
{
	int rc;

	strip_prefix(&hex, &hexlen);
	if ((rc = check_digits(hex, hexlen)) != 0)
		return rc;
	if (*outlen < hexlen / 2) {
		*outlen = hexlen / 2;
		return P2P_ETOOBIG;
	}
	decode(out, hex, hexlen / 2);
	*outlen = hexlen / 2;
	return 0;
}

int
p2p_hex_decode_exact(uint8_t *out, size_t len, const char *hex,
    size_t hexlen)
{
	int rc;

	strip_prefix(&hex, &hexlen);
	if ((rc = check_digits(hex, hexlen)) != 0)
		return rc;
	if (hexlen != 2 * len)
		return P2P_EHEXLEN;
	decode(out, hex, len);
	return 0;
}

void
p2p_hex_encode(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}
