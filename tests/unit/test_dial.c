/*
 * test_dial.c - the dial scheduler (dial.c) against the cases of
 * go-ethereum v1.8.24's p2p/dial_test.go: rounds of connected peers,
 * finished tasks and the new tasks expected, on a fake clock advancing
 * 16 s a round.  Also the parts v1.8.24 leaves to the server's goroutines
 * (lookup spacing, resolve back-off), the dial history heap, the dropped
 * callback, the lookup buffer's cap and a randomized run checking that
 * dynamic dials never exceed max_dyn_dials.
 */
#include <stdio.h>
#include <stdlib.h>

#include <p2p/dial.h>
#include <p2p/netutil.h>

#include "unit.h"
#include "internal.h"

#define SELF 1000	/* our own ID in every test */
#define MAXR 10		/* entries of each list in a round */

/* v1.8.24's uintID: i big-endian in the first 4 bytes. */
static struct p2p_nodeid
uid(uint32_t i)
{
	struct p2p_nodeid id;

	memset(&id, 0, sizeof(id));
	id.b[0] = (uint8_t)(i >> 24);
	id.b[1] = (uint8_t)(i >> 16);
	id.b[2] = (uint8_t)(i >> 8);
	id.b[3] = (uint8_t)i;
	return id;
}

static uint32_t
id_num(const struct p2p_nodeid *id)
{
	return (uint32_t)id->b[0] << 24 | (uint32_t)id->b[1] << 16 |
	    (uint32_t)id->b[2] << 8 | id->b[3];
}

/* A node without an address (v1.8.24's newNode(id, nil)). */
static struct p2p_node
nd(uint32_t i)
{
	struct p2p_node n;

	memset(&n, 0, sizeof(n));
	n.id = uid(i);
	memcpy(n.pub.b, n.id.b, 4);
	return n;
}

static struct p2p_node
nd_ip(uint32_t i, const char *ip)
{
	struct p2p_node n = nd(i);

	if (p2p_ip_parse(&n.ip, ip, strlen(ip)) != 0) {
		printf("Bail out! bad test address %s\n", ip);
		exit(1);
	}
	n.tcp = n.udp = 30303;
	return n;
}

/* The discovery table and the dropped callback's record. */
struct fake {
	struct p2p_node table[64];
	size_t ntable;
	int calls;			/* random_nodes calls */
	struct p2p_node dropped[8];
	int dropped_err[8];
	int ndropped;
};

/* v1.8.24's fakeTable.ReadRandomNodes: the first max table nodes. */
static size_t
fake_random(void *arg, struct p2p_node *out, size_t max)
{
	struct fake *f = arg;
	size_t n = f->ntable < max ? f->ntable : max;

	f->calls++;
	memcpy(out, f->table, n * sizeof(*out));
	return n;
}

static void
fake_dropped(void *arg, const struct p2p_node *n, int err)
{
	struct fake *f = arg;

	if (f->ndropped < 8) {
		f->dropped[f->ndropped] = *n;
		f->dropped_err[f->ndropped] = err;
	}
	f->ndropped++;
}

static struct p2p_dialer *
dialer(struct fake *f, unsigned maxdyn, const struct p2p_netlist *restrict_,
    const struct p2p_node *boot, size_t nboot)
{
	struct p2p_dialer_cfg cfg = {
		.self = uid(SELF), .max_dyn_dials = maxdyn,
		.netrestrict = restrict_, .bootnodes = boot,
		.nbootnodes = nboot, .random_nodes = fake_random,
		.dropped = fake_dropped, .arg = f,
	};
	struct p2p_dialer *d;

	if (p2p_dialer_new(&d, &cfg) != 0) {
		printf("Bail out! p2p_dialer_new failed\n");
		exit(1);
	}
	return d;
}

static void
add_static(struct p2p_dialer *d, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i <= to; i++) {
		struct p2p_node n = nd(i);

		CHECK_INT(p2p_dialer_add_static(d, &n), 0);
	}
}

/* A round as dial_test.go writes them. */
enum { T_END, T_DYN, T_STATIC, T_LOOKUP, T_WAIT };

struct pdesc {
	uint32_t id;
	unsigned flags;		/* 0 ends the list */
};

struct tdesc {
	int kind;		/* T_END ends the list */
	uint32_t id;		/* T_DYN, T_STATIC */
	uint64_t delay;		/* T_LOOKUP, T_WAIT */
};

struct round {
	uint64_t step;		/* ms to the next round; 0: 16 s */
	struct pdesc peers[MAXR];
	struct tdesc done[MAXR];
	uint32_t results[MAXR];	/* the finished lookup's results */
	size_t nresults;
	struct tdesc want[MAXR];
};

#define PD(i) { (i), P2P_FLAG_DYN_DIALED }
#define PS(i) { (i), P2P_FLAG_STATIC_DIALED }
#define DYN(i) { T_DYN, (i), 0 }
#define STA(i) { T_STATIC, (i), 0 }
#define LOOKUP(ms) { T_LOOKUP, 0, (ms) }
#define WAIT(ms) { T_WAIT, 0, (ms) }

struct sim {
	struct p2p_dialer *d;
	uint64_t now;
	size_t running;
};

static struct p2p_dial_task
task_of(const struct tdesc *t)
{
	struct p2p_dial_task k;

	memset(&k, 0, sizeof(k));
	switch (t->kind) {
	case T_DYN:
	case T_STATIC:
		k.kind = P2P_DIAL_TASK_DIAL;
		k.flags = t->kind == T_DYN ? P2P_FLAG_DYN_DIALED :
		    P2P_FLAG_STATIC_DIALED;
		k.dest = nd(t->id);
		break;
	case T_LOOKUP:
		k.kind = P2P_DIAL_TASK_LOOKUP;
		break;
	default:
		k.kind = P2P_DIAL_TASK_WAIT;
		break;
	}
	return k;
}

static void
finish(struct sim *s, const struct round *r)
{
	struct p2p_node res[MAXR];

	for (size_t i = 0; i < r->nresults; i++)
		res[i] = nd(r->results[i]);
	for (const struct tdesc *t = r->done; t->kind != T_END; t++) {
		struct p2p_dial_task k = task_of(t);

		/* An earlier mismatch can leave fewer running than done. */
		CHECK_MSG(s->running > 0, "running task counter underflow");
		if (s->running > 0)
			s->running--;
		p2p_dialer_task_done(s->d, &k, s->now, res,
		    t->kind == T_LOOKUP ? r->nresults : 0);
	}
}

