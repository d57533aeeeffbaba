/*
 * rlpx.c - the RLPx handshake messages (pre-EIP-8 and EIP-8) and the
 * session secret derivation of rlpx.md.
 */
#include <string.h>

#include <p2p/ecies.h>
#include <p2p/rlp.h>
#include <p2p/rlpx.h>

#include "internal.h"

/* Plaintext sizes of the pre-EIP-8 messages. */
#define AUTH_PLAIN 194	/* sig 65 || keccak(eph) 32 || pub 64 || nonce 32 || 0 */
#define ACK_PLAIN 97	/* eph 64 || nonce 32 || 0 */

int
p2p_rlpx_hs_init(struct p2p_rlpx_hs *hs, int initiator,
    const struct p2p_privkey *key, const struct p2p_pubkey *remote)
{
	int rc;

	memset(hs, 0, sizeof(*hs));
	hs->initiator = initiator;
	hs->key = *key;
	if (remote != NULL)
		hs->remote = *remote;
	if ((rc = p2p_secp_keygen(&hs->eph)) != 0 ||
	    (rc = p2pi_random(hs->nonce, sizeof(hs->nonce))) != 0)
		p2p_rlpx_hs_clear(hs);
	return rc;
}

void
p2p_rlpx_hs_clear(struct p2p_rlpx_hs *hs)
{
	p2p_wipe(hs, sizeof(*hs));
}

/* static-shared-secret XOR nonce: what the auth signature covers. */
static int
signed_value(uint8_t out[32], const struct p2p_pubkey *pub,
    const struct p2p_privkey *key, const uint8_t nonce[32])
{
	int rc = p2p_secp_ecdh(out, pub, key);

	for (int i = 0; rc == 0 && i < 32; i++)
		out[i] ^= nonce[i];
	return rc;
}

/* Seals plain into out: pre-EIP-8 (bare ECIES) or EIP-8 (size prefix,
 * which is also the ECIES shared MAC data, and random padding written
 * after plainlen: plain has room for 299 more bytes). */
static int
seal(uint8_t *out, size_t *outlen, uint8_t *plain, size_t plainlen,
    int legacy, const struct p2p_pubkey *to)
{
	uint8_t pad[2];
	size_t n;
	int rc;

	if (legacy) {
		n = P2P_RLPX_MSG_MAX;
		rc = p2p_ecies_encrypt(out, &n, to, plain, plainlen, NULL, 0);
		*outlen = n;
		return rc;
	}
	if ((rc = p2pi_random(pad, 2)) != 0 ||
	    (rc = p2pi_random(plain + plainlen, 299)) != 0)
		return rc;
	plainlen += 100 + (size_t)(pad[0] << 8 | pad[1]) % 200;
	n = plainlen + P2P_ECIES_OVERHEAD;
	out[0] = (uint8_t)(n >> 8);
	out[1] = (uint8_t)n;
	n = P2P_RLPX_MSG_MAX - 2;
	rc = p2p_ecies_encrypt(out + 2, &n, to, plain, plainlen, out, 2);
	*outlen = n + 2;
	return rc;
}

int
p2p_rlpx_auth_write(struct p2p_rlpx_hs *hs, int legacy)
{
	uint8_t plain[512], sv[32], sig[65];
	struct p2p_pubkey pub, eph;
	struct p2p_rlp_enc e;
	const uint8_t *body;
	size_t n;
	int rc;

	if ((rc = signed_value(sv, &hs->remote, &hs->key, hs->nonce)) != 0 ||
	    (rc = p2p_secp_sign(sig, sv, &hs->eph)) != 0)
		goto out;
	p2p_secp_pubkey(&pub, &hs->key);
	if (legacy) {
		p2p_secp_pubkey(&eph, &hs->eph);
		memcpy(plain, sig, 65);
		p2p_keccak256(plain + 65, eph.b, 64);
		memcpy(plain + 97, pub.b, 64);
		memcpy(plain + 161, hs->nonce, 32);
		plain[193] = 0;
		n = AUTH_PLAIN;
	} else {
		p2p_rlp_enc_init_fixed(&e, plain, AUTH_PLAIN);
		p2p_rlp_enc_list_begin(&e);
		p2p_rlp_enc_bytes(&e, sig, 65);
		p2p_rlp_enc_bytes(&e, pub.b, 64);
		p2p_rlp_enc_bytes(&e, hs->nonce, 32);
		p2p_rlp_enc_uint(&e, P2P_RLPX_VERSION);
		p2p_rlp_enc_list_end(&e);
		if ((rc = p2p_rlp_enc_finish(&e, &body, &n)) != 0)
			goto out;
	}
	rc = seal(hs->auth, &hs->authlen, plain, n, legacy, &hs->remote);
out:
	p2p_wipe(sv, sizeof(sv));
	p2p_wipe(plain, sizeof(plain));
	return rc;
}

