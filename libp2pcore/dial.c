/*
 * dial.c - the dial scheduler (dial.h): go-ethereum v1.8.24's dialstate
 * without goroutines or a clock.  The static set, the nodes being dialed,
 * the lookup results and the task list are growable arrays; the dial
 * history is a binary min-heap on expiry, as v1.8.24's dialHistory.
 *
 * Everything p2p_dialer_new_tasks may add is reserved before it changes
 * any state, so that it either fails with nothing done or cannot fail,
 * and p2p_dialer_task_done (void) never needs memory it has not got.
 */
#include <stdlib.h>
#include <string.h>

#include <p2p/dial.h>
#include <p2p/netutil.h>
#include <p2p/p2p.h>

/* Lookup results kept per dynamic dial slot: a lookup returns at most a
 * bucket (16) of nodes, and the buffer is fed by the network, so it gets
 * a hard cap.  Results beyond it are dropped. */
#define LOOKUP_BUF_PER_DIAL 16

struct static_node {
	struct p2p_node node;
	uint64_t last_resolved;	/* valid if resolved_once */
	uint64_t resolve_delay;
	int resolved_once;
	int drop_err;		/* P2P_ESELF/_ERESTRICTED: to drop */
};

struct dialing {
	struct p2p_nodeid id;
	unsigned flags;
};

struct past_dial {
	struct p2p_nodeid id;
	uint64_t exp;
};

struct p2p_dialer {
	struct p2p_nodeid self;
	unsigned max_dyn;
	uint32_t history_ms;
	int has_restrict;
	struct p2p_netlist netrestrict;
	p2p_dial_random_fn *random_nodes;
	p2p_dial_dropped_fn *dropped;
	void *arg;

	struct p2p_node *boot;		/* copy of cfg->bootnodes */
	size_t nboot, boot_next;	/* round-robin position */
	struct p2p_node *randbuf;	/* max_dyn / 2 (randomNodes) */
	size_t nrandbuf;

	int started;			/* start is set */
	uint64_t start;			/* first p2p_dialer_new_tasks */
	int lookup_running;
	int looked_up;			/* last_lookup is set */
	uint64_t last_lookup;		/* when the last lookup starts */

	struct static_node *st;		/* insertion order */
	size_t nst, capst;
	struct dialing *dl;
	size_t ndl, capdl;
	struct past_dial *hist;		/* min-heap on exp */
	size_t nhist, caphist;
	struct p2p_node *look;		/* lookup results, oldest first */
	size_t nlook, caplook, maxlook;
	struct p2p_dial_task *tasks;	/* the last new_tasks' result */
	size_t ntasks, captasks;
};