static int
task_matches(const struct p2p_dial_task *got, const struct tdesc *w)
{
	switch (w->kind) {
	case T_DYN:
	case T_STATIC:
		return got->kind == P2P_DIAL_TASK_DIAL && got->flags ==
		    (w->kind == T_DYN ? P2P_FLAG_DYN_DIALED :
		    P2P_FLAG_STATIC_DIALED) && id_num(&got->dest.id) == w->id;
	case T_LOOKUP:
		return got->kind == P2P_DIAL_TASK_LOOKUP &&
		    got->delay_ms == w->delay;
	default:
		return got->kind == P2P_DIAL_TASK_WAIT &&
		    got->delay_ms == w->delay;
	}
}

static void
describe(char *buf, size_t len, const struct p2p_dial_task *t, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		const char *what = t[i].kind == P2P_DIAL_TASK_LOOKUP ?
		    "lookup" : "wait";

		if (t[i].kind == P2P_DIAL_TASK_DIAL)
			off += (size_t)snprintf(buf + off, len - off, " %s(%u)",
			    t[i].flags == P2P_FLAG_DYN_DIALED ? "dyn" :
			    "static", (unsigned)id_num(&t[i].dest.id));
		else
			off += (size_t)snprintf(buf + off, len - off,
			    " %s(%llums)", what,
			    (unsigned long long)t[i].delay_ms);
	}
}

/*
 * Runs rounds: finish the round's tasks, ask for new ones with its peers,
 * and compare them, in order, with what it wants.  The order is ours
 * (statics in insertion order, bootnode, table, lookup results, lookup,
 * wait); v1.8.24 compares as sets.
 */
static void
run_rounds(struct sim *s, const char *name, const struct round *r,
    size_t nr)
{
	for (size_t i = 0; i < nr; i++, r++) {
		struct p2p_dial_peer peers[MAXR];
		const struct p2p_dial_task *got;
		size_t np = 0, n, nw = 0;
		char desc[512];

		finish(s, r);
		for (; np < MAXR && r->peers[np].flags != 0; np++) {
			peers[np].id = uid(r->peers[np].id);
			peers[np].flags = r->peers[np].flags;
		}
		got = p2p_dialer_new_tasks(s->d, s->running, peers, np, s->now,
		    &n);
		while (nw < MAXR && r->want[nw].kind != T_END)
			nw++;
		CHECK_MSG(got != NULL, "%s round %zu: NULL tasks", name, i);
		describe(desc, sizeof(desc), got, n);
		for (size_t j = 0; j < n && j < nw; j++)
			CHECK_MSG(task_matches(&got[j], &r->want[j]),
			    "%s round %zu: task %zu differs; got%s", name, i,
			    j, desc);
		CHECK_MSG(n == nw, "%s round %zu: %zu tasks, want %zu; got%s",
		    name, i, n, nw, desc);
		s->now += r->step ? r->step : 16000;
		s->running += n;
	}
}

#define RUN(s, name, r) run_rounds((s), (name), (r), \
	sizeof(r) / sizeof((r)[0]))

/* Dynamic dials come from lookup results; the lookup buffer is reused;
 * dials under way count against max_dyn_dials (TestDialStateDynDial). */
static void
test_dyn_dial(void)
{
	static const struct round r[] = {
		/* A lookup is launched, at once as it is the first. */
		{ .peers = { PS(0), PD(1), PD(2) }, .want = { LOOKUP(0) } },
		/* Dials from its results; 2 is connected, 6 and 7 are
		 * more than max_dyn_dials 5 allows. */
		{ .peers = { PS(0), PD(1), PD(2) }, .done = { LOOKUP(0) },
		  .results = { 2, 3, 4, 5, 6, 7 }, .nresults = 6,
		  .want = { DYN(3), DYN(4), DYN(5) } },
		/* 3, 4 connect; with 5 under way max is reached. */
		{ .peers = { PS(0), PD(1), PD(2), PD(3), PD(4) },
		  .done = { DYN(3), DYN(4) } },
		/* 5 connects: nothing runs, so wait for 3's entry (48 s
		 * now, it expires at 62 s). */
		{ .peers = { PS(0), PD(1), PD(2), PD(3), PD(4), PD(5) },
		  .done = { DYN(5) }, .want = { WAIT(14000) } },
		/* 2 drops: the buffered result 6 is dialed. */
		{ .peers = { PS(0), PD(1), PD(3), PD(4), PD(5) },
		  .want = { DYN(6) } },
		/* 3, 4 drop, the dial of 6 fails: 7 is dialed, and the
		 * buffer is empty, so a lookup (the last was at 0 s). */
		{ .peers = { PS(0), PD(1), PD(5) }, .done = { DYN(6) },
		  .want = { DYN(7), LOOKUP(0) } },
		/* 7 connects; a lookup runs already. */
		{ .peers = { PS(0), PD(1), PD(5), PD(7) }, .done = { DYN(7) } },
		/* It finds nothing: another at once. */
		{ .peers = { PS(0), PD(1), PD(5), PD(7) },
		  .done = { LOOKUP(0) }, .want = { LOOKUP(0) } },
	};
	struct fake f = { .ntable = 0 };
	struct sim s = { .d = dialer(&f, 5, NULL, NULL, 0) };

	RUN(&s, "dyn_dial", r);
	p2p_dialer_free(s.d);
}

/*
 * Bootnodes only when no peer is connected, P2P_DIAL_FALLBACK_MS after
 * the first call, one a round, round-robin (TestDialStateDynDialBootnode).
 * v1.8.24's test starts the clock at Go's zero time, which its dialer
 * takes for "not started", so there the fallback comes a round later.
 */
static void
test_dyn_dial_bootnode(void)
{
	static const struct round r[] = {
		/* 0 s: two table nodes, a lookup, no bootnode yet. */
		{ .want = { DYN(4), DYN(5), LOOKUP(0) } },
		/* 16 s: the dials fail; still within the fallback. */
		{ .done = { DYN(4), DYN(5) } },
		/* 32 s: the first bootnode; 4, 5 are recent. */
		{ .want = { DYN(1) } },
		/* 48 s: the second; 4, 5 have expired. */
		{ .done = { DYN(1) }, .want = { DYN(2), DYN(4), DYN(5) } },
		/* 64 s: the third. */
		{ .done = { DYN(2), DYN(4), DYN(5) }, .want = { DYN(3) } },
		/* 80 s: the first again. */
		{ .done = { DYN(3) }, .want = { DYN(1) } },
		/* 96 s: 4 connected: no bootnode, only the table. */
		{ .peers = { PD(4) }, .done = { DYN(1) }, .want = { DYN(5) } },
	};
	struct p2p_node boot[] = { nd(1), nd(2), nd(3) };
	struct fake f = { .ntable = 5 };
	struct sim s;

	for (uint32_t i = 0; i < 5; i++)
		f.table[i] = nd(4 + i);
	s = (struct sim){ .d = dialer(&f, 5, NULL, boot, 3) };
	RUN(&s, "dyn_dial_bootnode", r);
	p2p_dialer_free(s.d);
}

