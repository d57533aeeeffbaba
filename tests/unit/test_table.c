/* test_table.c - the discovery routing table: bucket layout, geth's
 * insertion and revalidation rules, the /24 limits, closest() against a
 * brute-force sort, and a randomized run checking invariants. */
#include <stdlib.h>

#include <p2p/table.h>

#include "unit.h"
#include "internal.h"

static uint64_t rng_state = 1;

static uint64_t
rnd(void)
{
	return p2pi_splitmix64(&rng_state);
}

static void
rnd_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

/* An ID at log distance d (1..256) from self, random below that bit. */
static struct p2p_nodeid
id_at(const struct p2p_nodeid *self, int d)
{
	struct p2p_nodeid id = *self;
	int bit = d - 1;

	for (int i = 0; i < bit; i++)
		if (rnd() & 1)
			id.b[31 - i / 8] ^= (uint8_t)(1 << (i % 8));
	id.b[31 - bit / 8] ^= (uint8_t)(1 << (bit % 8));
	return id;
}

static struct p2p_ip
ip4(int a, int b, int c, int d)
{
	struct p2p_ip ip = { .len = 4, .b = { (uint8_t)a, (uint8_t)b,
	    (uint8_t)c, (uint8_t)d } };

	return ip;
}

static struct p2p_node
node(const struct p2p_nodeid *id, struct p2p_ip ip)
{
	struct p2p_node n;

	memset(&n, 0, sizeof(n));
	rnd_bytes(n.pub.b, sizeof(n.pub.b));
	n.id = *id;
	n.ip = ip;
	n.tcp = n.udp = 30303;
	return n;
}

/* A node at distance d with a public IP in a /24 of its own. */
static struct p2p_node
node_at(const struct p2p_nodeid *self, int d)
{
	static int next = 0;
	struct p2p_nodeid id = id_at(self, d);

	next++;
	return node(&id, ip4(100 + next / 65536 % 100, next / 256 % 256,
	    next % 256, 1));
}

#define MAX_EVENTS 64

struct events {
	int n;
	enum p2p_table_ev ev[MAX_EVENTS];
	struct p2p_table_entry e[MAX_EVENTS];
};

static void
on_event(void *arg, enum p2p_table_ev ev, const struct p2p_table_entry *e)
{
	struct events *r = arg;

	if (r->n < MAX_EVENTS) {
		r->ev[r->n] = ev;
		r->e[r->n] = *e;
	}
	r->n++;
}

static struct p2p_table *
table(struct p2p_nodeid *self, struct events *ev)
{
	struct p2p_table_cfg cfg = { .seed = rnd() };
	struct p2p_table *t;

	rnd_bytes(cfg.self.b, sizeof(cfg.self.b));
	if (ev != NULL) {
		memset(ev, 0, sizeof(*ev));
		cfg.on_event = on_event;
		cfg.arg = ev;
	}
	if (p2p_table_new(&t, &cfg) != 0)
		abort();
	*self = cfg.self;
	return t;
}

static int
same(const struct p2p_node *a, const struct p2p_node *b)
{
	return memcmp(a->id.b, b->id.b, 32) == 0;
}

/* Collects a bucket's entries front to back. */
struct bucket_dump {
	int bucket;
	size_t n;
	struct p2p_table_entry e[P2P_TABLE_BUCKET_SIZE];
};

static void
dump_fn(void *arg, const struct p2p_table_entry *e, int bucket)
{
	struct bucket_dump *d = arg;

	if (bucket == d->bucket && d->n < P2P_TABLE_BUCKET_SIZE)
		d->e[d->n++] = *e;
}

static struct bucket_dump
dump(const struct p2p_table *t, int bucket)
{
	struct bucket_dump d = { .bucket = bucket };

	p2p_table_foreach(t, dump_fn, &d);
	return d;
}

static void
test_bucket_index(void)
{
	struct p2p_nodeid self, id;
	struct p2p_table *t = table(&self, NULL);
	static const int dist[][2] = { { 1, 0 }, { 100, 0 }, { 239, 0 },
	    { 240, 0 }, { 241, 1 }, { 255, 15 }, { 256, 16 } };

	CHECK_INT(p2p_table_bucket_index(t, &self), 0);
	for (size_t i = 0; i < sizeof(dist) / sizeof(dist[0]); i++) {
		id = id_at(&self, dist[i][0]);
		CHECK_INT(p2p_enode_logdist(&self, &id), dist[i][0]);
		CHECK_INT(p2p_table_bucket_index(t, &id), dist[i][1]);
	}
	p2p_table_free(t);
	p2p_table_free(NULL);
}

