/* bench_table.c - the routing table per CPU-second: add_seen of random
 * nodes (a table filling up, then mostly full buckets and churning
 * replacements, as under neighbors traffic), and closest(16) on a full
 * table (every bucket at 16), as each lookup step and findnode answer
 * does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p2p/table.h>

#include "bench.h"
#include "internal.h"

void bench_table(void);

#define POOL 65536

static uint64_t state = 0x5eed;

static uint64_t
rnd(void)
{
	return p2pi_splitmix64(&state);
}

static void
rnd_id(struct p2p_nodeid *id)
{
	for (int i = 0; i < 32; i += 8) {
		uint64_t x = rnd();

		memcpy(id->b + i, &x, 8);
	}
}

/* A random node with a public IPv4 address (so the limits are counted). */
static void
rnd_node(struct p2p_node *n)
{
	uint64_t x = rnd();

	memset(n, 0, sizeof(*n));
	rnd_id(&n->id);
	n->ip.len = 4;
	n->ip.b[0] = (uint8_t)(1 + x % 100);
	n->ip.b[1] = (uint8_t)(x >> 8);
	n->ip.b[2] = (uint8_t)(x >> 16);
	n->ip.b[3] = (uint8_t)(x >> 24);
	n->tcp = n->udp = 30303;
}

/* An ID at log distance d from self: self's bits above, bit d-1
 * flipped, random bits below. */
static void
id_at(struct p2p_nodeid *id, const struct p2p_nodeid *self, int d)
{
	*id = *self;
	for (int i = 0; i < d - 1; i++)
		if (rnd() & 1)
			id->b[31 - i / 8] ^= (uint8_t)(1 << i % 8);
	id->b[31 - (d - 1) / 8] ^= (uint8_t)(1 << (d - 1) % 8);
}

static struct p2p_table *
new_table(struct p2p_nodeid *self)
{
	struct p2p_table_cfg cfg = { .seed = 1 };
	struct p2p_table *t;

	rnd_id(&cfg.self);
	if (p2p_table_new(&t, &cfg) != 0)
		abort();
	if (self != NULL)
		*self = cfg.self;
	return t;
}

static void
bench_add(const struct p2p_node *pool)
{
	struct p2p_table *t = NULL;
	double t0 = bench_cpu(), el;
	long iters = 0, added = 0;
	char extra[64];

	do {
		/* A fresh table per pass, so the pool's nodes are new. */
		p2p_table_free(t);
		t = new_table(NULL);
		for (int i = 0; i < POOL; i++)
			added += p2p_table_add_seen(t, &pool[i],
			    (uint64_t)iters) == 1;
		iters += POOL;
	} while ((el = bench_cpu() - t0) < 1.0);
	snprintf(extra, sizeof(extra), "\"pool\":%d,\"table_len\":%zu",
	    POOL, p2p_table_len(t));
	bench_sink(&added, sizeof(added));
	bench_emit("table_add_seen", iters / el, "ops/s", el, extra);
	p2p_table_free(t);
}

static void
bench_closest(const struct p2p_node *pool)
{
	struct p2p_nodeid self;
	struct p2p_table *t = new_table(&self);
	struct p2p_node out[16], n;
	double t0, el;
	long iters = 0;
	size_t sum = 0;
	char extra[32];

	/* Every bucket full, with replacements. */
	for (int d = 240; d <= 256; d++) {
		for (int k = 0; k < 40; k++) {
			rnd_node(&n);
			id_at(&n.id, &self, d);
			p2p_table_add_seen(t, &n, 1);
		}
	}
	t0 = bench_cpu();
	do {
		for (int i = 0; i < 1024; i++)
			sum += p2p_table_closest(t, &pool[i].id, out, 16);
		iters += 1024;
	} while ((el = bench_cpu() - t0) < 1.0);
	bench_sink(&sum, sizeof(sum));
	snprintf(extra, sizeof(extra), "\"table_len\":%zu", p2p_table_len(t));
	bench_emit("table_closest16", iters / el, "ops/s", el, extra);
	p2p_table_free(t);
}

void
bench_table(void)
{
	struct p2p_node *pool = malloc(POOL * sizeof(*pool));

	if (pool == NULL)
		abort();
	for (int i = 0; i < POOL; i++)
		rnd_node(&pool[i]);
	bench_add(pool);
	bench_closest(pool);
	free(pool);
}
