/*
 * keccak.h - Keccak-256 as Ethereum uses it: the original Keccak padding
 * (0x01), not FIPS-202 SHA3-256 (0x06).
 *
 * The running state is a plain value: copy the struct to clone it.  RLPx
 * keeps two such states per connection and reads digests between updates,
 * which is what p2p_keccak_digest is for.
 */
#ifndef P2P_KECCAK_H
#define P2P_KECCAK_H

#include <p2p/p2p.h>

#define P2P_KECCAK_LEN 32
#define P2P_KECCAK_RATE 136

struct p2p_keccak {
	uint64_t st[25];
	size_t pos;		/* bytes absorbed into the current block */
};

void p2p_keccak_init(struct p2p_keccak *k);
void p2p_keccak_update(struct p2p_keccak *k, const void *data, size_t len);

/* Writes the digest of everything absorbed so far; k stays usable and is
 * not changed (the padding is applied to a copy). */
void p2p_keccak_digest(const struct p2p_keccak *k, uint8_t out[static 32]);

/* Writes the digest and wipes k. */
void p2p_keccak_final(struct p2p_keccak *k, uint8_t out[static 32]);

/* One-shot Keccak-256. */
void p2p_keccak256(uint8_t out[static 32], const void *data, size_t len);

#endif