/* Half of what is needed from the table, from a buffer of max/2 nodes
 * (TestDialStateDynDialFromTable). */
static void
test_dyn_dial_from_table(void)
{
	static const struct round r[] = {
		/* Need 10: 5 of the table's 8 (the buffer holds 5). */
		{ .want = { DYN(1), DYN(2), DYN(3), DYN(4), DYN(5),
		  LOOKUP(0) } },
		/* 1, 2 connect; dials from the lookup, and another lookup
		 * no sooner than 4 s after the first. */
		{ .peers = { PD(1), PD(2) },
		  .done = { DYN(1), DYN(2), LOOKUP(0) },
		  .results = { 10, 11, 12 }, .nresults = 3,
		  .want = { DYN(10), DYN(11), DYN(12), LOOKUP(0) } },
		/* 3, 4, 5 fail, the lookup's dials succeed. */
		{ .peers = { PD(1), PD(2), PD(10), PD(11), PD(12) },
		  .done = { DYN(3), DYN(4), DYN(5), DYN(10), DYN(11),
		  DYN(12) } },
		/* No wait: the lookup still runs. */
		{ .peers = { PD(1), PD(2), PD(10), PD(11), PD(12) } },
		/* 3, 4 have expired but only the first need/2 = 2 random
		 * nodes (1, 2: connected) are tried. */
		{ .peers = { PD(1), PD(2), PD(10), PD(11), PD(12) } },
	};
	struct fake f = { .ntable = 8 };
	struct sim s;

	for (uint32_t i = 0; i < 8; i++)
		f.table[i] = nd(1 + i);
	s = (struct sim){ .d = dialer(&f, 10, NULL, NULL, 0) };
	RUN(&s, "dyn_dial_from_table", r);
	p2p_dialer_free(s.d);
}

/* Candidates outside NetRestrict are not dialed
 * (TestDialStateNetRestrict). */
static void
test_net_restrict(void)
{
	static const char *ips[] = { "127.0.0.1", "127.0.0.2", "127.0.0.3",
	    "127.0.0.4", "127.0.2.5", "127.0.2.6", "127.0.2.7", "127.0.2.8" };
	struct p2p_netlist nl;
	struct fake f = { .ntable = 8 };
	struct p2p_dialer *d;
	const struct p2p_dial_task *t;
	size_t n;

	CHECK_INT(p2p_netlist_parse(&nl, "127.0.2.0/24"), 0);
	for (uint32_t i = 0; i < 8; i++)
		f.table[i] = nd_ip(1 + i, ips[i]);
	d = dialer(&f, 10, &nl, NULL, 0);
	t = p2p_dialer_new_tasks(d, 0, NULL, 0, 0, &n);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_INT(t[0].kind, P2P_DIAL_TASK_DIAL);
		CHECK_INT(t[0].flags, P2P_FLAG_DYN_DIALED);
		CHECK_INT(id_num(&t[0].dest.id), 5);
		CHECK_INT(t[0].dest.ip.len, 4);
		CHECK(memcmp(t[0].dest.ip.b, f.table[4].ip.b, 4) == 0);
		CHECK_INT(t[0].dest.tcp, 30303);
		CHECK_INT(t[1].kind, P2P_DIAL_TASK_LOOKUP);
	}
	CHECK_INT(p2p_dialer_check(d, &f.table[0], NULL, 0), P2P_ERESTRICTED);
	CHECK_INT(p2p_dialer_check(d, &f.table[5], NULL, 0), 0);
	CHECK_INT(p2p_dialer_check(d, &f.table[4], NULL, 0), P2P_EDIALING);
	p2p_dialer_free(d);
}

/* Static nodes are dialed when not connected, whatever the flags of the
 * connection (TestDialStateStaticDial). */
static void
test_static_dial(void)
{
	static const struct round r[] = {
		{ .peers = { PD(1), PD(2) },
		  .want = { STA(3), STA(4), STA(5) } },
		/* All connected or being dialed. */
		{ .peers = { PD(1), PD(2), PS(3) }, .done = { STA(3) } },
		/* All connected: wait for 3's entry (46 s). */
		{ .peers = { PD(1), PD(2), PS(3), PS(4), PS(5) },
		  .done = { STA(4), STA(5) }, .want = { WAIT(14000) } },
		/* The wait runs: nothing. */
		{ .peers = { PD(1), PD(2), PS(3), PS(4), PS(5) } },
		/* 2 and 4 drop and are dialed again at once. */
		{ .peers = { PD(1), PS(3), PS(5) },
		  .want = { STA(2), STA(4) } },
	};
	struct fake f = { .ntable = 0 };
	struct sim s = { .d = dialer(&f, 0, NULL, NULL, 0) };

	add_static(s.d, 1, 5);
	RUN(&s, "static_dial", r);
	/* max_dyn_dials 0: the table is never read. */
	CHECK_INT(f.calls, 0);
	p2p_dialer_free(s.d);
}

/* Removing and re-adding static nodes clears their history, so they are
 * dialed again at once (TestDialStaticAfterReset); re-adding alone
 * does not. */
static void
test_static_after_reset(void)
{
	static const struct round r[] = {
		{ .want = { STA(1), STA(2) } },
		{ .peers = { PS(1), PS(2) }, .done = { STA(1), STA(2) },
		  .want = { WAIT(30000) } },
	};
	static const struct round again[] = {
		{ .want = { WAIT(30000) } },
	};
	struct fake f = { .ntable = 0 };
	struct sim s = { .d = dialer(&f, 0, NULL, NULL, 0) };

	add_static(s.d, 1, 2);
	RUN(&s, "static_after_reset", r);
	/* Re-adding keeps the history: no dial while it lasts (16 s, both
	 * disconnected, entries until 46 s). */
	add_static(s.d, 1, 2);
	s.running = 0;
	s.now -= 16000;		/* back to when the wait started */
	RUN(&s, "static_after_reset readd", again);
	for (uint32_t i = 1; i <= 2; i++) {
		struct p2p_nodeid id = uid(i);

		CHECK_INT(p2p_dialer_remove_static(s.d, &id), 0);
		CHECK(!p2p_dialer_is_static(s.d, &id));
	}
	add_static(s.d, 1, 2);
	s.running = 0;
	RUN(&s, "static_after_reset 2", r);
	p2p_dialer_free(s.d);
}

