/*
 * p2p.h - p2pcore versions, the stable error codes and the few helpers
 * every module shares.
 *
 * Every fallible function in libp2pcore returns 0 on success or one of the
 * negative P2P_E* values below.  The numbers are part of the ABI: they never
 * change and new ones are only ever appended.
 */
#ifndef P2P_P2P_H
#define P2P_P2P_H

#include <stddef.h>
#include <stdint.h>

#define P2P_VERSION_MAJOR 0
#define P2P_VERSION_MINOR 1
#define P2P_VERSION_PATCH 0
#define P2P_VERSION_STRING "0.1.0"

enum p2p_err {
	P2P_OK = 0,
	P2P_EINVAL = -1,	/* invalid argument */
	P2P_ENOMEM = -2,	/* out of memory */
	P2P_ETOOBIG = -3,	/* output buffer too small / size cap reached */
	P2P_EHEX = -4,		/* invalid hex character */
	P2P_EHEXLEN = -5,	/* hex string of wrong or odd length */
	P2P_ETRUNCATED = -6,	/* input ends inside a value */
	P2P_ETRAILING = -7,	/* bytes after the value */
	P2P_ELEADINGZERO = -8,	/* leading zero in an RLP length or integer */
	P2P_ENONCANONSIZE = -9,	/* RLP length prefix not minimal */
	P2P_ESINGLEBYTE = -10,	/* single byte < 0x80 wrapped as string */
	P2P_EDEPTH = -11,	/* RLP nesting too deep */
	P2P_EEXPECTLIST = -12,	/* expected an RLP list */
	P2P_EEXPECTSTR = -13,	/* expected an RLP string */
	P2P_EINTRANGE = -14,	/* integer does not fit */
	P2P_EPRIVKEY = -15,	/* invalid private key */
	P2P_EPUBKEY = -16,	/* invalid public key */
	P2P_ESIG = -17,		/* invalid signature */
	P2P_ERANDOM = -18,	/* random number generator failed */
	P2P_ESCHEME = -19,	/* missing or wrong URL scheme */
	P2P_EIDLEN = -20,	/* node ID/public key of wrong length */
	P2P_EIP = -21,		/* invalid IP address */
	P2P_EHOSTNAME = -22,	/* host names are not supported */
	P2P_EPORT = -23,	/* invalid port */
	P2P_EDISCPORT = -24,	/* invalid discport */
	P2P_EURL = -25,		/* malformed URL */
	P2P_EBASE64 = -26,	/* invalid base64url */
	P2P_EEMPTY = -27,	/* empty input */
	P2P_EENRSIZE = -28,	/* record larger than 300 bytes */
	P2P_EENRINCOMPLETE = -29, /* record list too short / odd k/v pair */
	P2P_EENRORDER = -30,	/* record keys not sorted */
	P2P_EENRDUP = -31,	/* duplicate record key */
	P2P_EENRSCHEME = -32,	/* unknown or missing identity scheme */
	P2P_EENRSIG = -33,	/* invalid record signature */
	P2P_ENOTFOUND = -34,	/* no such key/entry */
	P2P_EENRUNSIGNED = -35,	/* record has no signature */
	P2P_EIO = -36,		/* I/O error (errno has details) */
	P2P_EKEYFILE = -37,	/* malformed key file */
	P2P_EEXIST = -38,	/* file exists */
	P2P_EFIELD = -39,	/* malformed field value */
	P2P_EMAC = -40,		/* message authentication failed */
	P2P_ECRYPTO = -41,	/* the crypto library failed */
	P2P_EAGAIN = -42,	/* need more input */
	P2P_EHANDSHAKE = -43,	/* malformed handshake message */
	P2P_EIDENTITY = -44,	/* Hello ID differs from the RLPx key */
	P2P_ETIMEOUT = -45,	/* timed out */
	P2P_ECONNREFUSED = -46,	/* TCP connection refused */
	P2P_ENET = -47,		/* network error (errno has details) */
	P2P_ECLOSED = -48,	/* connection closed by the peer */
	P2P_EDISCONNECTED = -49, /* the peer sent Disconnect */
	P2P_EPROTO = -50,	/* base-protocol violation */
	P2P_EEXPIRED = -51,	/* discovery packet expired */
	P2P_EPKTHASH = -52,	/* discovery packet hash mismatch */
	P2P_EPKTTYPE = -53,	/* unknown discovery packet type */
	P2P_ENOPROOF = -54,	/* no endpoint proof (not bonded) */
	P2P_ERESTRICTED = -55,	/* address outside NetRestrict */
	P2P_EDB = -56,		/* node database error */
	P2P_EINTERRUPTED = -57,	/* stopped by a signal before it ended */
	P2P_ENOTRLPX = -58,	/* the peer does not speak RLPx */
	P2P_ESELF = -59,	/* the node is ourselves */
	P2P_EDIALING = -60,	/* a dial to the node is under way */
	P2P_ECONNECTED = -61,	/* the node is already connected */
	P2P_ERECENT = -62,	/* dialed too recently (dial history) */
	P2P_ETOOMANY = -63,	/* peer slots full */
	P2P_EUSELESS = -64,	/* no capability in common */
	P2P_ESTATE = -65,	/* not possible in this state (running, stopped) */
	P2P_ELOCKED = -66,	/* held by another process (lock file) */
};

/*
 * Returns: a static, human-readable description of err (never NULL).
 * In:      err: 0 or a P2P_E* value; unknown values give "unknown error".
 */
const char *p2p_strerror(int err);

/*
 * Returns: the symbolic name of err ("EINVAL", "ENRSIG", ...), static and
 *          stable, for machine-readable output; "EUNKNOWN" for others.
 */
const char *p2p_errname(int err);

/* Overwrites n bytes at p with zeros in a way the compiler keeps. */
void p2p_wipe(void *p, size_t n);

/* Returns: 1 if the n bytes at a and b are equal, else 0; constant time. */
int p2p_ct_equal(const void *a, const void *b, size_t n);

#endif
