/*
 * table.c - the discovery v4 routing table (table.h): 17 fixed-size
 * buckets of entries and replacements, and geth's per-/24 IP limits kept
 * as counters, so every operation is a few short linear scans and nothing
 * is allocated after p2p_table_new.
 */
#include <stdlib.h>
#include <string.h>

#include <p2p/netutil.h>
#include <p2p/table.h>

#include "internal.h"

#define NB P2P_TABLE_NBUCKETS
#define BS P2P_TABLE_BUCKET_SIZE
#define NR P2P_TABLE_MAX_REPLACEMENTS

/* Table-wide /24 counters: open addressing, linear probing.  A power of
 * two over twice the most keys there can be (17 * 26), so probes stay
 * short and a free slot always exists. */
#define IP_SLOTS 1024
#define IP_SLOT_BITS 10

/* A /24 and how many nodes of the table (or bucket) are in it; count 0
 * marks a free slot. */
struct ipcount {
	uint32_t key;
	uint32_t count;
};

struct bucket {
	struct p2p_table_entry entries[BS];	/* front: last seen alive */
	struct p2p_node repl[NR];		/* front: newest */
	/* nips used, unordered; one spare because repl_add counts a new
	 * replacement before the oldest makes room. */
	struct ipcount ips[BS + NR + 1];
	unsigned n, nrepl, nips;
};

struct p2p_table {
	struct p2p_table_cfg cfg;
	uint64_t rng;		/* splitmix64 state */
	uint64_t now;		/* latest clock the caller gave us */
	size_t len;		/* entries in all buckets */
	struct bucket b[NB];
	struct ipcount ips[IP_SLOTS];
};

static uint64_t
rnd(struct p2p_table *t)
{
	return p2pi_splitmix64(&t->rng);
}

/* Returns: a uniform-enough value in [0, n); n is at most a few hundred,
 * so the modulo bias (n / 2^64) does not matter. */
static unsigned
rnd_below(struct p2p_table *t, unsigned n)
{
	return (unsigned)(rnd(t) % n);
}

static int
id_eq(const struct p2p_nodeid *a, const struct p2p_nodeid *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

static int
has_ip(const struct p2p_node *n)
{
	return n->ip.len == 4 || n->ip.len == 16;
}

static void
emit(struct p2p_table *t, enum p2p_table_ev ev,
    const struct p2p_table_entry *e)
{
	if (t->cfg.on_event != NULL)
		t->cfg.on_event(t->cfg.arg, ev, e);
}

/*
 * The /24 that ip's limits count, as go-ethereum's DistinctNetSet keys it
 * (family + the first 3 bytes; IPv4-mapped IPv6 is IPv4).
 * Returns: 1 and *key; 0 if ip is exempt (netutil.IsLAN) or absent.
 */
static int
ip_key(const struct p2p_ip *ip, uint32_t *key)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	struct p2p_ip v = *ip;

	if (v.len == 16 && memcmp(v.b, mapped, 12) == 0) {
		memmove(v.b, v.b + 12, 4);
		v.len = 4;
	}
	if ((v.len != 4 && v.len != 16) || p2p_ip_is_lan(&v))
		return 0;
	*key = (v.len == 16 ? 1u << 24 : 0) | (uint32_t)v.b[0] << 16 |
	    (uint32_t)v.b[1] << 8 | v.b[2];
	return 1;
}

static unsigned
ip_hash(uint32_t key)
{
	return (key * 0x9e3779b1u) >> (32 - IP_SLOT_BITS);
}

/* Returns: the table-wide slot of key, or the free slot where it goes. */
static unsigned
tab_slot(const struct p2p_table *t, uint32_t key)
{
	unsigned i = ip_hash(key);

	while (t->ips[i].count != 0 && t->ips[i].key != key)
		i = (i + 1) & (IP_SLOTS - 1);
	return i;
}

/* Frees slot i keeping every other key reachable from its home slot
 * (backward-shift deletion, so no tombstones pile up). */