int
p2p_rlpx_ack_write(struct p2p_rlpx_hs *hs)
{
	uint8_t plain[512];
	struct p2p_pubkey eph;
	struct p2p_rlp_enc e;
	const uint8_t *body;
	size_t n;
	int rc;

	p2p_secp_pubkey(&eph, &hs->eph);
	if (!hs->remote_eip8) {
		memcpy(plain, eph.b, 64);
		memcpy(plain + 64, hs->nonce, 32);
		plain[96] = 0;
		n = ACK_PLAIN;
	} else {
		p2p_rlp_enc_init_fixed(&e, plain, ACK_PLAIN + 10);
		p2p_rlp_enc_list_begin(&e);
		p2p_rlp_enc_bytes(&e, eph.b, 64);
		p2p_rlp_enc_bytes(&e, hs->nonce, 32);
		p2p_rlp_enc_uint(&e, P2P_RLPX_VERSION);
		p2p_rlp_enc_list_end(&e);
		if ((rc = p2p_rlp_enc_finish(&e, &body, &n)) != 0)
			return rc;
	}
	rc = seal(hs->ack, &hs->acklen, plain, n, !hs->remote_eip8,
	    &hs->remote);
	p2p_wipe(plain, sizeof(plain));
	return rc;
}

/* Decrypts n bytes at buf as a pre-EIP-8 message (bare ECIES) or, eip8,
 * as the EIP-8 body after the size prefix that is its shared MAC data. */
static int
decrypt(const struct p2p_privkey *key, const uint8_t *buf, size_t n,
    int eip8, uint8_t *plain, size_t *plainlen)
{
	int rc;

	if (eip8)
		rc = p2p_ecies_decrypt(plain, plainlen, key, buf + 2, n - 2,
		    buf, 2);
	else
		rc = p2p_ecies_decrypt(plain, plainlen, key, buf, n, NULL, 0);
	/* Too short to be ECIES at all: a malformed message. */
	return rc == P2P_ETRUNCATED ? P2P_EHANDSHAKE : rc;
}

/*
 * Finds and decrypts one handshake message at the start of buf.  The size
 * prefix is checked first: a declared size over the limit is refused
 * after two bytes, before any EC work.  A pre-EIP-8 message is bare ECIES,
 * so it starts with 0x04, and its prefix would read as 1026..1281; only
 * then are the first legacy_len bytes tried as one, as go-ethereum does,
 * and only once, so a peer dribbling bytes cannot make us repeat the ECDH.
 */
int
p2p_rlpx_read_ready(struct p2p_rlpx_hs *hs, const uint8_t *buf, size_t len)
{
	size_t legacy_len = hs->initiator ? P2P_RLPX_ACK_LEGACY_LEN :
	    P2P_RLPX_AUTH_LEGACY_LEN, size;

	if (len < 2) {
		hs->need = 2;
		return 0;
	}
	size = (size_t)buf[0] << 8 | buf[1];
	/* An answer this long is no RLPx ack at all: the usual case is a
	 * dial to some other service ("HT" of "HTTP/1.1" reads as 18516). */
	if (size > P2P_RLPX_HANDSHAKE_MAX)
		return hs->initiator ? P2P_ENOTRLPX : P2P_ETOOBIG;
	if (buf[0] == 0x04 && !hs->legacy_failed) {
		if (len < legacy_len) {
			hs->need = legacy_len;
			return 0;
		}
		return 1;
	}
	if (len < size + 2) {
		hs->need = size + 2;
		return 0;
	}
	return 1;
}