static void
test_add_order(void)
{
	struct p2p_nodeid self;
	struct events ev;
	struct p2p_table *t = table(&self, &ev);
	struct p2p_node a = node_at(&self, 256), b = node_at(&self, 256),
	    c = node_at(&self, 256), d = node_at(&self, 256), b2 = b;
	struct bucket_dump bd;

	CHECK_INT(p2p_table_add_seen(t, &a, 10), 1);
	CHECK_INT(p2p_table_add_seen(t, &b, 11), 1);
	CHECK_INT(p2p_table_add_seen(t, &c, 12), 1);
	CHECK_INT(p2p_table_add_seen(t, &a, 13), 0);	/* present */
	bd = dump(t, 16);
	CHECK_INT(bd.n, 3);
	CHECK(same(&bd.e[0].node, &a) && same(&bd.e[1].node, &b) &&
	    same(&bd.e[2].node, &c));
	CHECK_INT(bd.e[1].added_at, 11);
	CHECK_INT(p2p_table_add_verified(t, &d, 14), 1);
	/* Bump: to the front with the new endpoint, the rest kept. */
	b2.ip = ip4(8, 8, 8, 8);
	b2.tcp = 1;
	CHECK_INT(p2p_table_add_verified(t, &b2, 15), 1);
	bd = dump(t, 16);
	CHECK_INT(bd.n, 4);
	CHECK(same(&bd.e[0].node, &b) && same(&bd.e[1].node, &d) &&
	    same(&bd.e[2].node, &a) && same(&bd.e[3].node, &c));
	CHECK_INT(bd.e[0].node.tcp, 1);
	CHECK_INT(bd.e[0].node.ip.b[0], 8);
	CHECK_INT(bd.e[0].added_at, 11);
	CHECK_INT(p2p_table_ip_count(t, &b.ip, 16), 0);
	CHECK_INT(p2p_table_ip_count(t, &b2.ip, 16), 1);
	CHECK_INT(p2p_table_ip_count(t, &b2.ip, -1), 1);
	CHECK_INT(p2p_table_len(t), 4);
	/* ADDED for each new node, nothing for the bump. */
	CHECK_INT(ev.n, 4);
	CHECK_INT(ev.ev[3], P2P_TABLE_EV_ADDED);
	CHECK(same(&ev.e[3].node, &d));
	CHECK_INT(ev.e[3].added_at, 14);
	/* No IP, or self: refused. */
	a = node_at(&self, 250);
	a.ip.len = 0;
	CHECK_INT(p2p_table_add_seen(t, &a, 1), 0);
	CHECK_INT(p2p_table_add_verified(t, &a, 1), 0);
	a = node(&self, ip4(1, 1, 1, 1));
	CHECK_INT(p2p_table_add_seen(t, &a, 1), 0);
	CHECK_INT(p2p_table_add_verified(t, &a, 1), 0);
	CHECK(p2p_table_get(t, &self) == NULL);
	CHECK_INT(p2p_table_len(t), 4);
	p2p_table_free(t);
}

static void
test_replacements(void)
{
	struct p2p_nodeid self;
	struct events ev;
	struct p2p_table *t = table(&self, &ev);
	struct p2p_node n[28], r[P2P_TABLE_MAX_REPLACEMENTS + 1];

	for (int i = 0; i < 28; i++)
		n[i] = node_at(&self, 255);
	for (int i = 0; i < 16; i++)
		CHECK_INT(p2p_table_add_seen(t, &n[i], 1), 1);
	for (int i = 16; i < 27; i++)
		CHECK_INT(p2p_table_add_seen(t, &n[i], 2), 2);
	CHECK_INT(p2p_table_add_verified(t, &n[27], 3), 2);
	CHECK_INT(p2p_table_add_seen(t, &n[27], 3), 0);	/* already */
	CHECK_INT(p2p_table_len(t), 16);
	CHECK_INT(ev.n, 16);	/* replacements fire nothing */
	CHECK_INT(p2p_table_replacements(t, 15, r, 11), 10);
	for (int i = 0; i < 10; i++)
		CHECK_MSG(same(&r[i], &n[27 - i]), "replacement %d", i);
	/* The two oldest were dropped, and their IPs released. */
	CHECK_INT(p2p_table_ip_count(t, &n[16].ip, 15), 0);
	CHECK_INT(p2p_table_ip_count(t, &n[17].ip, -1), 0);
	CHECK_INT(p2p_table_ip_count(t, &n[18].ip, 15), 1);
	CHECK_INT(p2p_table_replacements(t, 14, r, 11), 0);
	CHECK_INT(p2p_table_replacements(t, 17, r, 11), 0);
	/* A replacement moves into the bucket once there is room. */
	CHECK_INT(p2p_table_delete(t, &n[3].id), 1);
	CHECK_INT(p2p_table_delete(t, &n[3].id), 0);
	CHECK_INT(p2p_table_add_seen(t, &n[20], 4), 1);
	CHECK_INT(p2p_table_replacements(t, 15, r, 11), 9);
	CHECK_INT(p2p_table_ip_count(t, &n[20].ip, 15), 1);
	CHECK(p2p_table_get(t, &n[20].id) != NULL);
	p2p_table_free(t);
}