static void
tab_slot_free(struct p2p_table *t, unsigned i)
{
	unsigned j = i, k;

	for (;;) {
		j = (j + 1) & (IP_SLOTS - 1);
		if (t->ips[j].count == 0)
			break;
		k = ip_hash(t->ips[j].key);
		/* j stays if its home k lies cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->ips[i] = t->ips[j];
		i = j;
	}
	t->ips[i].count = 0;
}

static struct ipcount *
bucket_slot(struct bucket *b, uint32_t key)
{
	for (unsigned i = 0; i < b->nips; i++)
		if (b->ips[i].key == key)
			return &b->ips[i];
	return NULL;
}

/* Counts ip in both limits if they allow it.  Returns: 1 taken (or
 * exempt), 0 over a limit. */
static int
ip_take(struct p2p_table *t, struct bucket *b, const struct p2p_ip *ip)
{
	struct ipcount *bc;
	uint32_t key;
	unsigned ti;

	if (!ip_key(ip, &key))
		return 1;
	ti = tab_slot(t, key);
	bc = bucket_slot(b, key);
	if (t->ips[ti].count >= P2P_TABLE_IP_LIMIT ||
	    (bc != NULL && bc->count >= P2P_TABLE_BUCKET_IP_LIMIT))
		return 0;
	t->ips[ti].key = key;
	t->ips[ti].count++;
	if (bc == NULL) {
		bc = &b->ips[b->nips++];
		*bc = (struct ipcount){ key, 0 };
	}
	bc->count++;
	return 1;
}

static void
ip_release(struct p2p_table *t, struct bucket *b, const struct p2p_ip *ip)
{
	struct ipcount *bc;
	uint32_t key;
	unsigned ti;

	if (!ip_key(ip, &key))
		return;
	ti = tab_slot(t, key);
	if (--t->ips[ti].count == 0)
		tab_slot_free(t, ti);
	bc = bucket_slot(b, key);
	if (--bc->count == 0)
		*bc = b->ips[--b->nips];
}

/* Puts back a count just released, which always fits. */
static void
ip_restore(struct p2p_table *t, struct bucket *b, const struct p2p_ip *ip)
{
	(void)ip_take(t, b, ip);
}

static int
entry_find(const struct bucket *b, const struct p2p_nodeid *id)
{
	for (unsigned i = 0; i < b->n; i++)
		if (id_eq(&b->entries[i].node.id, id))
			return (int)i;
	return -1;
}

static int
repl_find(const struct bucket *b, const struct p2p_nodeid *id)
{
	for (unsigned i = 0; i < b->nrepl; i++)
		if (id_eq(&b->repl[i].id, id))
			return (int)i;
	return -1;
}

static void
repl_remove(struct bucket *b, unsigned i)
{
	memmove(&b->repl[i], &b->repl[i + 1],
	    (b->nrepl - i - 1) * sizeof(b->repl[0]));
	b->nrepl--;
}

/* geth addReplacement.  As there, the limits are checked before the
 * oldest replacement makes room.  Returns: 1 added, 0 not. */
static int
repl_add(struct p2p_table *t, struct bucket *b, const struct p2p_node *n)
{
	if (repl_find(b, &n->id) >= 0 || !ip_take(t, b, &n->ip))
		return 0;
	if (b->nrepl == NR)
		ip_release(t, b, &b->repl[--b->nrepl].ip);
	memmove(&b->repl[1], &b->repl[0], b->nrepl * sizeof(b->repl[0]));
	b->repl[0] = *n;
	b->nrepl++;
	return 1;
}

/* Gives e the endpoint of n, unless n's IP does not fit the limits (geth
 * bumpInBucket's check): then e keeps its own. */
static void
set_endpoint(struct p2p_table *t, struct bucket *b,
    struct p2p_table_entry *e, const struct p2p_node *n)
{
	if (!has_ip(n))
		return;
	ip_release(t, b, &e->node.ip);
	if (!ip_take(t, b, &n->ip)) {
		ip_restore(t, b, &e->node.ip);
		return;
	}
	e->node = *n;
}

/* Moves entry i to the front, with n's endpoint if n is not NULL. */
static struct p2p_table_entry *
bump(struct p2p_table *t, struct bucket *b, unsigned i,
    const struct p2p_node *n)
{
	struct p2p_table_entry e = b->entries[i];

	if (n != NULL)
		set_endpoint(t, b, &e, n);
	memmove(&b->entries[1], &b->entries[0], i * sizeof(e));
	b->entries[0] = e;
	return &b->entries[0];
}

/* Removes entry i of bucket b, its limits and fires REMOVED. */
static void
entry_remove(struct p2p_table *t, struct bucket *b, unsigned i)
{
	struct p2p_table_entry e = b->entries[i];

	ip_release(t, b, &e.node.ip);
	memmove(&b->entries[i], &b->entries[i + 1],
	    (b->n - i - 1) * sizeof(e));
	b->n--;
	t->len--;
	emit(t, P2P_TABLE_EV_REMOVED, &e);
}

/* Puts e at the front or the end of b (which has room) and fires ADDED. */
static void
entry_insert(struct p2p_table *t, struct bucket *b,
    const struct p2p_table_entry *e, int front)
{
	unsigned i = front ? 0 : b->n;

	memmove(&b->entries[i + 1], &b->entries[i],
	    (b->n - i) * sizeof(*e));
	b->entries[i] = *e;
	b->n++;
	t->len++;
	emit(t, P2P_TABLE_EV_ADDED, &b->entries[i]);
}

static int
bucket_of(const struct p2p_table *t, const struct p2p_nodeid *id)
{
	int d = p2p_enode_logdist(&t->cfg.self, id);

	if (d <= P2P_TABLE_MIN_DISTANCE)
		return 0;
	return d - P2P_TABLE_MIN_DISTANCE - 1;
}

/*
 * A node new to the bucket, which has room.  If it is one of the bucket's
 * replacements its count moves with it, so it is released first and put
 * back if the (possibly new) IP does not fit.
 */
static int
add_new(struct p2p_table *t, struct bucket *b, const struct p2p_node *n,
    uint64_t now, int front)
{
	struct p2p_table_entry e = { .node = *n, .added_at = now };
	int r = repl_find(b, &n->id);

	if (r >= 0)
		ip_release(t, b, &b->repl[r].ip);
	if (!ip_take(t, b, &n->ip)) {
		if (r >= 0)
			ip_restore(t, b, &b->repl[r].ip);
		return 0;
	}
	if (r >= 0)
		repl_remove(b, (unsigned)r);
	entry_insert(t, b, &e, front);
	return 1;
}

static int
add(struct p2p_table *t, const struct p2p_node *n, uint64_t now,
    int verified)
{
	struct bucket *b;
	int i;

	if (!has_ip(n) || id_eq(&n->id, &t->cfg.self))
		return 0;
	if (now > t->now)
		t->now = now;
	b = &t->b[bucket_of(t, &n->id)];
	if ((i = entry_find(b, &n->id)) >= 0) {
		if (!verified)
			return 0;
		bump(t, b, (unsigned)i, n);
		return 1;
	}
	if (b->n >= BS)
		return repl_add(t, b, n) ? 2 : 0;
	return add_new(t, b, n, now, verified);
}

int
p2p_table_new(struct p2p_table **t, const struct p2p_table_cfg *cfg)
{
	if ((*t = calloc(1, sizeof(**t))) == NULL)
		return P2P_ENOMEM;
	(*t)->cfg = *cfg;
	(*t)->rng = cfg->seed;
	return 0;
}

void
p2p_table_free(struct p2p_table *t)
{
	free(t);
}

int
p2p_table_add_seen(struct p2p_table *t, const struct p2p_node *n,
    uint64_t now)
{
	return add(t, n, now, 0);
}

int
p2p_table_add_verified(struct p2p_table *t, const struct p2p_node *n,
    uint64_t now)
{
	return add(t, n, now, 1);
}

int
p2p_table_delete(struct p2p_table *t, const struct p2p_nodeid *id)
{
	struct bucket *b = &t->b[bucket_of(t, id)];
	int i = entry_find(b, id);

	if (i < 0)
		return 0;
	entry_remove(t, b, (unsigned)i);
	return 1;
}

const struct p2p_table_entry *
p2p_table_get(const struct p2p_table *t, const struct p2p_nodeid *id)
{
	const struct bucket *b = &t->b[bucket_of(t, id)];
	int i = entry_find(b, id);

	return i < 0 ? NULL : &b->entries[i];
}

int
p2p_table_set_enr_seq(struct p2p_table *t, const struct p2p_nodeid *id,
    uint64_t seq)
{
	struct bucket *b = &t->b[bucket_of(t, id)];
	int i = entry_find(b, id);

	if (i < 0)
		return P2P_ENOTFOUND;
	b->entries[i].enr_seq = seq;
	return 0;
}

/* The first 8 bytes of id as a big-endian integer: XORed with the
 * target's, they order XOR distances except for ties, which
 * p2p_enode_distcmp settles. */
static uint64_t
head64(const struct p2p_nodeid *id)
{
	uint64_t x;

	memcpy(&x, id->b, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	return x;
}

struct cand {
	uint64_t d;
	const struct p2p_node *n;
};

static int
closer(const struct p2p_nodeid *target, const struct cand *a,
    const struct cand *b)
{
	if (a->d != b->d)
		return a->d < b->d;
	return p2p_enode_distcmp(target, &a->n->id, &b->n->id) < 0;
}

size_t
p2p_table_closest(const struct p2p_table *t,
    const struct p2p_nodeid *target, struct p2p_node *out, size_t max)
{
	/* Sorted, closest first: an insertion sort that only keeps the
	 * best `cap`, so the usual max = 16 costs one compare per node. */
	struct cand best[NB * BS], c;
	size_t cap = max < t->len ? max : t->len, k = 0, j;
	uint64_t th = head64(target);

	if (cap == 0)
		return 0;
	for (int bi = 0; bi < NB; bi++) {
		for (unsigned i = 0; i < t->b[bi].n; i++) {
			c.n = &t->b[bi].entries[i].node;
			c.d = head64(&c.n->id) ^ th;
			if (k == cap && !closer(target, &c, &best[cap - 1]))
				continue;
			j = k < cap ? k++ : cap - 1;
			for (; j > 0 && closer(target, &c, &best[j - 1]); j--)
				best[j] = best[j - 1];
			best[j] = c;
		}
	}
	for (j = 0; j < k; j++)
		out[j] = *best[j].n;
	return k;
}

size_t
p2p_table_len(const struct p2p_table *t)
{
	return t->len;
}

int
p2p_table_pick_revalidate(struct p2p_table *t, struct p2p_node *out,
    int *bucket)
{
	int full[NB], nfull = 0;
	const struct bucket *b;

	for (int i = 0; i < NB; i++)
		if (t->b[i].n > 0)
			full[nfull++] = i;
	if (nfull == 0)
		return 0;
	*bucket = full[rnd_below(t, (unsigned)nfull)];
	b = &t->b[*bucket];
	*out = b->entries[b->n - 1].node;
	return 1;
}

int
p2p_table_revalidated(struct p2p_table *t, const struct p2p_node *n,
    uint64_t enr_seq, int bucket)
{
	struct p2p_table_entry *e;
	struct bucket *b;
	int i;

	if (bucket < 0 || bucket >= NB)
		return 0;
	b = &t->b[bucket];
	if ((i = entry_find(b, &n->id)) < 0)
		return 0;
	e = bump(t, b, (unsigned)i, n);
	e->liveness++;
	if (enr_seq > e->enr_seq)
		e->enr_seq = enr_seq;
	emit(t, P2P_TABLE_EV_REVALIDATED, e);
	return 1;
}

int
p2p_table_replace_dead(struct p2p_table *t, const struct p2p_nodeid *id,
    int bucket, struct p2p_node *promoted)
{
	struct p2p_table_entry e = { .added_at = 0 };
	struct bucket *b;
	unsigned r;

	if (bucket < 0 || bucket >= NB)
		return 0;
	b = &t->b[bucket];
	/* Not last: it answered something meanwhile or was replaced. */
	if (b->n == 0 || !id_eq(&b->entries[b->n - 1].node.id, id))
		return 0;
	entry_remove(t, b, b->n - 1);
	if (b->nrepl == 0)
		return 0;
	/* The replacement's IP was counted when it was added; it stays. */
	r = rnd_below(t, b->nrepl);
	e.node = b->repl[r];
	e.added_at = t->now;
	repl_remove(b, r);
	entry_insert(t, b, &e, 0);
	if (promoted != NULL)
		*promoted = e.node;
	return 1;
}

/* Removes element j of the parallel arrays a and p of length *n. */
static void
drop2(int *a, unsigned *p, int *n, int j)
{
	(*n)--;
	memmove(&a[j], &a[j + 1], (size_t)(*n - j) * sizeof(a[0]));
	memmove(&p[j], &p[j + 1], (size_t)(*n - j) * sizeof(p[0]));
}

size_t
p2p_table_random(struct p2p_table *t, struct p2p_node *out, size_t max)
{
	int order[NB], nb = 0, j = 0, x;
	unsigned pos[NB] = { 0 };
	const struct bucket *b;
	size_t k = 0;

	for (int i = 0; i < NB; i++)
		if (t->b[i].n > 0)
			order[nb++] = i;
	for (int i = nb - 1; i > 0; i--) {
		int s = (int)rnd_below(t, (unsigned)i + 1);

		x = order[i];
		order[i] = order[s];
		order[s] = x;
	}
	/* Round robin over the shuffled buckets, front to back in each. */
	while (k < max && nb > 0) {
		b = &t->b[order[j]];
		out[k++] = b->entries[pos[j]++].node;
		if (pos[j] == b->n)
			drop2(order, pos, &nb, j);
		else
			j++;
		if (j >= nb)
			j = 0;
	}
	return k;
}

void
p2p_table_foreach(const struct p2p_table *t,
    void (*fn)(void *arg, const struct p2p_table_entry *e, int bucket),
    void *arg)
{
	for (int bi = 0; bi < NB; bi++)
		for (unsigned i = 0; i < t->b[bi].n; i++)
			fn(arg, &t->b[bi].entries[i], bi);
}

int
p2p_table_bucket_index(const struct p2p_table *t,
    const struct p2p_nodeid *id)
{
	return bucket_of(t, id);
}

size_t
p2p_table_replacements(const struct p2p_table *t, int bucket,
    struct p2p_node *out, size_t max)
{
	const struct bucket *b;
	size_t k;

	if (bucket < 0 || bucket >= NB)
		return 0;
	b = &t->b[bucket];
	k = b->nrepl < max ? b->nrepl : max;
	memcpy(out, b->repl, k * sizeof(out[0]));
	return k;
}

unsigned
p2p_table_ip_count(const struct p2p_table *t, const struct p2p_ip *ip,
    int bucket)
{
	const struct bucket *b;
	uint32_t key;

	if (!ip_key(ip, &key))
		return 0;
	if (bucket < 0)
		return t->ips[tab_slot(t, key)].count;
	if (bucket >= NB)
		return 0;
	b = &t->b[bucket];
	for (unsigned i = 0; i < b->nips; i++)
		if (b->ips[i].key == key)
			return b->ips[i].count;
	return 0;
}