static int
open_msg(struct p2p_rlpx_hs *hs, size_t legacy_len, const uint8_t *buf,
    size_t len, uint8_t *plain, size_t *plainlen, size_t *consumed)
{
	size_t size, cap = *plainlen;
	int rc;

	if ((rc = p2p_rlpx_read_ready(hs, buf, len)) <= 0)
		return rc < 0 ? rc : P2P_EAGAIN;
	size = ((size_t)buf[0] << 8 | buf[1]) + 2;
	if (buf[0] == 0x04 && !hs->legacy_failed) {
		if (decrypt(&hs->key, buf, legacy_len, 0, plain,
		    plainlen) == 0) {
			*consumed = legacy_len;
			hs->remote_eip8 = 0;
			return 0;
		}
		hs->legacy_failed = 1;
		*plainlen = cap;
		if (len < size) {
			hs->need = size;
			return P2P_EAGAIN;
		}
	}
	if ((rc = decrypt(&hs->key, buf, size, 1, plain, plainlen)) != 0)
		return rc;
	*consumed = size;
	hs->remote_eip8 = 1;
	return 0;
}

/* The list of an EIP-8 body (padding follows it), its first n elements,
 * and where the rest of its elements start. */
static int
body_items(const uint8_t *p, size_t len, struct p2p_rlp_item *it, int n,
    const uint8_t **rest, size_t *restlen)
{
	struct p2p_rlp_item list;
	struct p2p_rlp_iter iter;

	if (p2p_rlp_decode_prefix(&list, p, len) != 0 ||
	    p2p_rlp_iter_init(&iter, &list) != 0)
		return P2P_EHANDSHAKE;
	for (int i = 0; i < n; i++)
		if (p2p_rlp_iter_next(&iter, &it[i]) != 1)
			return P2P_EHANDSHAKE;
	*restlen = (size_t)(iter.end - iter.p);
	*rest = *restlen ? iter.p : NULL;
	return 0;
}

int
p2p_rlpx_auth_decode(struct p2p_rlpx_auth_body *b, const uint8_t *body,
    size_t len, int eip8)
{
	struct p2p_rlp_item it[4];

	if (!eip8) {
		if (len != AUTH_PLAIN)
			return P2P_EHANDSHAKE;
		memcpy(b->sig, body, 65);
		memcpy(b->pub, body + 97, 64);
		memcpy(b->nonce, body + 161, 32);
		b->version = P2P_RLPX_VERSION;
		b->rest = NULL;
		b->restlen = 0;
		return 0;
	}
	if (body_items(body, len, it, 4, &b->rest, &b->restlen) != 0 ||
	    p2p_rlp_bytes_exact(&it[0], b->sig, 65) != 0 ||
	    p2p_rlp_bytes_exact(&it[1], b->pub, 64) != 0 ||
	    p2p_rlp_bytes_exact(&it[2], b->nonce, 32) != 0 ||
	    p2p_rlp_uint64(&it[3], &b->version) != 0)
		return P2P_EHANDSHAKE;
	return 0;
}

int
p2p_rlpx_ack_decode(struct p2p_rlpx_ack_body *b, const uint8_t *body,
    size_t len, int eip8)
{
	struct p2p_rlp_item it[3];

	if (!eip8) {
		if (len != ACK_PLAIN)
			return P2P_EHANDSHAKE;
		memcpy(b->eph, body, 64);
		memcpy(b->nonce, body + 64, 32);
		b->version = P2P_RLPX_VERSION;
		b->rest = NULL;
		b->restlen = 0;
		return 0;
	}
	if (body_items(body, len, it, 3, &b->rest, &b->restlen) != 0 ||
	    p2p_rlp_bytes_exact(&it[0], b->eph, 64) != 0 ||
	    p2p_rlp_bytes_exact(&it[1], b->nonce, 32) != 0 ||
	    p2p_rlp_uint64(&it[2], &b->version) != 0)
		return P2P_EHANDSHAKE;
	return 0;
}