static void
test_ip_limits(void)
{
	struct p2p_nodeid self;
	struct p2p_table *t = table(&self, NULL);
	struct p2p_node a, b, c, m;
	struct p2p_ip v6 = { .len = 16, .b = { 0x20, 0x01, 0x0d, 0xb8 } };
	struct p2p_ip ll = { .len = 16, .b = { 0xfe, 0x80 } };
	struct p2p_ip ula = { .len = 16, .b = { 0xfd, 0x12 } };
	struct p2p_ip lo6 = { .len = 16, .b = { [15] = 1 } };
	struct p2p_ip mapped = { .len = 16, .b = { [10] = 0xff, [11] = 0xff,
	    [12] = 1, [13] = 2, [14] = 3, [15] = 9 } };
	struct p2p_nodeid id;

	/* Bucket: 2 from one /24. */
	id = id_at(&self, 256);
	a = node(&id, ip4(1, 2, 3, 4));
	id = id_at(&self, 256);
	b = node(&id, ip4(1, 2, 3, 5));
	id = id_at(&self, 256);
	c = node(&id, ip4(1, 2, 3, 6));
	CHECK_INT(p2p_table_add_seen(t, &a, 1), 1);
	CHECK_INT(p2p_table_add_verified(t, &b, 1), 1);
	CHECK_INT(p2p_table_add_seen(t, &c, 1), 0);
	CHECK_INT(p2p_table_add_verified(t, &c, 1), 0);
	m = c;
	m.ip = mapped;		/* ::ffff:1.2.3.9 is 1.2.3.9 */
	CHECK_INT(p2p_table_add_seen(t, &m, 1), 0);
	CHECK_INT(p2p_table_ip_count(t, &a.ip, 16), 2);
	CHECK_INT(p2p_table_ip_count(t, &mapped, 16), 2);
	/* Released on delete. */
	CHECK_INT(p2p_table_delete(t, &a.id), 1);
	CHECK_INT(p2p_table_add_seen(t, &c, 1), 1);
	CHECK_INT(p2p_table_ip_count(t, &a.ip, -1), 2);
	/* A bump to a full /24 keeps the old endpoint. */
	m = a;
	m.id = b.id;
	m.ip = ip4(9, 9, 9, 9);
	CHECK_INT(p2p_table_add_verified(t, &m, 2), 1);
	CHECK_INT(p2p_table_get(t, &b.id)->node.ip.b[0], 9);
	m.ip = ip4(1, 2, 3, 77);
	id = id_at(&self, 256);
	a = node(&id, ip4(1, 2, 3, 8));
	CHECK_INT(p2p_table_add_seen(t, &a, 3), 1);	/* 1.2.3: c, a */
	CHECK_INT(p2p_table_add_verified(t, &m, 4), 1);
	CHECK_INT(p2p_table_get(t, &b.id)->node.ip.b[0], 9);
	p2p_table_free(t);

	/* Table: 10 from one /24, 2 per bucket. */
	t = table(&self, NULL);
	for (int i = 0; i < 11; i++) {
		id = id_at(&self, 256 - i / 2);
		a = node(&id, ip4(5, 6, 7, i));
		CHECK_INT(p2p_table_add_seen(t, &a, 1), i < 10);
	}
	CHECK_INT(p2p_table_ip_count(t, &a.ip, -1), 10);
	CHECK_INT(p2p_table_ip_count(t, &a.ip, 11), 0);
	id = id_at(&self, 250);
	b = node(&id, ip4(5, 6, 8, 1));	/* another /24 */
	CHECK_INT(p2p_table_add_seen(t, &b, 1), 1);
	/* Exempt: loopback, 10/8, 192.168/16, 172.16/12, fe80::/10,
	 * fc00::/7, ::1; limited: 172.32/16, IPv6 /24. */
	for (int i = 0; i < 3; i++) {
		struct p2p_ip ips[] = { ip4(127, 0, 0, 1), ip4(10, 1, 1, 1),
		    ip4(192, 168, 1, 1), ip4(172, 31, 0, 1), ll, ula, lo6,
		    ip4(0, 1, 2, 3) };

		for (size_t k = 0; k < sizeof(ips) / sizeof(ips[0]); k++) {
			/* 3 of each in one bucket. */
			id = id_at(&self, 243 + (int)k);
			a = node(&id, ips[k]);
			CHECK_INT(p2p_table_add_seen(t, &a, 1), 1);
			CHECK_INT(p2p_table_ip_count(t, &ips[k], -1), 0);
		}
		id = id_at(&self, 241);
		a = node(&id, ip4(172, 32, 0, i));
		CHECK_INT(p2p_table_add_seen(t, &a, 1), i < 2);
		v6.b[15] = (uint8_t)i;
		v6.b[3] = (uint8_t)(0xb8 + i);	/* same /24 */
		id = id_at(&self, 242);
		a = node(&id, v6);
		CHECK_INT(p2p_table_add_seen(t, &a, 1), i < 2);
	}
	p2p_table_free(t);
}

