/*
 * err.c - error strings and names for the stable P2P_E* codes, and the
 * two memory helpers every module shares (wipe, constant-time compare).
 */
#include <string.h>

#include <p2p/p2p.h>

#include "internal.h"

static const struct {
	int code;
	const char *name;
	const char *text;
} errs[] = {
	{ P2P_OK, "OK", "success" },
	{ P2P_EINVAL, "EINVAL", "invalid argument" },
	{ P2P_ENOMEM, "ENOMEM", "out of memory" },
	{ P2P_ETOOBIG, "ETOOBIG", "too big for the buffer or its size cap" },
	{ P2P_EHEX, "EHEX", "invalid hex character" },
	{ P2P_EHEXLEN, "EHEXLEN", "hex string of wrong or odd length" },
	{ P2P_ETRUNCATED, "ETRUNCATED", "input truncated" },
	{ P2P_ETRAILING, "ETRAILING", "trailing bytes after value" },
	{ P2P_ELEADINGZERO, "ELEADINGZERO",
	    "non-canonical RLP: leading zero in length or integer" },
	{ P2P_ENONCANONSIZE, "ENONCANONSIZE",
	    "non-canonical RLP: length prefix not minimal" },
	{ P2P_ESINGLEBYTE, "ESINGLEBYTE",
	    "non-canonical RLP: single byte below 0x80 encoded as string" },
	{ P2P_EDEPTH, "EDEPTH", "RLP nested too deep" },
	{ P2P_EEXPECTLIST, "EEXPECTLIST", "expected RLP list" },
	{ P2P_EEXPECTSTR, "EEXPECTSTR", "expected RLP string" },
	{ P2P_EINTRANGE, "EINTRANGE", "integer out of range" },
	{ P2P_EPRIVKEY, "EPRIVKEY", "invalid private key" },
	{ P2P_EPUBKEY, "EPUBKEY", "invalid public key" },
	{ P2P_ESIG, "ESIG", "invalid signature" },
	{ P2P_ERANDOM, "ERANDOM", "random number generator failed" },
	{ P2P_ESCHEME, "ESCHEME", "missing or wrong URL scheme" },
	{ P2P_EIDLEN, "EIDLEN",
	    "node ID of wrong length (want 128 hex characters)" },
	{ P2P_EIP, "EIP", "invalid IP address" },
	{ P2P_EHOSTNAME, "EHOSTNAME",
	    "host names are not supported, give an IP address" },
	{ P2P_EPORT, "EPORT", "invalid port" },
	{ P2P_EDISCPORT, "EDISCPORT", "invalid discport in query" },
	{ P2P_EURL, "EURL", "malformed URL" },
	{ P2P_EBASE64, "EBASE64", "invalid base64url" },
	{ P2P_EEMPTY, "EEMPTY", "empty input" },
	{ P2P_EENRSIZE, "EENRSIZE", "record larger than 300 bytes" },
	{ P2P_EENRINCOMPLETE, "EENRINCOMPLETE",
	    "record incomplete: too few elements or odd key/value pair" },
	{ P2P_EENRORDER, "EENRORDER", "record keys not sorted" },
	{ P2P_EENRDUP, "EENRDUP", "duplicate record key" },
	{ P2P_EENRSCHEME, "EENRSCHEME",
	    "unknown or missing identity scheme (want v4)" },
	{ P2P_EENRSIG, "EENRSIG", "invalid signature on node record" },
	{ P2P_ENOTFOUND, "ENOTFOUND", "not found" },
	{ P2P_EENRUNSIGNED, "EENRUNSIGNED", "record is not signed" },
	{ P2P_EIO, "EIO", "I/O error" },
	{ P2P_EKEYFILE, "EKEYFILE",
	    "malformed key file (want 64 hex characters)" },
	{ P2P_EEXIST, "EEXIST", "file exists" },
	{ P2P_EFIELD, "EFIELD", "malformed field value" },
	{ P2P_EMAC, "EMAC", "bad MAC: message authentication failed" },
	{ P2P_ECRYPTO, "ECRYPTO", "the crypto library failed" },
	{ P2P_EAGAIN, "EAGAIN", "need more input" },
	{ P2P_EHANDSHAKE, "EHANDSHAKE", "malformed handshake message" },
	{ P2P_EIDENTITY, "EIDENTITY",
	    "unexpected identity: Hello ID differs from the handshake key" },
	{ P2P_ETIMEOUT, "ETIMEOUT", "timed out" },
	{ P2P_ECONNREFUSED, "ECONNREFUSED", "connection refused" },
	{ P2P_ENET, "ENET", "network error" },
	{ P2P_ECLOSED, "ECLOSED", "connection closed by the peer" },
	{ P2P_EDISCONNECTED, "EDISCONNECTED", "the peer sent Disconnect" },
	{ P2P_EPROTO, "EPROTO", "base protocol violation" },
	{ P2P_EEXPIRED, "EEXPIRED", "discovery packet expired" },
	{ P2P_EPKTHASH, "EPKTHASH", "discovery packet hash mismatch" },
	{ P2P_EPKTTYPE, "EPKTTYPE", "unknown discovery packet type" },
	{ P2P_ENOPROOF, "ENOPROOF", "no endpoint proof (node not bonded)" },
	{ P2P_ERESTRICTED, "ERESTRICTED", "address outside NetRestrict" },
	{ P2P_EDB, "EDB", "node database error" },
	{ P2P_EINTERRUPTED, "EINTERRUPTED",
	    "interrupted: stopped by a signal before it ended" },
	{ P2P_ENOTRLPX, "ENOTRLPX",
	    "not an RLPx peer: its first bytes are no handshake (HTTP?)" },
	{ P2P_ESELF, "ESELF", "the node is ourselves" },
	{ P2P_EDIALING, "EDIALING", "already dialing the node" },
	{ P2P_ECONNECTED, "ECONNECTED", "the node is already connected" },
	{ P2P_ERECENT, "ERECENT", "dialed too recently" },
	{ P2P_ETOOMANY, "ETOOMANY", "too many peers" },
	{ P2P_EUSELESS, "EUSELESS", "no capability in common" },
	{ P2P_ESTATE, "ESTATE", "not possible in this state" },
	{ P2P_ELOCKED, "ELOCKED", "in use by another process" },
};

const char *
p2p_strerror(int err)
{
	for (size_t i = 0; i < P2PI_ARRAY_LEN(errs); i++)
		if (errs[i].code == err)
			return errs[i].text;
	return "unknown error";
}

const char *
p2p_errname(int err)
{
	for (size_t i = 0; i < P2PI_ARRAY_LEN(errs); i++)
		if (errs[i].code == err)
			return errs[i].name;
	return "EUNKNOWN";
}

void
p2p_wipe(void *p, size_t n)
{
	/* explicit_bzero is not elided even when p is dead afterwards. */
	explicit_bzero(p, n);
}

int
p2p_ct_equal(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;

	for (size_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}