/* Past dials are not retried before the history lets them
 * (TestDialStateCache). */
static void
test_cache(void)
{
	static const struct round r[] = {
		{ .want = { STA(1), STA(2), STA(3) } },
		{ .peers = { PS(1), PS(2) }, .done = { STA(1), STA(2) } },
		/* 3 fails: wait for the oldest entry (1, 2 at 46 s). */
		{ .peers = { PD(1), PD(2) }, .done = { STA(3) },
		  .want = { WAIT(14000) } },
		/* 48 s: 3's entry lasts until 62 s. */
		{ .peers = { PD(1), PD(2) } },
		/* 64 s: it has expired. */
		{ .peers = { PD(1), PD(2) }, .want = { STA(3) } },
	};
	struct fake f = { .ntable = 0 };
	struct sim s = { .d = dialer(&f, 0, NULL, NULL, 0) };

	add_static(s.d, 1, 3);
	RUN(&s, "cache", r);
	p2p_dialer_free(s.d);
}

struct statics {
	size_t n;
	struct p2p_dialer_static_info s[8];
};

static void
collect_static(void *arg, const struct p2p_dialer_static_info *s)
{
	struct statics *c = arg;

	if (c->n < 8)
		c->s[c->n] = *s;
	c->n++;
}

static struct statics
statics(const struct p2p_dialer *d)
{
	struct statics c = { 0 };

	p2p_dialer_foreach_static(d, collect_static, &c);
	return c;
}

/* An incomplete static node is dialed (the task resolves first);
 * the address found replaces it (TestDialResolve). */
static void
test_resolve(void)
{
	struct fake f = { .ntable = 0 };
	struct p2p_dialer *d = dialer(&f, 0, NULL, NULL, 0);
	struct p2p_node dest = nd(1), found = nd_ip(1, "127.0.55.234");
	const struct p2p_dial_task *t;
	struct p2p_dial_task task;
	struct statics c;
	size_t n;

	CHECK_INT(p2p_dialer_add_static(d, &dest), 0);
	t = p2p_dialer_new_tasks(d, 0, NULL, 0, 0, &n);
	CHECK_INT(n, 1);
	if (n != 1)
		goto out;
	task = t[0];
	CHECK_INT(task.kind, P2P_DIAL_TASK_DIAL);
	CHECK_INT(task.flags, P2P_FLAG_STATIC_DIALED);
	CHECK_INT(task.dest.ip.len, 0);
	c = statics(d);
	CHECK_INT(c.n, 1);
	CHECK(c.s[0].dialing);
	CHECK_INT(c.s[0].last_resolved_ms, 0);
	/* Never resolved: due even at time 0. */
	CHECK(p2p_dialer_resolve_due(d, &dest.id, 0));
	p2p_dialer_resolved(d, &dest.id, &found, 0);
	p2p_dialer_task_done(d, &task, 500, NULL, 0);
	c = statics(d);
	CHECK_INT(c.n, 1);
	CHECK(!c.s[0].dialing);
	CHECK_INT(c.s[0].node.ip.len, 4);
	CHECK(memcmp(c.s[0].node.ip.b, found.ip.b, 4) == 0);
	CHECK_INT(c.s[0].node.tcp, 30303);
	CHECK_INT(c.s[0].resolve_delay_ms, P2P_DIAL_RESOLVE_MIN_MS);
	/* Resolved at 0, which is a time like any other. */
	CHECK(!p2p_dialer_resolve_due(d, &dest.id, 1000));
	CHECK(p2p_dialer_resolve_due(d, &dest.id, P2P_DIAL_RESOLVE_MIN_MS));
	/* The next dial, after the history, goes to the address found. */
	t = p2p_dialer_new_tasks(d, 0, NULL, 0, 30000, &n);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_INT(t[0].kind, P2P_DIAL_TASK_WAIT);
	t = p2p_dialer_new_tasks(d, 0, NULL, 0, 30500, &n);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_INT(t[0].kind, P2P_DIAL_TASK_DIAL);
		CHECK_INT(t[0].dest.ip.len, 4);
	}
out:
	p2p_dialer_free(d);
}

/* dialTask.resolve's back-off: 60 s doubling to 1 h, reset on success;
 * re-adding the node keeps it (dial.h). */
static void
test_resolve_backoff(void)
{
	struct fake f = { .ntable = 0 };
	struct p2p_dialer *d = dialer(&f, 0, NULL, NULL, 0);
	struct p2p_node a = nd(7), other = nd(8), found = nd_ip(7, "10.0.0.7");
	uint64_t now = 1000000, want = P2P_DIAL_RESOLVE_MIN_MS;
	struct statics c;
	int steps = 0;

	CHECK(!p2p_dialer_resolve_due(d, &a.id, now));	/* not static */
	CHECK_INT(p2p_dialer_add_static(d, &a), 0);
	CHECK(p2p_dialer_resolve_due(d, &a.id, now));
	c = statics(d);
	CHECK_INT(c.s[0].resolve_delay_ms, P2P_DIAL_RESOLVE_MIN_MS);
	while (want < P2P_DIAL_RESOLVE_MAX_MS) {
		p2p_dialer_resolved(d, &a.id, NULL, now);
		want = want * 2 > P2P_DIAL_RESOLVE_MAX_MS ?
		    P2P_DIAL_RESOLVE_MAX_MS : want * 2;
		c = statics(d);
		CHECK_INT(c.s[0].resolve_delay_ms, want);
		CHECK_INT(c.s[0].last_resolved_ms, now);
		CHECK(!p2p_dialer_resolve_due(d, &a.id, now + want - 1));
		CHECK(p2p_dialer_resolve_due(d, &a.id, now + want));
		now += want;
		steps++;
	}
	/* 60 s * 2^6 = 3840 s > 1 h: capped at the 6th failure. */
	CHECK_INT(steps, 6);
	p2p_dialer_resolved(d, &a.id, NULL, now);
	c = statics(d);
	CHECK_INT(c.s[0].resolve_delay_ms, P2P_DIAL_RESOLVE_MAX_MS);
	/* Re-adding keeps the back-off. */
	CHECK_INT(p2p_dialer_add_static(d, &a), 0);
	c = statics(d);
	CHECK_INT(c.n, 1);
	CHECK_INT(c.s[0].resolve_delay_ms, P2P_DIAL_RESOLVE_MAX_MS);
	CHECK(!p2p_dialer_resolve_due(d, &a.id, now + 1000));
	/* Success resets it and sets the address. */
	p2p_dialer_resolved(d, &a.id, &found, now);
	c = statics(d);
	CHECK_INT(c.s[0].resolve_delay_ms, P2P_DIAL_RESOLVE_MIN_MS);
	CHECK_INT(c.s[0].node.ip.len, 4);
	CHECK(!p2p_dialer_resolve_due(d, &a.id, now + 59999));
	CHECK(p2p_dialer_resolve_due(d, &a.id, now + 60000));
	/* A clock gone backwards is not due; unknown IDs are ignored. */
	CHECK(!p2p_dialer_resolve_due(d, &a.id, now - 1));
	p2p_dialer_resolved(d, &other.id, NULL, now);
	CHECK(!p2p_dialer_is_static(d, &other.id));
	p2p_dialer_free(d);
}