static struct p2p_nodeid cmp_target;

static int
distcmp_qsort(const void *a, const void *b)
{
	const struct p2p_node *x = a, *y = b;

	return p2p_enode_distcmp(&cmp_target, &x->id, &y->id);
}

struct collect {
	size_t n;
	struct p2p_node all[P2P_TABLE_NBUCKETS * P2P_TABLE_BUCKET_SIZE];
};

static void
collect_fn(void *arg, const struct p2p_table_entry *e, int bucket)
{
	struct collect *c = arg;

	(void)bucket;
	if (c->n < sizeof(c->all) / sizeof(c->all[0]))
		c->all[c->n++] = e->node;
}

static void
test_closest(void)
{
	struct p2p_nodeid self, id;
	struct p2p_table *t = table(&self, NULL);
	struct collect *c = calloc(1, sizeof(*c));
	struct p2p_node *all = c->all, out[300];
	size_t len, got;

	for (int i = 0; i < 500; i++) {
		struct p2p_node n;

		if (i % 2 == 0)
			rnd_bytes(id.b, sizeof(id.b));
		else
			id = id_at(&self, 238 + (int)(rnd() % 19));
		n = node(&id, ip4(10, i / 256, i % 256, 1));
		p2p_table_add_seen(t, &n, 1);
	}
	len = p2p_table_len(t);
	CHECK(len > 200 && len <= 272);
	p2p_table_foreach(t, collect_fn, c);
	CHECK_INT(c->n, len);
	for (int k = 0; k < 12; k++) {
		size_t want[] = { 16, 1, 0, 3, 300 };
		size_t max = want[k % 5];

		if (k == 0)
			cmp_target = self;
		else if (k == 1)
			cmp_target = all[len / 2].id;
		else if (k < 6)
			cmp_target = id_at(&self, 245 + k);
		else
			rnd_bytes(cmp_target.b, 32);
		qsort(all, len, sizeof(all[0]), distcmp_qsort);
		got = p2p_table_closest(t, &cmp_target, out, max);
		CHECK_INT(got, max < len ? max : len);
		for (size_t i = 0; i < got; i++)
			CHECK_MSG(same(&out[i], &all[i]),
			    "target %d: closest[%zu] differs", k, i);
	}
	free(c);
	p2p_table_free(t);
}

