/*
 * iptrack.h - predicting our external endpoint from what other nodes say
 * it is (go-ethereum v1.8.24 p2p/netutil/iptrack.go): every pong tells us
 * the address and port its sender saw our ping come from.  Behind a NAT
 * that is the only way to learn the UDP endpoint others can reach without
 * a mapping; the endpoint most nodes agree on, with at least
 * min_statements of them within the window, is the prediction.
 *
 * Bounded: at most P2P_IPTRACK_MAX senders are remembered (the oldest
 * statement makes room), so a flood of pongs from many addresses costs a
 * fixed amount of memory and O(P2P_IPTRACK_MAX) work per statement.
 */
#ifndef P2P_IPTRACK_H
#define P2P_IPTRACK_H

#include <stdint.h>

#include <p2p/netutil.h>

/* v1.8.24's localnode values. */
#define P2P_IPTRACK_WINDOW_MS		(5 * 60 * 1000)
#define P2P_IPTRACK_CONTACT_WINDOW_MS	(10 * 60 * 1000)
#define P2P_IPTRACK_MIN_STATEMENTS	10
#define P2P_IPTRACK_MAX			512

struct p2p_endpoint {
	struct p2p_ip ip;
	uint16_t port;
};

struct p2p_iptrack;

/*
 * Returns: 0; P2P_EINVAL (min_statements 0); P2P_ENOMEM.
 * Out:     *t, owned by the caller (p2p_iptrack_free).
 */
int p2p_iptrack_new(struct p2p_iptrack **t, uint64_t window_ms,
    uint64_t contact_window_ms, unsigned min_statements);
void p2p_iptrack_free(struct p2p_iptrack *t);

/* from says our endpoint is ep (a pong's "to"); it replaces from's last
 * statement.  now_ms: a monotonic clock, the same for every call. */
void p2p_iptrack_statement(struct p2p_iptrack *t,
    const struct p2p_endpoint *from, const struct p2p_endpoint *ep,
    uint64_t now_ms);
/* We sent our endpoint to to (a ping): for the full-cone check.  Nothing
 * feeds it yet: v1.8.24 uses full-cone prediction for nothing either,
 * and it would cost a scan per ping sent on discovery's hot path. */
void p2p_iptrack_contact(struct p2p_iptrack *t, const struct p2p_endpoint *to,
    uint64_t now_ms);

/*
 * The endpoint with the most statements within the window, if it has at
 * least min_statements (ties: the one that got there first).
 * Returns: 1 with *out set; 0 when there is no prediction.
 */
int p2p_iptrack_predict(struct p2p_iptrack *t, uint64_t now_ms,
    struct p2p_endpoint *out);
/* 1 if a node we had not contacted (within the contact window) made a
 * statement: our NAT lets unsolicited packets in (full cone). */
int p2p_iptrack_full_cone(struct p2p_iptrack *t, uint64_t now_ms);

#endif