struct hist {
	size_t n;
	struct p2p_dialer_hist_info h[128];
};

static void
collect_hist(void *arg, const struct p2p_dialer_hist_info *h)
{
	struct hist *c = arg;

	if (c->n < 128)
		c->h[c->n] = *h;
	c->n++;
}

static struct hist
history(const struct p2p_dialer *d)
{
	struct hist c = { 0 };

	p2p_dialer_foreach_history(d, collect_hist, &c);
	return c;
}

static struct p2p_dial_task
dial_task(uint32_t id, unsigned flags)
{
	struct p2p_dial_task t;

	memset(&t, 0, sizeof(t));
	t.kind = P2P_DIAL_TASK_DIAL;
	t.flags = flags;
	t.dest = nd(id);
	return t;
}

/* A history length of its own (history_ms) is what a dial is kept for;
 * the wait the dialer asks for ends when it does. */
static void
test_history_ms(void)
{
	struct fake f = { .ntable = 0 };
	struct p2p_dialer_cfg cfg = {
		.self = uid(SELF), .random_nodes = fake_random,
		.dropped = fake_dropped, .arg = &f, .history_ms = 3000,
	};
	struct p2p_dialer *d;
	struct p2p_dial_task ta = dial_task(1, P2P_FLAG_STATIC_DIALED);
	const struct p2p_dial_task *t;
	struct p2p_node a = nd(1);
	struct hist h;
	size_t n;

	CHECK_INT(p2p_dialer_new(&d, &cfg), 0);
	add_static(d, 1, 1);
	t = p2p_dialer_new_tasks(d, 0, NULL, 0, 0, &n);
	CHECK_INT(n, 1);
	p2p_dialer_task_done(d, &ta, 1000, NULL, 0);
	h = history(d);
	CHECK_INT(h.n, 1);
	CHECK_INT(h.h[0].expires_ms, 4000);
	CHECK_INT(p2p_dialer_check(d, &a, NULL, 0), P2P_ERECENT);
	t = p2p_dialer_new_tasks(d, 0, NULL, 0, 3999, &n);
	CHECK(n == 1 && t[0].kind == P2P_DIAL_TASK_WAIT &&
	    t[0].delay_ms == 1);
	t = p2p_dialer_new_tasks(d, 0, NULL, 0, 4000, &n);
	CHECK(n == 1 && t[0].kind == P2P_DIAL_TASK_DIAL &&
	    id_num(&t[0].dest.id) == 1);
	p2p_dialer_free(d);
}

/* Removing a static node drops its history entry; removing one that is
 * not static says so. */
static void
test_remove_static_history(void)
{
	struct fake f = { .ntable = 0 };
	struct p2p_dialer *d = dialer(&f, 0, NULL, NULL, 0);
	struct p2p_node a = nd(1), b = nd(2);
	struct p2p_dial_task ta = dial_task(1, P2P_FLAG_STATIC_DIALED);
	struct p2p_dial_task tb = dial_task(2, P2P_FLAG_STATIC_DIALED);
	const struct p2p_dial_task *t;
	struct hist h;
	size_t n;

	add_static(d, 1, 2);
	t = p2p_dialer_new_tasks(d, 0, NULL, 0, 0, &n);
	CHECK_INT(n, 2);
	p2p_dialer_task_done(d, &ta, 1000, NULL, 0);
	p2p_dialer_task_done(d, &tb, 2000, NULL, 0);
	h = history(d);
	CHECK_INT(h.n, 2);
	CHECK_INT(p2p_dialer_check(d, &a, NULL, 0), P2P_ERECENT);
	CHECK_INT(p2p_dialer_remove_static(d, &a.id), 0);
	CHECK_INT(p2p_dialer_remove_static(d, &a.id), P2P_ENOTFOUND);
	h = history(d);
	CHECK_INT(h.n, 1);
	CHECK_INT(id_num(&h.h[0].id), 2);
	CHECK_INT(h.h[0].expires_ms, 2000 + P2P_DIAL_HISTORY_MS);
	CHECK_INT(p2p_dialer_check(d, &a, NULL, 0), 0);
	CHECK_INT(p2p_dialer_check(d, &b, NULL, 0), P2P_ERECENT);
	/* Added again, it is dialed at once; b waits. */
	CHECK_INT(p2p_dialer_add_static(d, &a), 0);
	t = p2p_dialer_new_tasks(d, 0, NULL, 0, 3000, &n);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_INT(t[0].kind, P2P_DIAL_TASK_DIAL);
		CHECK_INT(id_num(&t[0].dest.id), 1);
	}
	/* Static order is insertion order: b, then a. */
	CHECK_INT(statics(d).n, 2);
	CHECK_INT(id_num(&statics(d).s[0].node.id), 2);
	CHECK_INT(id_num(&statics(d).s[1].node.id), 1);
	p2p_dialer_free(d);
}

#define HN 100	/* history entries in test_wait_history */

/* Dials static nodes 1..HN, finishes them at random times (done_at) and
 * removes a random third of them (kept[i] 0). */
static struct p2p_dialer *
hist_setup(struct fake *f, uint64_t *rng, uint64_t done_at[HN],
    int kept[HN], size_t *nkept)
{
	struct p2p_dialer *d = dialer(f, 0, NULL, NULL, 0);
	size_t n;

	add_static(d, 1, HN);
	(void)p2p_dialer_new_tasks(d, 0, NULL, 0, 0, &n);
	CHECK_INT(n, HN);
	for (uint32_t i = 1; i <= HN; i++) {
		struct p2p_dial_task k = dial_task(i, P2P_FLAG_STATIC_DIALED);

		done_at[i - 1] = 1000 + p2pi_splitmix64(rng) % 20000;
		p2p_dialer_task_done(d, &k, done_at[i - 1], NULL, 0);
	}
	*nkept = 0;
	for (uint32_t i = 1; i <= HN; i++) {
		struct p2p_nodeid id = uid(i);

		kept[i - 1] = p2pi_splitmix64(rng) % 3 != 0;
		*nkept += (size_t)kept[i - 1];
		if (!kept[i - 1])
			CHECK_INT(p2p_dialer_remove_static(d, &id), 0);
	}
	return d;
}