int
p2p_rlpx_auth_read(struct p2p_rlpx_hs *hs, const uint8_t *buf, size_t len,
    size_t *consumed)
{
	uint8_t plain[P2P_RLPX_HANDSHAKE_MAX], sv[32];
	struct p2p_rlpx_auth_body b;
	size_t n = sizeof(plain);
	int rc;

	if ((rc = open_msg(hs, P2P_RLPX_AUTH_LEGACY_LEN, buf, len, plain, &n,
	    consumed)) != 0 ||
	    (rc = p2p_rlpx_auth_decode(&b, plain, n, hs->remote_eip8)) != 0)
		goto out;
	memcpy(hs->remote_nonce, b.nonce, 32);
	hs->remote_version = b.version;
	if ((rc = p2p_secp_pubkey_parse(&hs->remote, b.pub, 64)) != 0 ||
	    (rc = signed_value(sv, &hs->remote, &hs->key,
	    hs->remote_nonce)) != 0 ||
	    (rc = p2p_secp_recover(&hs->remote_eph, b.sig, sv)) != 0)
		goto out;
	memcpy(hs->auth, buf, *consumed);
	hs->authlen = *consumed;
out:
	p2p_wipe(plain, sizeof(plain));
	p2p_wipe(sv, sizeof(sv));
	p2p_wipe(&b, sizeof(b));
	return rc;
}

int
p2p_rlpx_ack_read(struct p2p_rlpx_hs *hs, const uint8_t *buf, size_t len,
    size_t *consumed)
{
	uint8_t plain[P2P_RLPX_HANDSHAKE_MAX];
	struct p2p_rlpx_ack_body b;
	size_t n = sizeof(plain);
	int rc;

	if ((rc = open_msg(hs, P2P_RLPX_ACK_LEGACY_LEN, buf, len, plain, &n,
	    consumed)) != 0 ||
	    (rc = p2p_rlpx_ack_decode(&b, plain, n, hs->remote_eip8)) != 0)
		goto out;
	memcpy(hs->remote_nonce, b.nonce, 32);
	hs->remote_version = b.version;
	if ((rc = p2p_secp_pubkey_parse(&hs->remote_eph, b.eph, 64)) != 0)
		goto out;
	memcpy(hs->ack, buf, *consumed);
	hs->acklen = *consumed;
out:
	p2p_wipe(plain, sizeof(plain));
	p2p_wipe(&b, sizeof(b));
	return rc;
}

/* keccak.init((mac-secret ^ nonce) || msg) */
static void
mac_init(struct p2p_keccak *k, const uint8_t mac[32],
    const uint8_t nonce[32], const uint8_t *msg, size_t len)
{
	uint8_t x[32];

	for (int i = 0; i < 32; i++)
		x[i] = mac[i] ^ nonce[i];
	p2p_keccak_init(k);
	p2p_keccak_update(k, x, 32);
	p2p_keccak_update(k, msg, len);
	p2p_wipe(x, sizeof(x));
}

int
p2p_rlpx_secrets(const struct p2p_rlpx_hs *hs, struct p2p_rlpx_secrets *s)
{
	const uint8_t *init_nonce = hs->initiator ? hs->nonce :
	    hs->remote_nonce;
	const uint8_t *resp_nonce = hs->initiator ? hs->remote_nonce :
	    hs->nonce;
	uint8_t nn[64], buf[64], eph[32];
	int rc;

	if ((rc = p2p_secp_ecdh(eph, &hs->remote_eph, &hs->eph)) != 0)
		return rc;
	memcpy(nn, resp_nonce, 32);
	memcpy(nn + 32, init_nonce, 32);
	memcpy(buf, eph, 32);
	p2p_keccak256(buf + 32, nn, 64);
	p2p_keccak256(buf + 32, buf, 64);	/* shared-secret */
	p2p_keccak256(s->aes, buf, 64);		/* keccak(eph || shared) */
	memcpy(buf + 32, s->aes, 32);
	p2p_keccak256(s->mac, buf, 64);		/* keccak(eph || aes) */
	if (hs->initiator) {
		mac_init(&s->egress_mac, s->mac, resp_nonce, hs->auth,
		    hs->authlen);
		mac_init(&s->ingress_mac, s->mac, init_nonce, hs->ack,
		    hs->acklen);
	} else {
		mac_init(&s->egress_mac, s->mac, init_nonce, hs->ack,
		    hs->acklen);
		mac_init(&s->ingress_mac, s->mac, resp_nonce, hs->auth,
		    hs->authlen);
	}
	s->remote = hs->remote;
	p2p_wipe(buf, sizeof(buf));
	p2p_wipe(eph, sizeof(eph));
	return 0;
}