static void
test_revalidate(void)
{
	struct p2p_nodeid self;
	struct events ev;
	struct p2p_table *t = table(&self, &ev);
	struct p2p_node n[6], out;
	const struct p2p_table_entry *e;
	int bucket, seen[P2P_TABLE_NBUCKETS] = { 0 };
	struct bucket_dump bd;

	CHECK_INT(p2p_table_pick_revalidate(t, &out, &bucket), 0);
	for (int i = 0; i < 6; i++) {
		n[i] = node_at(&self, 250 + i % 3);
		CHECK_INT(p2p_table_add_seen(t, &n[i], 1), 1);
	}
	for (int i = 0; i < 100; i++) {
		CHECK_INT(p2p_table_pick_revalidate(t, &out, &bucket), 1);
		bd = dump(t, bucket);
		CHECK(bd.n > 0 && same(&out, &bd.e[bd.n - 1].node));
		seen[bucket]++;
	}
	CHECK(seen[10] > 0 && seen[11] > 0 && seen[12] > 0);
	CHECK_INT(seen[10] + seen[11] + seen[12], 100);
	/* n[5] (bucket 12) is last there; it answers with a new port. */
	out = n[5];
	out.udp = 4000;
	ev.n = 0;
	CHECK_INT(p2p_table_revalidated(t, &out, 7, 12), 1);
	bd = dump(t, 12);
	CHECK(same(&bd.e[0].node, &n[5]) && same(&bd.e[1].node, &n[2]));
	e = p2p_table_get(t, &n[5].id);
	CHECK(e != NULL && e->liveness == 1 && e->enr_seq == 7 &&
	    e->node.udp == 4000);
	CHECK_INT(ev.n, 1);
	CHECK_INT(ev.ev[0], P2P_TABLE_EV_REVALIDATED);
	CHECK(same(&ev.e[0].node, &n[5]) && ev.e[0].liveness == 1);
	/* A lower seq is ignored; set_enr_seq sets. */
	CHECK_INT(p2p_table_revalidated(t, &n[5], 3, 12), 1);
	e = p2p_table_get(t, &n[5].id);
	CHECK(e->liveness == 2 && e->enr_seq == 7);
	CHECK_INT(p2p_table_set_enr_seq(t, &n[5].id, 2), 0);
	CHECK_INT(p2p_table_get(t, &n[5].id)->enr_seq, 2);
	CHECK_INT(p2p_table_set_enr_seq(t, &self, 2), P2P_ENOTFOUND);
	/* Not in that bucket. */
	CHECK_INT(p2p_table_revalidated(t, &n[5], 3, 11), 0);
	CHECK_INT(p2p_table_revalidated(t, &n[5], 3, 17), 0);
	CHECK_INT(p2p_table_revalidated(t, &n[5], 3, -1), 0);
	p2p_table_free(t);
}

static void
test_replace_dead(void)
{
	struct p2p_nodeid self;
	struct events ev;
	struct p2p_table *t = table(&self, &ev);
	struct p2p_node n[20], out, r[P2P_TABLE_MAX_REPLACEMENTS];
	const struct p2p_table_entry *e;
	struct bucket_dump bd;
	int k;

	for (int i = 0; i < 20; i++) {
		n[i] = node_at(&self, 256);
		CHECK_INT(p2p_table_add_seen(t, &n[i], (uint64_t)i),
		    i < 16 ? 1 : 2);
	}
	/* Not last: nothing. */
	ev.n = 0;
	CHECK_INT(p2p_table_replace_dead(t, &n[14].id, 16, &out), 0);
	CHECK_INT(p2p_table_replace_dead(t, &n[15].id, 15, &out), 0);
	CHECK_INT(ev.n, 0);
	CHECK_INT(p2p_table_len(t), 16);
	/* Last: replaced by a random replacement, at the end. */
	CHECK_INT(p2p_table_replace_dead(t, &n[15].id, 16, &out), 1);
	for (k = 16; k < 20 && !same(&out, &n[k]); k++)
		;
	CHECK(k < 20);
	bd = dump(t, 16);
	CHECK_INT(bd.n, 16);
	CHECK(same(&bd.e[15].node, &out));
	CHECK(p2p_table_get(t, &n[15].id) == NULL);
	e = p2p_table_get(t, &out.id);
	CHECK(e != NULL && e->added_at == 19 && e->liveness == 0);
	CHECK_INT(p2p_table_replacements(t, 16, r, 10), 3);
	for (int i = 0; i < 3; i++)
		CHECK(!same(&r[i], &out));
	CHECK_INT(p2p_table_ip_count(t, &n[15].ip, -1), 0);
	CHECK_INT(p2p_table_ip_count(t, &out.ip, 16), 1);
	CHECK_INT(ev.n, 2);
	CHECK(ev.ev[0] == P2P_TABLE_EV_REMOVED && same(&ev.e[0].node, &n[15]));
	CHECK(ev.ev[1] == P2P_TABLE_EV_ADDED && same(&ev.e[1].node, &out));
	/* Revalidated first: no longer last, so it stays. */
	CHECK_INT(p2p_table_revalidated(t, &out, 0, 16), 1);
	CHECK_INT(p2p_table_replace_dead(t, &out.id, 16, NULL), 0);
	CHECK(p2p_table_get(t, &out.id) != NULL);
	/* Replacements used up: the dead are just removed. */
	for (int i = 0; i < 3; i++) {
		bd = dump(t, 16);
		CHECK_INT(p2p_table_replace_dead(t, &bd.e[15].node.id, 16,
		    NULL), 1);
	}
	bd = dump(t, 16);
	ev.n = 0;
	CHECK_INT(p2p_table_replace_dead(t, &bd.e[15].node.id, 16, &out), 0);
	CHECK_INT(p2p_table_len(t), 15);
	CHECK_INT(ev.n, 1);
	CHECK(ev.ev[0] == P2P_TABLE_EV_REMOVED &&
	    same(&ev.e[0].node, &bd.e[15].node));
	p2p_table_free(t);
}

