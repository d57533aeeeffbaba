/*
 * internal.h - declarations shared between libp2pcore's own files and
 * never installed.  Everything here is p2pi_-prefixed.
 */
#ifndef P2P_INTERNAL_H
#define P2P_INTERNAL_H

#include <p2p/p2p.h>

#define P2PI_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The process-wide randomised libsecp256k1 context (secp.c); created on
 * first use, thread-safe, never freed. */
struct secp256k1_context_struct;
const struct secp256k1_context_struct *p2pi_secp_ctx(void);

/* Fills buf from getrandom(2), retrying on EINTR.  Returns 0 or
 * P2P_ERANDOM. */
int p2pi_random(void *buf, size_t n);

/* Tests only: make f's MACs go-ethereum's fake hash (updates ignored,
 * digest 0x01 * 32), to reproduce its golden frame. */
struct p2p_frame;
void p2pi_frame_fake_mac(struct p2p_frame *f);

#endif