/* Step by step, exactly the entries due are dialed, so the heap gives
 * them up in order after the removals.  Returns: failures. */
static int
hist_steps(struct p2p_dialer *d, const uint64_t done_at[HN],
    const int kept[HN])
{
	const struct p2p_dial_task *t;
	size_t n;
	int bad = 0;

	for (uint64_t now = 26000; now <= 52000; now += 250) {
		size_t left = 0, due = 0;

		t = p2p_dialer_new_tasks(d, 1, NULL, 0, now, &n);
		for (uint32_t i = 0; i < HN; i++) {
			uint64_t exp = done_at[i] + P2P_DIAL_HISTORY_MS;

			left += kept[i] && exp > now;
			due += kept[i] && exp <= now && exp > now - 250;
		}
		bad += n != due || history(d).n != left;
		for (size_t i = 0; i < n; i++) {
			uint32_t k = id_num(&t[i].dest.id);

			bad += t[i].kind != P2P_DIAL_TASK_DIAL || k < 1 ||
			    k > HN ||
			    done_at[k - 1] + P2P_DIAL_HISTORY_MS > now;
		}
	}
	return bad;
}

/*
 * The history heap: entries in any order come out soonest first, the
 * wait is the oldest expiry minus now, and expiry removes exactly the
 * entries due (an entry is gone at its expiry time).  Many seeds, so
 * that removals from the middle of the heap need every sift direction.
 */
static void
test_wait_history(void)
{
	uint64_t rng = 7, done_at[HN], min;
	int kept[HN];

	for (int seed = 0; seed < 40; seed++) {
		struct fake f = { .ntable = 0 };
		const struct p2p_dial_task *t;
		struct p2p_dialer *d;
		size_t n, nkept;
		struct hist h;

		d = hist_setup(&f, &rng, done_at, kept, &nkept);
		h = history(d);
		CHECK_INT(h.n, nkept);
		for (size_t i = 1; i < h.n && i < 128; i++)
			CHECK(h.h[i - 1].expires_ms <= h.h[i].expires_ms);
		min = UINT64_MAX;
		for (uint32_t i = 0; i < HN; i++)
			if (kept[i] && done_at[i] + P2P_DIAL_HISTORY_MS < min)
				min = done_at[i] + P2P_DIAL_HISTORY_MS;
		CHECK_INT(h.h[0].expires_ms, min);
		/* Nothing running: wait for the oldest entry. */
		t = p2p_dialer_new_tasks(d, 0, NULL, 0, 25000, &n);
		CHECK(n == 1 && t[0].kind == P2P_DIAL_TASK_WAIT &&
		    t[0].delay_ms == min - 25000);
		/* Something running: no wait. */
		(void)p2p_dialer_new_tasks(d, 1, NULL, 0, 25000, &n);
		CHECK_INT(n, 0);
		CHECK_MSG(hist_steps(d, done_at, kept) == 0, "seed %d", seed);
		p2p_dialer_free(d);
	}
}

/* Lookups start at least P2P_DIAL_LOOKUP_MS apart; the first at once. */
static void
test_lookup_interval(void)
{
	static const struct round r[] = {
		/* 0 s: the first, at once (starts at 0). */
		{ .step = 1000, .want = { LOOKUP(0) } },
		/* 1 s: no sooner than 4 s. */
		{ .step = 1000, .done = { LOOKUP(0) },
		  .want = { LOOKUP(3000) } },
		/* 2 s: the previous starts at 4 s, this one at 8 s. */
		{ .step = 7000, .done = { LOOKUP(0) },
		  .want = { LOOKUP(6000) } },
		/* 9 s: the previous starts at 8 s: 12 s. */
		{ .step = 11000, .done = { LOOKUP(0) },
		  .want = { LOOKUP(3000) } },
		/* 20 s: long enough since 12 s. */
		{ .step = 1000, .done = { LOOKUP(0) }, .want = { LOOKUP(0) } },
		/* 21 s: one runs already. */
		{ .peers = { PD(1) } },
	};
	struct fake f = { .ntable = 0 };
	struct sim s = { .d = dialer(&f, 3, NULL, NULL, 0) };

	RUN(&s, "lookup_interval", r);
	p2p_dialer_free(s.d);
}

/* Static nodes that are ourselves or outside NetRestrict leave the static
 * set, and the caller hears of it once. */
static void
test_dropped(void)
{
	struct p2p_node good = nd_ip(1, "10.1.2.3");
	struct p2p_node self = nd_ip(SELF, "10.1.2.4");
	struct p2p_node outside = nd_ip(2, "192.168.1.1");
	struct p2p_node incomplete = nd(3);
	struct p2p_netlist nl;
	struct fake f = { .ntable = 0 };
	const struct p2p_dial_task *t;
	struct p2p_dialer *d;
	size_t n;

	CHECK_INT(p2p_netlist_parse(&nl, "10.0.0.0/8"), 0);
	d = dialer(&f, 0, &nl, NULL, 0);
	CHECK_INT(p2p_dialer_add_static(d, &self), 0);
	CHECK_INT(p2p_dialer_add_static(d, &good), 0);
	CHECK_INT(p2p_dialer_add_static(d, &outside), 0);
	CHECK_INT(p2p_dialer_add_static(d, &incomplete), 0);
	t = p2p_dialer_new_tasks(d, 0, NULL, 0, 0, &n);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_INT(id_num(&t[0].dest.id), 1);
	/* v1.8.24: with NetRestrict, an incomplete node (no IP) is
	 * outside it and dropped too. */
	CHECK_INT(f.ndropped, 3);
	CHECK_INT(id_num(&f.dropped[0].id), SELF);
	CHECK_INT(f.dropped_err[0], P2P_ESELF);
	CHECK_INT(id_num(&f.dropped[1].id), 2);
	CHECK_INT(f.dropped_err[1], P2P_ERESTRICTED);
	CHECK_INT(id_num(&f.dropped[2].id), 3);
	CHECK_INT(f.dropped_err[2], P2P_ERESTRICTED);
	CHECK(!p2p_dialer_is_static(d, &self.id));
	CHECK(!p2p_dialer_is_static(d, &outside.id));
	CHECK(!p2p_dialer_is_static(d, &incomplete.id));
	CHECK(p2p_dialer_is_static(d, &good.id));
	CHECK_INT(statics(d).n, 1);
	t = p2p_dialer_new_tasks(d, 1, NULL, 0, 1000, &n);
	CHECK_INT(n, 0);
	CHECK_INT(f.ndropped, 3);
	p2p_dialer_free(d);
}