/* The promoted replacement is a random one, not always the same slot. */
static void
test_replace_random(void)
{
	int hits[P2P_TABLE_MAX_REPLACEMENTS] = { 0 }, slots = 0;

	for (int round = 0; round < 40; round++) {
		struct p2p_nodeid self;
		struct p2p_table *t = table(&self, NULL);
		struct p2p_node n[26], out;
		int k;

		for (int i = 0; i < 26; i++) {
			n[i] = node_at(&self, 256);
			p2p_table_add_seen(t, &n[i], 1);
		}
		CHECK_INT(p2p_table_replace_dead(t, &n[15].id, 16, &out), 1);
		for (k = 0; k < 10 && !same(&out, &n[25 - k]); k++)
			;
		CHECK(k < 10);
		if (k < 10 && hits[k]++ == 0)
			slots++;
		p2p_table_free(t);
	}
	CHECK_MSG(slots >= 5, "promoted from only %d of 10 slots", slots);
}

static void
test_events(void)
{
	struct p2p_nodeid self;
	struct events ev;
	struct p2p_table *t = table(&self, &ev);
	struct p2p_node a = node_at(&self, 200), b = node_at(&self, 256);

	CHECK_INT(p2p_table_add_seen(t, &a, 5), 1);
	CHECK_INT(p2p_table_add_verified(t, &b, 6), 1);
	CHECK_INT(p2p_table_set_enr_seq(t, &b.id, 9), 0);
	CHECK_INT(p2p_table_delete(t, &b.id), 1);
	CHECK_INT(p2p_table_delete(t, &b.id), 0);
	CHECK_INT(ev.n, 3);
	CHECK(ev.ev[0] == P2P_TABLE_EV_ADDED && same(&ev.e[0].node, &a));
	CHECK(ev.e[0].added_at == 5 && ev.e[0].enr_seq == 0 &&
	    ev.e[0].liveness == 0 && ev.e[0].node.tcp == a.tcp);
	CHECK(ev.ev[1] == P2P_TABLE_EV_ADDED && same(&ev.e[1].node, &b));
	CHECK(ev.ev[2] == P2P_TABLE_EV_REMOVED && same(&ev.e[2].node, &b));
	CHECK(ev.e[2].added_at == 6 && ev.e[2].enr_seq == 9);
	CHECK_INT(p2p_table_len(t), 1);
	p2p_table_free(t);
}

static void
test_random(void)
{
	struct p2p_nodeid self;
	struct p2p_table *t = table(&self, NULL);
	struct p2p_node out[64];
	size_t n;

	CHECK_INT(p2p_table_random(t, out, 10), 0);
	for (int i = 0; i < 40; i++) {
		struct p2p_node x = node_at(&self, 240 + i % 7);

		p2p_table_add_seen(t, &x, 1);
	}
	CHECK_INT(p2p_table_len(t), 40);
	for (size_t max = 0; max <= 64; max += 7) {
		n = p2p_table_random(t, out, max);
		CHECK_INT(n, max < 40 ? max : 40);
		for (size_t i = 0; i < n; i++) {
			CHECK(p2p_table_get(t, &out[i].id) != NULL);
			for (size_t j = 0; j < i; j++)
				CHECK(!same(&out[i], &out[j]));
		}
	}
	p2p_table_free(t);
}

static int
held(const struct p2p_table *t, const struct p2p_node *n)
{
	struct p2p_node r[P2P_TABLE_MAX_REPLACEMENTS];
	size_t nr = p2p_table_replacements(t,
	    p2p_table_bucket_index(t, &n->id), r, 10);

	if (p2p_table_get(t, &n->id) != NULL)
		return 1;
	for (size_t i = 0; i < nr; i++)
		if (same(&r[i], n))
			return 1;
	return 0;
}

static int
net_used(const struct p2p_node *all, int n, const struct p2p_ip *ip)
{
	for (int i = 0; i < n; i++)
		if (memcmp(all[i].ip.b, ip->b, 3) == 0)
			return 1;
	return 0;
}

/*
 * A full table (17 * 26 nodes) of distinct /24s, churned: the table-wide
 * counters then hold hundreds of keys, with long probe chains that
 * deletions must keep intact.
 */
