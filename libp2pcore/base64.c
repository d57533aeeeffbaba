/*
 * base64.c - unpadded base64url for ENR text records.
 */
#include "base64.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t
p2pi_base64url_len(size_t n)
{
	return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

void
p2pi_base64url_encode(char *out, const uint8_t *in, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | in[i + 1] << 8 | in[i + 2];

		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		out[o++] = alphabet[v & 63];
	}
	if (n - i == 1) {
		out[o++] = alphabet[in[i] >> 2];
		out[o++] = alphabet[(in[i] & 3) << 4];
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];

		out[o++] = alphabet[v >> 10];
		out[o++] = alphabet[(v >> 4) & 63];
		out[o++] = alphabet[(v & 15) << 2];
	}
	out[o] = '\0';
}

static int
value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

int
p2pi_base64url_decode(uint8_t *out, size_t *outlen, const char *in,
    size_t len)
{
	size_t need = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0), o = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (len % 4 == 1)
		return P2P_EBASE64;
	for (size_t i = 0; i < len; i++)
		if (value(in[i]) < 0)
			return P2P_EBASE64;
	if (need > *outlen) {
		*outlen = need;
		return P2P_ETOOBIG;
	}
	for (size_t i = 0; i < len; i++) {
		acc = acc << 6 | (uint32_t)value(in[i]);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	/* Canonical text only: the bits after the last byte are zero.  Go's
	 * RawURLEncoding ignores them, so "...dl8" and "...dl9" would both
	 * name one record; no encoder writes the second. */
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
		return P2P_EBASE64;
	*outlen = o;
	return 0;
}