/* checkDial's order: dialing, connected, self, NetRestrict, history. */
static void
test_check_order(void)
{
	struct p2p_netlist nl;
	struct fake f = { .ntable = 0 };
	struct p2p_dialer *d;
	struct p2p_node a = nd_ip(1, "10.0.0.1"), self = nd_ip(SELF, "1.1.1.1");
	struct p2p_node b = nd_ip(2, "1.2.3.4");
	struct p2p_dial_peer peers[2] = {
		{ .id = uid(1), .flags = P2P_FLAG_INBOUND },
		{ .id = uid(SELF), .flags = P2P_FLAG_INBOUND },
	};
	struct p2p_dial_task tb = dial_task(2, P2P_FLAG_STATIC_DIALED);
	size_t n;

	CHECK_INT(p2p_netlist_parse(&nl, "10.0.0.0/8"), 0);
	d = dialer(&f, 0, &nl, NULL, 0);
	CHECK_INT(p2p_dialer_add_static(d, &a), 0);
	(void)p2p_dialer_new_tasks(d, 0, NULL, 0, 0, &n);
	CHECK_INT(n, 1);
	CHECK_INT(p2p_dialer_check(d, &a, peers, 2), P2P_EDIALING);
	CHECK_INT(p2p_dialer_check(d, &self, peers, 2), P2P_ECONNECTED);
	CHECK_INT(p2p_dialer_check(d, &self, NULL, 0), P2P_ESELF);
	p2p_dialer_task_done(d, &tb, 0, NULL, 0);
	CHECK_INT(p2p_dialer_check(d, &b, NULL, 0), P2P_ERESTRICTED);
	CHECK_INT(p2p_dialer_remove_static(d, &b.id), P2P_ENOTFOUND);
	CHECK_INT(history(d).n, 0);	/* the entry went all the same */
	p2p_dialer_free(d);
}

/* The lookup buffer keeps at most 16 results per dynamic dial slot. */
static void
test_lookup_cap(void)
{
	struct fake f = { .ntable = 0 };
	struct p2p_dialer *d = dialer(&f, 1, NULL, NULL, 0);
	struct p2p_dial_task lk = { .kind = P2P_DIAL_TASK_LOOKUP }, dt;
	struct p2p_dial_peer full = { .id = uid(999),
	    .flags = P2P_FLAG_DYN_DIALED };
	const struct p2p_dial_task *t;
	struct p2p_node res[40];
	uint64_t now = 0;
	int dials = 0;
	size_t n;

	for (uint32_t i = 0; i < 40; i++)
		res[i] = nd(1 + i);
	t = p2p_dialer_new_tasks(d, 0, NULL, 0, now, &n);
	CHECK_INT(n, 1);
	CHECK_INT(t[0].kind, P2P_DIAL_TASK_LOOKUP);
	p2p_dialer_task_done(d, &lk, now, res, 40);
	/* Full: nothing taken from the buffer. */
	t = p2p_dialer_new_tasks(d, 1, &full, 1, now, &n);
	CHECK_INT(n, 0);
	for (;;) {
		t = p2p_dialer_new_tasks(d, 0, NULL, 0, now += 10, &n);
		if (n != 1 || t[0].kind != P2P_DIAL_TASK_DIAL)
			break;
		CHECK_INT(id_num(&t[0].dest.id), 1 + dials);
		dials++;
		dt = t[0];
		p2p_dialer_task_done(d, &dt, now, NULL, 0);
	}
	CHECK_INT(dials, 16);
	CHECK_INT(n, 1);
	CHECK_INT(t[0].kind, P2P_DIAL_TASK_LOOKUP);
	p2p_dialer_free(d);
}

/* The randomized run's world: peers and tasks under way. */
struct world {
	struct p2p_dial_peer peers[64];
	size_t npeers;
	struct p2p_dial_task run[64];
	size_t nrun;
	uint64_t rng, now, last_lookup;
	int lookups;
};

static uint64_t
wrnd(struct world *w, uint64_t n)
{
	return p2pi_splitmix64(&w->rng) % n;
}

static int
w_connected(const struct world *w, const struct p2p_nodeid *id)
{
	for (size_t i = 0; i < w->npeers; i++)
		if (memcmp(w->peers[i].id.b, id->b, sizeof(id->b)) == 0)
			return 1;
	return 0;
}

/* Finishes some tasks: dials connect half the time, lookups find up to
 * 16 nodes, some of them in the table. */
static void
w_finish(struct world *w, struct p2p_dialer *d)
{
	size_t i = 0;

	while (i < w->nrun) {
		struct p2p_dial_task t = w->run[i];
		struct p2p_node res[16];
		size_t nres = 0;

		if (wrnd(w, 3) != 0) {
			i++;
			continue;
		}
		w->run[i] = w->run[--w->nrun];
		if (t.kind == P2P_DIAL_TASK_DIAL && wrnd(w, 2) &&
		    !w_connected(w, &t.dest.id) && w->npeers < 64) {
			w->peers[w->npeers].id = t.dest.id;
			w->peers[w->npeers++].flags = t.flags;
		}
		if (t.kind == P2P_DIAL_TASK_LOOKUP)
			nres = wrnd(w, 17);
		for (size_t j = 0; j < nres; j++)
			res[j] = nd(1 + (uint32_t)wrnd(w, 80));
		p2p_dialer_task_done(d, &t, w->now, res, nres);
	}
}

/* Drops some peers, and lets an inbound one in now and then. */
static void
w_churn(struct world *w)
{
	for (size_t i = 0; i < w->npeers;) {
		if (wrnd(w, 8) == 0)
			w->peers[i] = w->peers[--w->npeers];
		else
			i++;
	}
	if (wrnd(w, 4) == 0 && w->npeers < 64) {
		struct p2p_nodeid id = uid(1 + (uint32_t)wrnd(w, 80));

		if (!w_connected(w, &id)) {
			w->peers[w->npeers].id = id;
			w->peers[w->npeers++].flags = P2P_FLAG_INBOUND;
		}
	}
}