static void
test_ip_churn(void)
{
	struct p2p_nodeid self;
	struct p2p_table *t = table(&self, NULL);
	struct p2p_node *all = calloc(4000, sizeof(*all)), n;
	int nall = 0, bad = 0, bucket;

	for (int op = 0; op < 4000 && bad == 0; op++) {
		switch (op < 1000 ? 0 : rnd() % 4) {
		case 0: case 1:
			/* A random /24 (sequential ones hash without
			 * collisions), distinct from all before. */
			n = node_at(&self, 240 + (int)(rnd() % 17));
			do
				n.ip = ip4(100 + (int)(rnd() % 27),
				    (int)(rnd() % 256), (int)(rnd() % 256), 1);
			while (net_used(all, nall, &n.ip));
			all[nall++] = n;
			p2p_table_add_seen(t, &n, 1);
			break;
		case 2:
			if (p2p_table_pick_revalidate(t, &n, &bucket))
				p2p_table_replace_dead(t, &n.id, bucket, NULL);
			break;
		case 3:
			p2p_table_delete(t, &all[rnd() % nall].id);
			break;
		}
		if (op % 4 != 0)
			continue;
		for (int i = 0; i < nall; i++) {
			unsigned want = (unsigned)held(t, &all[i]);
			int b = p2p_table_bucket_index(t, &all[i].id);

			if (p2p_table_ip_count(t, &all[i].ip, -1) != want ||
			    p2p_table_ip_count(t, &all[i].ip, b) != want)
				bad++;
		}
		CHECK_MSG(bad == 0, "ip counts wrong after op %d", op);
	}
	free(all);
	p2p_table_free(t);
}

/* The randomized run: a pool of nodes over a few hot /24s (limits hit)
 * and many cold ones (the table-wide counter hash fills up and churns),
 * random operations, and a recount of everything the table claims after
 * each of the first 1000, then after every 10th and the last (a wrong
 * count stays wrong, so it is still caught; a recount after every one of
 * the 10000 took 8 s under ASan). */
#define POOL 400
#define HOT 20			/* nets 0..19: public, limits hit */
#define LAN 24			/* nets 20..23: 10/8, exempt */
#define NETS (LAN + 400)	/* the rest: public, one node or two */

struct shadow {
	struct p2p_node pool[POOL];
	int in[POOL];		/* per the events */
	int bad_events;
};

/* Pool nodes carry their index in the tcp port. */
static int
pool_find(const struct shadow *s, const struct p2p_node *n)
{
	if (n->tcp < POOL && memcmp(s->pool[n->tcp].id.b, n->id.b, 32) == 0)
		return n->tcp;
	return -1;
}

static void
shadow_event(void *arg, enum p2p_table_ev ev,
    const struct p2p_table_entry *e)
{
	struct shadow *s = arg;
	int i = pool_find(s, &e->node);

	if (i < 0 || (ev == P2P_TABLE_EV_ADDED && s->in[i]) ||
	    (ev != P2P_TABLE_EV_ADDED && !s->in[i]))
		s->bad_events++;
	else if (ev != P2P_TABLE_EV_REVALIDATED)
		s->in[i] = ev == P2P_TABLE_EV_ADDED;
}

static struct p2p_ip
pool_ip(int net)
{
	int c = net - LAN;

	if (net < HOT)
		return ip4(50 + net, 1, net % 3, (int)(rnd() % 256));
	if (net < LAN)
		return ip4(10, net, (int)(rnd() % 256), (int)(rnd() % 256));
	return ip4(100 + c / 256, c % 256, 7, (int)(rnd() % 256));
}

static int
net_of(const struct p2p_ip *ip)
{
	if (ip->b[0] == 10)
		return ip->b[1];
	if (ip->b[0] < 100)
		return ip->b[0] - 50;
	return LAN + (ip->b[0] - 100) * 256 + ip->b[1];
}

/* Half the nodes in the hot or LAN nets, half spread over the cold. */
static int
pool_net(void)
{
	return rnd() % 2 ? (int)(rnd() % LAN) : LAN + (int)(rnd() % 400);
}