static int
id_eq(const struct p2p_nodeid *a, const struct p2p_nodeid *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

/*
 * Makes room for need (at least 1) elements of size sz in the array p of
 * *cap elements.  Returns: the array, maybe moved (*cap updated); NULL
 * without memory, p then unchanged and still the caller's.
 */
static void *
grow(void *p, size_t *cap, size_t need, size_t sz)
{
	size_t n = *cap ? *cap : 8;

	if (need == 0)
		need = 1;
	if (need <= *cap)
		return p;
	while (n < need)
		n = n > SIZE_MAX / 2 ? need : n * 2;
	if (n > SIZE_MAX / sz || (p = realloc(p, n * sz)) == NULL)
		return NULL;
	*cap = n;
	return p;
}

/* The dial history: a binary min-heap on exp (container/heap's layout). */

static int
hist_less(const struct p2p_dialer *d, size_t i, size_t j)
{
	return d->hist[i].exp < d->hist[j].exp;
}

static void
hist_swap(struct p2p_dialer *d, size_t i, size_t j)
{
	struct past_dial t = d->hist[i];

	d->hist[i] = d->hist[j];
	d->hist[j] = t;
}

static void
hist_up(struct p2p_dialer *d, size_t i)
{
	while (i > 0 && hist_less(d, i, (i - 1) / 2)) {
		hist_swap(d, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
hist_down(struct p2p_dialer *d, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < d->nhist && hist_less(d, l, m))
			m = l;
		if (l + 1 < d->nhist && hist_less(d, l + 1, m))
			m = l + 1;
		if (m == i)
			return;
		hist_swap(d, i, m);
		i = m;
	}
}

static void
hist_remove_at(struct p2p_dialer *d, size_t i)
{
	d->hist[i] = d->hist[--d->nhist];
	if (i < d->nhist) {
		hist_down(d, i);
		hist_up(d, i);
	}
}

static int
hist_find(const struct p2p_dialer *d, const struct p2p_nodeid *id)
{
	for (size_t i = 0; i < d->nhist; i++)
		if (id_eq(&d->hist[i].id, id))
			return (int)i;
	return -1;
}

/* Adds id; with no room and no memory the entry is lost, which only lets
 * the node be dialed again sooner. */
static void
hist_add(struct p2p_dialer *d, const struct p2p_nodeid *id, uint64_t exp)
{
	struct past_dial *h;

	if ((h = grow(d->hist, &d->caphist, d->nhist + 1, sizeof(*h))) == NULL)
		return;
	d->hist = h;
	d->hist[d->nhist].id = *id;
	d->hist[d->nhist].exp = exp;
	hist_up(d, d->nhist++);
}

/*
 * Drops the entries expired at now.  v1.8.24 keeps an entry while
 * exp >= now (exp.Before(now)); with a millisecond clock a wait of exactly
 * exp - now lands on now == exp and would then wait 0 ms, so an entry
 * here is gone at its expiry time.
 */
static void
hist_expire(struct p2p_dialer *d, uint64_t now)
{
	while (d->nhist > 0 && d->hist[0].exp <= now)
		hist_remove_at(d, 0);
}

static int
dialing_find(const struct p2p_dialer *d, const struct p2p_nodeid *id)
{
	for (size_t i = 0; i < d->ndl; i++)
		if (id_eq(&d->dl[i].id, id))
			return (int)i;
	return -1;
}

static int
static_find(const struct p2p_dialer *d, const struct p2p_nodeid *id)
{
	for (size_t i = 0; i < d->nst; i++)
		if (id_eq(&d->st[i].node.id, id))
			return (int)i;
	return -1;
}

static void
static_remove_at(struct p2p_dialer *d, size_t i)
{
	memmove(&d->st[i], &d->st[i + 1], (d->nst - i - 1) * sizeof(*d->st));
	d->nst--;
}

int
p2p_dialer_new(struct p2p_dialer **dp, const struct p2p_dialer_cfg *cfg)
{
	struct p2p_dialer *d;

	*dp = NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return P2P_ENOMEM;
	d->self = cfg->self;
	d->max_dyn = cfg->max_dyn_dials;
	d->history_ms = cfg->history_ms != 0 ? cfg->history_ms :
	    P2P_DIAL_HISTORY_MS;
	if (cfg->netrestrict != NULL) {
		d->has_restrict = 1;
		d->netrestrict = *cfg->netrestrict;
	}
	d->random_nodes = cfg->random_nodes;
	d->dropped = cfg->dropped;
	d->arg = cfg->arg;
	d->maxlook = (size_t)LOOKUP_BUF_PER_DIAL * d->max_dyn;
	d->nboot = cfg->nbootnodes;
	d->nrandbuf = d->max_dyn / 2;
	if ((d->nboot > 0 && (d->boot = calloc(d->nboot,
	    sizeof(*d->boot))) == NULL) || (d->nrandbuf > 0 &&
	    (d->randbuf = calloc(d->nrandbuf, sizeof(*d->randbuf))) == NULL)) {
		p2p_dialer_free(d);
		return P2P_ENOMEM;
	}
	if (d->nboot > 0)
		memcpy(d->boot, cfg->bootnodes, d->nboot * sizeof(*d->boot));
	*dp = d;
	return 0;
}

void
p2p_dialer_free(struct p2p_dialer *d)
{
	if (d == NULL)
		return;
	free(d->boot);
	free(d->randbuf);
	free(d->st);
	free(d->dl);
	free(d->hist);
	free(d->look);
	free(d->tasks);
	free(d);
}

/* An existing entry gets the new node and keeps its back-off (dial.h;
 * v1.8.24 replaces the whole task, resetting the back-off). */
int
p2p_dialer_add_static(struct p2p_dialer *d, const struct p2p_node *n)
{
	struct static_node *s;
	int i = static_find(d, &n->id);

	if (i >= 0) {
		d->st[i].node = *n;
		return 0;
	}
	if ((s = grow(d->st, &d->capst, d->nst + 1, sizeof(*s))) == NULL)
		return P2P_ENOMEM;
	d->st = s;
	s = &d->st[d->nst++];
	memset(s, 0, sizeof(*s));
	s->node = *n;
	s->resolve_delay = P2P_DIAL_RESOLVE_MIN_MS;
	return 0;
}

/* As v1.8.24's removeStatic, the history entry goes even when id is not
 * static (the caller still hears P2P_ENOTFOUND). */
int
p2p_dialer_remove_static(struct p2p_dialer *d, const struct p2p_nodeid *id)
{
	int i = hist_find(d, id), s = static_find(d, id);

	if (i >= 0)
		hist_remove_at(d, (size_t)i);
	if (s < 0)
		return P2P_ENOTFOUND;
	static_remove_at(d, (size_t)s);
	return 0;
}

int
p2p_dialer_is_static(const struct p2p_dialer *d, const struct p2p_nodeid *id)
{
	return static_find(d, id) >= 0;
}

int
p2p_dialer_check(const struct p2p_dialer *d, const struct p2p_node *n,
    const struct p2p_dial_peer *peers, size_t npeers)
{
	if (dialing_find(d, &n->id) >= 0)
		return P2P_EDIALING;
	for (size_t i = 0; i < npeers; i++)
		if (id_eq(&peers[i].id, &n->id))
			return P2P_ECONNECTED;
	if (id_eq(&n->id, &d->self))
		return P2P_ESELF;
	if (d->has_restrict && !p2p_netlist_contains(&d->netrestrict, &n->ip))
		return P2P_ERESTRICTED;
	if (hist_find(d, &n->id) >= 0)
		return P2P_ERECENT;
	return 0;
}

/*
 * Reserves what one p2p_dialer_new_tasks can add: a task per static node,
 * max_dyn dynamic dials (need never exceeds it), one lookup (a wait only
 * comes alone); as many dialing entries; and a history slot for every
 * dial under way, so task_done has room.
 */
static int
reserve(struct p2p_dialer *d)
{
	size_t more = d->nst + d->max_dyn;
	struct p2p_dial_task *t;
	struct dialing *dl;
	struct past_dial *h;

	if ((t = grow(d->tasks, &d->captasks, more + 1, sizeof(*t))) == NULL)
		return P2P_ENOMEM;
	d->tasks = t;
	if ((dl = grow(d->dl, &d->capdl, d->ndl + more, sizeof(*dl))) == NULL)
		return P2P_ENOMEM;
	d->dl = dl;
	if ((h = grow(d->hist, &d->caphist, d->nhist + d->ndl + more,
	    sizeof(*h))) == NULL)
		return P2P_ENOMEM;
	d->hist = h;
	return 0;
}

/* Appends a task; reserve() made room. */
static struct p2p_dial_task *
task_add(struct p2p_dialer *d, enum p2p_dial_kind kind)
{
	struct p2p_dial_task *t = &d->tasks[d->ntasks++];

	memset(t, 0, sizeof(*t));
	t->kind = kind;
	return t;
}

static void
dial_add(struct p2p_dialer *d, const struct p2p_node *n, unsigned flags)
{
	struct p2p_dial_task *t = task_add(d, P2P_DIAL_TASK_DIAL);

	t->flags = flags;
	t->dest = *n;
	d->dl[d->ndl].id = n->id;
	d->dl[d->ndl++].flags = flags;
}

/* newTasks' addDial for a dynamic candidate.  Returns: 1 if dialed. */
static int
dyn_dial(struct p2p_dialer *d, const struct p2p_node *n,
    const struct p2p_dial_peer *peers, size_t npeers)
{
	if (p2p_dialer_check(d, n, peers, npeers) != 0)
		return 0;
	dial_add(d, n, P2P_FLAG_DYN_DIALED);
	return 1;
}

/* max_dyn minus the dynamically dialed peers and dials under way; may be
 * negative. */
static long long
need_dyn(const struct p2p_dialer *d, const struct p2p_dial_peer *peers,
    size_t npeers)
{
	long long need = d->max_dyn;

	for (size_t i = 0; i < npeers; i++)
		if (peers[i].flags & P2P_FLAG_DYN_DIALED)
			need--;
	for (size_t i = 0; i < d->ndl; i++)
		if (d->dl[i].flags & P2P_FLAG_DYN_DIALED)
			need--;
	return need;
}

/* Dials the static nodes that pass checkDial and marks for dropping the
 * ones that are ourselves or outside NetRestrict. */
static void
static_dials(struct p2p_dialer *d, const struct p2p_dial_peer *peers,
    size_t npeers)
{
	for (size_t i = 0; i < d->nst; i++) {
		struct static_node *s = &d->st[i];
		int err = p2p_dialer_check(d, &s->node, peers, npeers);

		s->drop_err = 0;
		if (err == P2P_ESELF || err == P2P_ERESTRICTED)
			s->drop_err = err;
		else if (err == 0)
			dial_add(d, &s->node, P2P_FLAG_STATIC_DIALED);
	}
}

/* Drops the static nodes static_dials marked, telling the caller last so
 * that dropped() sees a consistent dialer. */
static void
static_drop(struct p2p_dialer *d)
{
	size_t i = 0;

	while (i < d->nst) {
		struct p2p_node n = d->st[i].node;
		int err = d->st[i].drop_err;

		if (err == 0) {
			i++;
			continue;
		}
		static_remove_at(d, i);
		if (d->dropped != NULL)
			d->dropped(d->arg, &n, err);
	}
}

/* Dynamic dials: a bootnode as fallback, random table nodes for half of
 * what is needed, then lookup results.  Returns: what is still needed. */
static long long
dyn_dials(struct p2p_dialer *d, const struct p2p_dial_peer *peers,
    size_t npeers, uint64_t now, long long need)
{
	long long rc;
	size_t i, n;

	if (npeers == 0 && d->nboot > 0 && need > 0 && now > d->start &&
	    now - d->start > P2P_DIAL_FALLBACK_MS) {
		const struct p2p_node *b = &d->boot[d->boot_next];

		d->boot_next = (d->boot_next + 1) % d->nboot;
		need -= dyn_dial(d, b, peers, npeers);
	}
	rc = need / 2;		/* randomCandidates */
	if (rc > 0 && d->random_nodes != NULL && d->nrandbuf > 0) {
		n = d->random_nodes(d->arg, d->randbuf, d->nrandbuf);
		if (n > d->nrandbuf)
			n = d->nrandbuf;
		for (i = 0; i < n && (long long)i < rc; i++)
			need -= dyn_dial(d, &d->randbuf[i], peers, npeers);
	}
	for (i = 0; i < d->nlook && need > 0; i++)
		need -= dyn_dial(d, &d->look[i], peers, npeers);
	if (i > 0) {
		memmove(d->look, d->look + i,
		    (d->nlook - i) * sizeof(*d->look));
		d->nlook -= i;
	}
	return need;
}

const struct p2p_dial_task *
p2p_dialer_new_tasks(struct p2p_dialer *d, size_t nrunning,
    const struct p2p_dial_peer *peers, size_t npeers, uint64_t now_ms,
    size_t *n)
{
	struct p2p_dial_task *t;
	long long need;

	*n = 0;
	d->ntasks = 0;
	if (reserve(d) != 0)
		return NULL;
	if (!d->started) {
		d->started = 1;
		d->start = now_ms;
	}
	need = need_dyn(d, peers, npeers);
	hist_expire(d, now_ms);
	static_dials(d, peers, npeers);
	need = dyn_dials(d, peers, npeers, now_ms, need);
	if ((long long)d->nlook < need && !d->lookup_running) {
		t = task_add(d, P2P_DIAL_TASK_LOOKUP);
		if (d->looked_up &&
		    d->last_lookup + P2P_DIAL_LOOKUP_MS > now_ms)
			t->delay_ms = d->last_lookup + P2P_DIAL_LOOKUP_MS -
			    now_ms;
		d->lookup_running = 1;
		d->looked_up = 1;
		d->last_lookup = now_ms + t->delay_ms;
	}
	if (nrunning == 0 && d->ntasks == 0 && d->nhist > 0) {
		t = task_add(d, P2P_DIAL_TASK_WAIT);
		t->delay_ms = d->hist[0].exp - now_ms;
	}
	static_drop(d);
	*n = d->ntasks;
	return d->tasks;
}

/* Appends lookup results up to the buffer's cap. */
static void
lookup_add(struct p2p_dialer *d, const struct p2p_node *res, size_t n)
{
	struct p2p_node *l;

	if (d->nlook >= d->maxlook)
		return;
	if (n > d->maxlook - d->nlook)
		n = d->maxlook - d->nlook;
	if (n == 0 || (l = grow(d->look, &d->caplook, d->nlook + n,
	    sizeof(*l))) == NULL)
		return;
	d->look = l;
	memcpy(d->look + d->nlook, res, n * sizeof(*res));
	d->nlook += n;
}

void
p2p_dialer_task_done(struct p2p_dialer *d, const struct p2p_dial_task *t,
    uint64_t now_ms, const struct p2p_node *results, size_t n)
{
	int i;

	switch (t->kind) {
	case P2P_DIAL_TASK_DIAL:
		hist_add(d, &t->dest.id, now_ms + d->history_ms);
		if ((i = dialing_find(d, &t->dest.id)) >= 0)
			d->dl[i] = d->dl[--d->ndl];
		break;
	case P2P_DIAL_TASK_LOOKUP:
		d->lookup_running = 0;
		lookup_add(d, results, n);
		break;
	case P2P_DIAL_TASK_WAIT:
		break;
	}
}

/* As dialTask.resolve: never resolved, or resolve_delay since the last
 * attempt.  A clock gone backwards is not due. */
int
p2p_dialer_set_max_dyn(struct p2p_dialer *d, unsigned max_dyn)
{
	size_t nrand = max_dyn / 2;

	if (nrand > 0) {
		struct p2p_node *nb = realloc(d->randbuf,
		    nrand * sizeof(*nb));

		if (nb == NULL)
			return P2P_ENOMEM;
		d->randbuf = nb;
	}
	d->nrandbuf = nrand;
	d->max_dyn = max_dyn;
	/* Lookup results beyond the new bound go as they are used. */
	d->maxlook = (size_t)LOOKUP_BUF_PER_DIAL * max_dyn;
	return 0;
}

int
p2p_dialer_mark_dialing(struct p2p_dialer *d, const struct p2p_node *n,
    unsigned flags)
{
	struct dialing *dl;
	struct past_dial *h;

	if (dialing_find(d, &n->id) >= 0)
		return P2P_EDIALING;
	/* Room for the entry, and for its history slot at task_done. */
	if ((dl = grow(d->dl, &d->capdl, d->ndl + 1, sizeof(*dl))) == NULL)
		return P2P_ENOMEM;
	d->dl = dl;
	if ((h = grow(d->hist, &d->caphist, d->nhist + d->ndl + 1,
	    sizeof(*h))) == NULL)
		return P2P_ENOMEM;
	d->hist = h;
	d->dl[d->ndl].id = n->id;
	d->dl[d->ndl++].flags = flags;
	return 0;
}

int
p2p_dialer_resolve_due(const struct p2p_dialer *d,
    const struct p2p_nodeid *id, uint64_t now_ms)
{
	const struct static_node *s;
	int i = static_find(d, id);

	if (i < 0)
		return 0;
	s = &d->st[i];
	if (!s->resolved_once)
		return 1;
	return now_ms >= s->last_resolved &&
	    now_ms - s->last_resolved >= s->resolve_delay;
}

void
p2p_dialer_resolved(struct p2p_dialer *d, const struct p2p_nodeid *id,
    const struct p2p_node *found, uint64_t now_ms)
{
	struct static_node *s;
	int i = static_find(d, id);

	if (i < 0)
		return;
	s = &d->st[i];
	s->resolved_once = 1;
	s->last_resolved = now_ms;
	if (found == NULL) {
		s->resolve_delay *= 2;
		if (s->resolve_delay > P2P_DIAL_RESOLVE_MAX_MS)
			s->resolve_delay = P2P_DIAL_RESOLVE_MAX_MS;
		return;
	}
	s->resolve_delay = P2P_DIAL_RESOLVE_MIN_MS;
	s->node.ip = found->ip;
	s->node.tcp = found->tcp;
	s->node.udp = found->udp;
}

void
p2p_dialer_foreach_static(const struct p2p_dialer *d,
    void (*fn)(void *arg, const struct p2p_dialer_static_info *s),
    void *arg)
{
	for (size_t i = 0; i < d->nst; i++) {
		struct p2p_dialer_static_info info;
		const struct static_node *s = &d->st[i];

		memset(&info, 0, sizeof(info));
		info.node = s->node;
		info.dialing = dialing_find(d, &s->node.id) >= 0;
		info.last_resolved_ms = s->resolved_once ? s->last_resolved : 0;
		info.resolve_delay_ms = s->resolve_delay;
		fn(arg, &info);
	}
}

/*
 * Soonest expiry first without sorting a copy (this cannot fail): each
 * step takes the least (exp, index) above the previous one.  Quadratic,
 * and the history holds the dials of the last 30 s, a few hundred at most.
 */
void
p2p_dialer_foreach_history(const struct p2p_dialer *d,
    void (*fn)(void *arg, const struct p2p_dialer_hist_info *h), void *arg)
{
	size_t prev = 0, best;
	int first = 1;

	for (size_t k = 0; k < d->nhist; k++) {
		struct p2p_dialer_hist_info info;

		best = d->nhist;
		for (size_t i = 0; i < d->nhist; i++) {
			const struct past_dial *h = &d->hist[i];

			if (!first && (h->exp < d->hist[prev].exp ||
			    (h->exp == d->hist[prev].exp && i <= prev)))
				continue;
			if (best == d->nhist || h->exp < d->hist[best].exp ||
			    (h->exp == d->hist[best].exp && i < best))
				best = i;
		}
		memset(&info, 0, sizeof(info));
		info.id = d->hist[best].id;
		info.expires_ms = d->hist[best].exp;
		fn(arg, &info);
		prev = best;
		first = 0;
	}
}
