/*
 * internal.h - declarations shared between libp2pcore's own files and
 * never installed.  Everything here is p2pi_-prefixed.
 */
#ifndef P2P_INTERNAL_H
#define P2P_INTERNAL_H

#include <stdint.h>
#include <sys/socket.h>

#include <p2p/p2p.h>

#define P2PI_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The process-wide randomised libsecp256k1 context (secp.c); created on
 * first use, thread-safe, never freed. */
struct secp256k1_context_struct;
const struct secp256k1_context_struct *p2pi_secp_ctx(void);

/* splitmix64: a small PRNG for timers, random targets and table choices
 * (nothing secret), seeded by the caller so tests can replay it. */
static inline uint64_t
p2pi_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Fills buf from getrandom(2), retrying on EINTR.  Returns 0 or
 * P2P_ERANDOM. */
int p2pi_random(void *buf, size_t n);

/* Milliseconds on the monotonic clock: the server's, the dialer's and
 * the local node's times are all on it (netutil.c). */
uint64_t p2pi_mono_ms(void);

/* Tests only: make f's MACs go-ethereum's fake hash (updates ignored,
 * digest 0x01 * 32), to reproduce its golden frame. */
struct p2p_frame;
void p2pi_frame_fake_mac(struct p2p_frame *f);

/* Socket addresses to and from an IP and port (netutil.c); an
 * IPv4-mapped IPv6 address comes back as IPv4. */
struct p2p_ip;
void p2pi_to_sockaddr(struct sockaddr_storage *ss, socklen_t *sl,
    const struct p2p_ip *ip, uint16_t port);
void p2pi_from_sockaddr(const struct sockaddr_storage *ss, struct p2p_ip *ip,
    uint16_t *port);

#endif