static int
check_invariants(const struct p2p_table *t, const struct p2p_nodeid *self,
    const struct shadow *s)
{
	struct p2p_node r[P2P_TABLE_MAX_REPLACEMENTS];
	int where[POOL], bad = 0;
	static unsigned tab[NETS], bkt[P2P_TABLE_NBUCKETS][NETS];
	size_t len = 0;

	memset(tab, 0, sizeof(tab));
	memset(bkt, 0, sizeof(bkt));
	for (int i = 0; i < POOL; i++)
		where[i] = -1;
	for (int b = 0; b < P2P_TABLE_NBUCKETS; b++) {
		struct bucket_dump bd = dump(t, b);
		size_t nr = p2p_table_replacements(t, b, r, 10);
		struct p2p_node all[P2P_TABLE_BUCKET_SIZE + 10];

		for (size_t i = 0; i < bd.n; i++)
			all[i] = bd.e[i].node;
		memcpy(all + bd.n, r, nr * sizeof(r[0]));
		len += bd.n;
		/* Replacements exist only beside a full bucket, or one
		 * that lost entries since. */
		for (size_t i = 0; i < bd.n + nr; i++) {
			int k = pool_find(s, &all[i]), net;

			if (k < 0 || where[k] >= 0 ||
			    p2p_table_bucket_index(t, &all[i].id) != b ||
			    memcmp(all[i].id.b, self->b, 32) == 0) {
				bad++;
				continue;
			}
			where[k] = b;
			if ((i < bd.n) != s->in[k])
				bad++;
			net = net_of(&all[i].ip);
			if (net < HOT || net >= LAN) {
				tab[net]++;
				bkt[b][net]++;
			}
		}
	}
	if (len != p2p_table_len(t))
		bad++;
	for (int i = 0; i < POOL; i++)
		if (where[i] < 0 && s->in[i])
			bad++;
	for (int net = 0; net < NETS; net++) {
		struct p2p_ip ip = pool_ip(net);

		if (tab[net] > P2P_TABLE_IP_LIMIT ||
		    p2p_table_ip_count(t, &ip, -1) != tab[net])
			bad++;
		for (int b = 0; b < P2P_TABLE_NBUCKETS; b++)
			if (bkt[b][net] > P2P_TABLE_BUCKET_IP_LIMIT ||
			    p2p_table_ip_count(t, &ip, b) != bkt[b][net])
				bad++;
	}
	return bad;
}

static void
test_randomized(void)
{
	struct p2p_table_cfg cfg = { .seed = 42 };
	struct shadow *s = calloc(1, sizeof(*s));
	struct p2p_table *t;
	struct p2p_node out[20], n;
	int bucket, bad = 0, counts[4] = { 0 };

	rnd_bytes(cfg.self.b, 32);
	cfg.on_event = shadow_event;
	cfg.arg = s;
	CHECK_INT(p2p_table_new(&t, &cfg), 0);
	for (int i = 0; i < POOL; i++) {
		/* Mostly the far buckets, some in the shared bucket 0. */
		struct p2p_nodeid id = id_at(&cfg.self,
		    236 + (int)(rnd() % 21));

		s->pool[i] = node(&id, pool_ip(pool_net()));
		s->pool[i].tcp = (uint16_t)i;
	}
	for (int op = 0; op < 10000 && bad < 10; op++) {
		n = s->pool[rnd() % POOL];
		if (rnd() % 8 == 0)	/* a moved node */
			n.ip = pool_ip(pool_net());
		switch (rnd() % 8) {
		case 0: case 1: case 2:
			counts[p2p_table_add_seen(t, &n, (uint64_t)op)]++;
			break;
		case 3:
			counts[p2p_table_add_verified(t, &n, (uint64_t)op)]++;
			break;
		case 4:
			counts[3] += p2p_table_delete(t, &n.id);
			break;
		case 5:
			if (p2p_table_pick_revalidate(t, &n, &bucket) == 1)
				p2p_table_revalidated(t, &n, rnd() % 4,
				    bucket);
			break;
		case 6:
			if (p2p_table_pick_revalidate(t, &n, &bucket) == 1)
				p2p_table_replace_dead(t, &n.id, bucket,
				    out);
			break;
		case 7:
			p2p_table_closest(t, &n.id, out, 16);
			p2p_table_random(t, out, 20);
			p2p_table_set_enr_seq(t, &n.id, rnd());
			break;
		}
		if (op < 1000 || op % 10 == 0 || op == 9999) {
			bad += check_invariants(t, &cfg.self, s);
			CHECK_MSG(bad == 0, "invariants broken after op %d",
			    op);
		}
	}
	CHECK_INT(s->bad_events, 0);
	/* Every path was taken. */
	CHECK(counts[0] > 0 && counts[1] > 0 && counts[2] > 0 &&
	    counts[3] > 0);
	CHECK(p2p_table_len(t) > 50);
	p2p_table_free(t);
	free(s);
}

const struct unit_test unit_table[] = {
	{ "bucket_index", test_bucket_index },
	{ "add_order", test_add_order },
	{ "replacements", test_replacements },
	{ "ip_limits", test_ip_limits },
	{ "closest", test_closest },
	{ "revalidate", test_revalidate },
	{ "replace_dead", test_replace_dead },
	{ "replace_random", test_replace_random },
	{ "events", test_events },
	{ "random", test_random },
	{ "ip_churn", test_ip_churn },
	{ "randomized", test_randomized },
	{ NULL, NULL },
};