/* Checks one round's new tasks against the world; returns failures. */
static int
w_check(struct world *w, const struct p2p_dial_task *t, size_t n,
    unsigned maxdyn)
{
	int bad = 0, dyn = 0;

	for (size_t i = 0; i < n; i++) {
		if (t[i].kind == P2P_DIAL_TASK_DIAL) {
			bad += w_connected(w, &t[i].dest.id);
			bad += id_num(&t[i].dest.id) == SELF;
			for (size_t j = 0; j < w->nrun; j++)
				bad += w->run[j].kind == P2P_DIAL_TASK_DIAL &&
				    memcmp(w->run[j].dest.id.b,
				    t[i].dest.id.b, 32) == 0;
		}
		if (t[i].kind == P2P_DIAL_TASK_LOOKUP) {
			for (size_t j = 0; j < w->nrun; j++)
				bad += w->run[j].kind == P2P_DIAL_TASK_LOOKUP;
			bad += w->lookups && w->now + t[i].delay_ms <
			    w->last_lookup + P2P_DIAL_LOOKUP_MS;
			w->last_lookup = w->now + t[i].delay_ms;
			w->lookups++;
		}
		bad += t[i].kind == P2P_DIAL_TASK_WAIT && (w->nrun > 0 ||
		    n > 1);
		if (w->nrun < 64)
			w->run[w->nrun++] = t[i];
	}
	for (size_t i = 0; i < w->npeers; i++)
		dyn += (w->peers[i].flags & P2P_FLAG_DYN_DIALED) != 0;
	for (size_t i = 0; i < w->nrun; i++)
		dyn += w->run[i].kind == P2P_DIAL_TASK_DIAL &&
		    (w->run[i].flags & P2P_FLAG_DYN_DIALED);
	bad += dyn > (int)maxdyn;
	return bad;
}

/* A randomized run: never more than max_dyn_dials dynamic peers and
 * dials together, never a dial to a peer, to ourselves or to a node
 * being dialed, one lookup at a time and 4 s apart. */
static void
test_randomized(void)
{
	struct fake f = { .ntable = 30 };
	struct p2p_node boot[] = { nd(90), nd(91) };
	struct world *w = calloc(1, sizeof(*w));
	struct p2p_dialer *d;
	const unsigned maxdyn = 7;
	int bad = 0, dials = 0;

	if (w == NULL)
		abort();
	w->rng = 42;
	for (uint32_t i = 0; i < 30; i++)
		f.table[i] = nd(1 + i);
	f.table[5] = nd(SELF);
	d = dialer(&f, maxdyn, NULL, boot, 2);
	add_static(d, 100, 102);
	for (int step = 0; step < 3000; step++) {
		const struct p2p_dial_task *t;
		size_t n;

		w->now += wrnd(w, 6000);
		/* The fake table shuffles a little between calls. */
		for (int k = 0; k < 3; k++) {
			size_t a = wrnd(w, 30), b = wrnd(w, 30);
			struct p2p_node x = f.table[a];

			f.table[a] = f.table[b];
			f.table[b] = x;
		}
		w_finish(w, d);
		w_churn(w);
		t = p2p_dialer_new_tasks(d, w->nrun, w->peers, w->npeers,
		    w->now, &n);
		for (size_t i = 0; i < n; i++)
			dials += t[i].kind == P2P_DIAL_TASK_DIAL;
		bad += w_check(w, t, n, maxdyn);
		CHECK_MSG(bad == 0, "invariant broken at step %d", step);
		if (bad)
			break;
	}
	CHECK(dials > 100);
	CHECK(w->lookups > 10);
	p2p_dialer_free(d);
	free(w);
}

/* A dial started outside the scheduler (p2p_server_dial) and a budget
 * changed at run time. */
static void
test_marked_and_budget(void)
{
	struct fake f = { .ntable = 8 };
	struct p2p_dialer *d;
	const struct p2p_dial_task *t;
	struct p2p_dial_task done = { .kind = P2P_DIAL_TASK_DIAL };
	size_t n, dyn = 0;

	for (uint32_t i = 0; i < 8; i++)
		f.table[i] = nd(1 + i);
	d = dialer(&f, 0, NULL, NULL, 0);
	/* Marked: not dialed by a task, refused twice, checked as dialing. */
	CHECK_INT(p2p_dialer_add_static(d, &f.table[0]), 0);
	CHECK_INT(p2p_dialer_mark_dialing(d, &f.table[0],
	    P2P_FLAG_STATIC_DIALED), 0);
	CHECK_INT(p2p_dialer_mark_dialing(d, &f.table[0],
	    P2P_FLAG_STATIC_DIALED), P2P_EDIALING);
	CHECK_INT(p2p_dialer_check(d, &f.table[0], NULL, 0), P2P_EDIALING);
	t = p2p_dialer_new_tasks(d, 0, NULL, 0, 0, &n);
	for (size_t i = 0; i < n; i++)
		CHECK(t[i].kind != P2P_DIAL_TASK_DIAL);
	/* Done as any dial: in the history, no longer dialing. */
	done.dest = f.table[0];
	done.flags = P2P_FLAG_STATIC_DIALED;
	p2p_dialer_task_done(d, &done, 0, NULL, 0);
	t = p2p_dialer_new_tasks(d, 0, NULL, 0, 0, &n);
	CHECK_INT(p2p_dialer_check(d, &f.table[0], NULL, 0), P2P_ERECENT);
	/* Budget 0 dials nobody dynamically; 6 reads 3 random table nodes
	 * (half the budget): the first is still recent, 2 are dialed. */
	CHECK_INT(p2p_dialer_set_max_dyn(d, 6), 0);
	t = p2p_dialer_new_tasks(d, 0, NULL, 0, 1000, &n);
	for (size_t i = 0; i < n; i++)
		dyn += t[i].kind == P2P_DIAL_TASK_DIAL &&
		    (t[i].flags & P2P_FLAG_DYN_DIALED);
	CHECK_INT(dyn, 2);
	CHECK_INT(p2p_dialer_set_max_dyn(d, 0), 0);
	p2p_dialer_free(d);
}

const struct unit_test unit_dial[] = {
	{ "marked_and_budget", test_marked_and_budget },
	{ "dyn_dial", test_dyn_dial },
	{ "dyn_dial_bootnode", test_dyn_dial_bootnode },
	{ "dyn_dial_from_table", test_dyn_dial_from_table },
	{ "net_restrict", test_net_restrict },
	{ "static_dial", test_static_dial },
	{ "static_after_reset", test_static_after_reset },
	{ "cache", test_cache },
	{ "resolve", test_resolve },
	{ "resolve_backoff", test_resolve_backoff },
	{ "remove_static_history", test_remove_static_history },
	{ "history_ms", test_history_ms },
	{ "wait_history", test_wait_history },
	{ "lookup_interval", test_lookup_interval },
	{ "dropped", test_dropped },
	{ "check_order", test_check_order },
	{ "lookup_cap", test_lookup_cap },
	{ "randomized", test_randomized },
	{ NULL, NULL },
};
