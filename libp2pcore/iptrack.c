/*
 * iptrack.c - our external endpoint as other nodes report it (iptrack.h).
 * Statements live in a fixed table keyed by sender; distinct endpoints
 * keep a count of the statements naming them, so a prediction is a scan
 * of the distinct endpoints, not a count of all pairs.
 */
#include <stdlib.h>
#include <string.h>

#include <p2p/iptrack.h>
#include <p2p/p2p.h>

struct stmt {
	struct p2p_endpoint from;
	int ep;			/* index into eps */
	uint64_t at;
};

struct contact {
	struct p2p_endpoint to;
	uint64_t at;
};

struct epcount {
	struct p2p_endpoint ep;
	unsigned count;
	uint64_t first;		/* when its count last rose from 0 */
};

struct p2p_iptrack {
	uint64_t window, contact_window;
	unsigned min;
	struct stmt st[P2P_IPTRACK_MAX];
	size_t nst;
	struct epcount eps[P2P_IPTRACK_MAX];
	size_t neps;
	struct contact ct[P2P_IPTRACK_MAX];
	size_t nct;
};

static int
ep_eq(const struct p2p_endpoint *a, const struct p2p_endpoint *b)
{
	return a->port == b->port && a->ip.len == b->ip.len &&
	    memcmp(a->ip.b, b->ip.b, a->ip.len) == 0;
}

int
p2p_iptrack_new(struct p2p_iptrack **out, uint64_t window_ms,
    uint64_t contact_window_ms, unsigned min_statements)
{
	struct p2p_iptrack *t;

	*out = NULL;
	if (min_statements == 0)
		return P2P_EINVAL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return P2P_ENOMEM;
	t->window = window_ms;
	t->contact_window = contact_window_ms;
	t->min = min_statements;
	*out = t;
	return 0;
}

void
p2p_iptrack_free(struct p2p_iptrack *t)
{
	free(t);
}

static void
stmt_remove(struct p2p_iptrack *t, size_t i)
{
	t->eps[t->st[i].ep].count--;
	t->st[i] = t->st[--t->nst];
}

/* Drops statements older than the window, and endpoints no one names
 * (indices of the survivors are rewritten). */
static void
gc(struct p2p_iptrack *t, uint64_t now)
{
	int map[P2P_IPTRACK_MAX];
	size_t i, k;

	for (i = 0; i < t->nst;) {
		if (now - t->st[i].at > t->window)
			stmt_remove(t, i);
		else
			i++;
	}
	for (i = 0, k = 0; i < t->neps; i++) {
		map[i] = (int)k;
		if (t->eps[i].count == 0)
			continue;
		t->eps[k++] = t->eps[i];
	}
	t->neps = k;
	for (i = 0; i < t->nst; i++)
		t->st[i].ep = map[t->st[i].ep];
}

static int
ep_index(struct p2p_iptrack *t, const struct p2p_endpoint *ep, uint64_t now)
{
	for (size_t i = 0; i < t->neps; i++)
		if (ep_eq(&t->eps[i].ep, ep)) {
			if (t->eps[i].count == 0)
				t->eps[i].first = now;
			return (int)i;
		}
	if (t->neps == P2P_IPTRACK_MAX) {
		gc(t, now);
		if (t->neps == P2P_IPTRACK_MAX)
			return -1;
	}
	t->eps[t->neps].ep = *ep;
	t->eps[t->neps].count = 0;
	t->eps[t->neps].first = now;
	return (int)t->neps++;
}

void
p2p_iptrack_statement(struct p2p_iptrack *t, const struct p2p_endpoint *from,
    const struct p2p_endpoint *ep, uint64_t now_ms)
{
	size_t i, oldest = 0;
	int e;

	for (i = 0; i < t->nst; i++)
		if (ep_eq(&t->st[i].from, from))
			break;
	if (i < t->nst) {
		stmt_remove(t, i);
	} else if (t->nst == P2P_IPTRACK_MAX) {
		/* Full: the oldest statement makes room. */
		for (i = 1; i < t->nst; i++)
			if (t->st[i].at < t->st[oldest].at)
				oldest = i;
		stmt_remove(t, oldest);
	}
	if ((e = ep_index(t, ep, now_ms)) < 0)
		return;
	t->eps[e].count++;
	t->st[t->nst].from = *from;
	t->st[t->nst].ep = e;
	t->st[t->nst++].at = now_ms;
}

void
p2p_iptrack_contact(struct p2p_iptrack *t, const struct p2p_endpoint *to,
    uint64_t now_ms)
{
	size_t i, oldest = 0;

	for (i = 0; i < t->nct; i++)
		if (ep_eq(&t->ct[i].to, to)) {
			t->ct[i].at = now_ms;
			return;
		}
	if (t->nct == P2P_IPTRACK_MAX) {
		for (i = 1; i < t->nct; i++)
			if (t->ct[i].at < t->ct[oldest].at)
				oldest = i;
		t->ct[oldest].to = *to;
		t->ct[oldest].at = now_ms;
		return;
	}
	t->ct[t->nct].to = *to;
	t->ct[t->nct++].at = now_ms;
}

int
p2p_iptrack_predict(struct p2p_iptrack *t, uint64_t now_ms,
    struct p2p_endpoint *out)
{
	const struct epcount *best = NULL;

	gc(t, now_ms);
	for (size_t i = 0; i < t->neps; i++) {
		const struct epcount *c = &t->eps[i];

		if (c->count < t->min)
			continue;
		if (best == NULL || c->count > best->count ||
		    (c->count == best->count && c->first < best->first))
			best = c;
	}
	if (best == NULL)
		return 0;
	*out = best->ep;
	return 1;
}

int
p2p_iptrack_full_cone(struct p2p_iptrack *t, uint64_t now_ms)
{
	gc(t, now_ms);
	for (size_t i = 0; i < t->nst; i++) {
		size_t k;

		for (k = 0; k < t->nct; k++)
			if (ep_eq(&t->ct[k].to, &t->st[i].from))
				break;
		/* Never contacted, or contacted only after it spoke (or so
		 * long ago the contact expired). */
		if (k == t->nct || now_ms - t->ct[k].at > t->contact_window ||
		    t->ct[k].at > t->st[i].at)
			return 1;
	}
	return 0;
}
