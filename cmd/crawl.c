/*
 * crawl.c - p2p-discover's crawler: walks the network from some nodes,
 * asking each for its record and for its neighbours toward itself and
 * three random keys, until nothing new turns up.  One "node" record per
 * node, then a "crawl" summary (crawl.h).  What a hostile node hands out
 * is bounded: duplicates are found through a hash index, and at most
 * CRAWL_SUBNET_MAX nodes of one /24 (or /64) are crawled.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include <p2p/disc.h>
#include <p2p/json.h>

#include "cli.h"
#include "crawl.h"

#define CRAWL_TARGETS 4		/* findnode targets per node */
/* Nodes crawled per IPv4 /24 or IPv6 /64, loopback included: a node may
 * hand out any address, and each one we crawl costs requests to it.  Our
 * loopback test networks have 21 nodes at most. */
#define CRAWL_SUBNET_MAX 32

enum cstate { CN_QUEUED, CN_BUSY, CN_DONE, CN_DROPPED };

struct cnode {
	struct p2p_node node;
	struct p2p_enr *rec;	/* owned; NULL until known */
	double first, last;	/* unix seconds of responses, 0 none */
	int asked;		/* findnodes done */
	enum cstate state;	/* CN_DROPPED: over CRAWL_SUBNET_MAX */
};

/* A subnet and how many of its nodes are crawled; count 0: a free slot. */
struct csubnet {
	uint64_t prefix;	/* the /24's 3 bytes, or the /64's 8 */
	uint32_t count;
	uint8_t v6;
};

/*
 * Dropped nodes stay in n, never asked, so that the index knows them and
 * each is counted once.  The two hash tables (open addressing, linear
 * probing) have 2 * cap slots, a power of two: each holds at most one key
 * per node, so a free slot always exists.  Whoever hands us nodes picks
 * their IDs (ground keys) and addresses, so slots come from a multiplier
 * that is random per run.
 */
struct crawl {
	struct crawl_cfg cfg;
	struct cnode *n;
	size_t len, cap;
	size_t next;		/* first queued index */
	unsigned busy;
	size_t responded;
	size_t dropped;		/* nodes in state CN_DROPPED */
	int finished;		/* the summary is out */
	int broken;		/* emit failed: stop asking */
	size_t *ids;		/* node ID index: 0 free, else i + 1 of n[i] */
	struct csubnet *nets;	/* crawled nodes per subnet */
	unsigned bits;		/* log2 of the slots of each */
	uint64_t mul;		/* odd */
	uint64_t t0;
};

static double
wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
crawl_hash(const struct crawl *c, uint64_t key)
{
	/* Multiply-shift: the top bits depend on every bit of key. */
	return (size_t)((key * c->mul) >> (64 - c->bits));
}

/* Returns: the ID index slot of id, or the free slot where it goes. */
static size_t *
crawl_id_slot(const struct crawl *c, const struct p2p_nodeid *id)
{
	size_t mask = ((size_t)1 << c->bits) - 1;
	uint64_t key;
	size_t i;

	/* An ID is a keccak hash: its first 8 bytes are as good as any. */
	memcpy(&key, id->b, sizeof(key));
	for (i = crawl_hash(c, key); c->ids[i] != 0; i = (i + 1) & mask)
		if (memcmp(c->n[c->ids[i] - 1].node.id.b, id->b, 32) == 0)
			break;
	return &c->ids[i];
}

/*
 * The subnet CRAWL_SUBNET_MAX counts for ip: an IPv4 /24 (IPv4-mapped
 * IPv6 too) or an IPv6 /64.
 * Returns: 1 and *prefix, *v6; 0 if ip is absent.
 */
static int
crawl_subnet(const struct p2p_ip *ip, uint64_t *prefix, uint8_t *v6)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	const uint8_t *b = ip->b;

	if (ip->len == 16 && memcmp(b, mapped, 12) != 0) {
		*prefix = 0;
		for (size_t k = 0; k < 8; k++)
			*prefix = *prefix << 8 | b[k];
		*v6 = 1;
		return 1;
	}
	if (ip->len == 16)
		b += 12;
	else if (ip->len != 4)
		return 0;
	*prefix = (uint64_t)b[0] << 16 | (uint64_t)b[1] << 8 | b[2];
	*v6 = 0;
	return 1;
}

/* Returns: the slot of ip's subnet, or the free slot where it goes; NULL
 * if ip is absent. */
static struct csubnet *
crawl_net_slot(const struct crawl *c, const struct p2p_ip *ip)
{
	size_t mask = ((size_t)1 << c->bits) - 1;
	uint64_t prefix;
	uint8_t v6;
	size_t i;

	if (!crawl_subnet(ip, &prefix, &v6))
		return NULL;
	for (i = crawl_hash(c, prefix); c->nets[i].count != 0;
	    i = (i + 1) & mask)
		if (c->nets[i].prefix == prefix && c->nets[i].v6 == v6)
			break;
	c->nets[i].prefix = prefix;
	c->nets[i].v6 = v6;
	return &c->nets[i];
}

/* Doubles n and rebuilds both tables at their new size.  Returns 0 or
 * -1 (out of memory; the crawl goes on as it was). */
static int
crawl_grow(struct crawl *c)
{
	size_t cap = c->cap ? 2 * c->cap : 64;
	unsigned bits = c->bits ? c->bits + 1 : 7;	/* 2 * 64 slots */
	struct cnode *m;
	size_t *ids;
	struct csubnet *nets, *net;

	if (cap > SIZE_MAX / 2 / sizeof(*m))
		return -1;
	if ((m = realloc(c->n, cap * sizeof(*m))) == NULL)
		return -1;
	c->n = m;
	ids = calloc(2 * cap, sizeof(*ids));
	nets = calloc(2 * cap, sizeof(*nets));
	if (ids == NULL || nets == NULL) {
		free(ids);
		free(nets);
		return -1;
	}
	if (c->mul == 0 && getrandom(&c->mul, sizeof(c->mul), 0) !=
	    (ssize_t)sizeof(c->mul))
		c->mul = (uint64_t)rand() << 32 ^ (uint64_t)rand();
	c->mul |= 1;
	free(c->ids);
	free(c->nets);
	c->ids = ids;
	c->nets = nets;
	c->cap = cap;
	c->bits = bits;
	for (size_t i = 0; i < c->len; i++) {
		*crawl_id_slot(c, &c->n[i].node.id) = i + 1;
		if (c->n[i].state != CN_DROPPED &&
		    (net = crawl_net_slot(c, &c->n[i].node.ip)) != NULL)
			net->count++;
	}
	return 0;
}

/* Returns: 1 if n is new and will be crawled, 0 if known or over
 * CRAWL_SUBNET_MAX (then counted in c->dropped), -1 out of memory. */
static int
crawl_add(struct crawl *c, const struct p2p_node *n)
{
	size_t *slot;
	struct csubnet *net;
	struct cnode *cn;

	/* Nodes we bonded with know us by now and may hand us out. */
	if (memcmp(n->id.b, p2p_disc_self(c->cfg.d)->id.b, 32) == 0)
		return 0;
	if (c->len == c->cap && crawl_grow(c) != 0)
		return -1;
	if (*(slot = crawl_id_slot(c, &n->id)) != 0)
		return 0;
	cn = &c->n[c->len];
	memset(cn, 0, sizeof(*cn));
	cn->node = *n;
	*slot = ++c->len;
	if ((net = crawl_net_slot(c, &n->ip)) == NULL)
		return 1;
	if (net->count >= CRAWL_SUBNET_MAX) {
		cn->state = CN_DROPPED;
		c->dropped++;
		return 0;
	}
	net->count++;
	return 1;
}

/* The record that ends a crawl. */
static void
crawl_summary(struct crawl *c, int complete)
{
	json_t *o = cli_record("crawl");

	json_object_set_new(o, "nodes",
	    json_integer((json_int_t)(c->len - c->dropped)));
	json_object_set_new(o, "responsive",
	    json_integer((json_int_t)c->responded));
	json_object_set_new(o, "complete", json_boolean(complete));
	json_object_set_new(o, "dropped_subnet",
	    json_integer((json_int_t)c->dropped));
	if (c->cfg.emit(c->cfg.arg, o) != 0)
		c->broken = 1;
}

static void crawl_pump(struct crawl *c);
static void crawl_findnode(struct crawl *c, size_t i);

static void
crawl_responded(struct crawl *c, struct cnode *cn)
{
	double now = wall();

	if (cn->first == 0) {
		cn->first = now;
		c->responded++;
	}
	cn->last = now;
}

static void
crawl_finish_node(struct crawl *c, size_t i)
{
	struct cnode *cn = &c->n[i];
	json_t *o = cli_record("node"), *j;

	cn->state = CN_DONE;
	c->busy--;
	j = p2p_json_node(&cn->node);
	json_object_update(o, j);
	json_decref(j);
	if (cn->rec != NULL) {
		char text[P2P_ENR_MAX_SIZE * 2];
		size_t tl = sizeof(text);

		if (p2p_enr_format(cn->rec, text, &tl) == 0)
			json_object_set_new(o, "enr", json_stringn(text, tl));
		json_object_set_new(o, "seq", p2p_json_uint(cn->rec->seq));
	} else {
		json_object_set_new(o, "enr", json_null());
	}
	json_object_set_new(o, "responded", json_boolean(cn->first != 0));
	json_object_set_new(o, "first_response", cn->first ?
	    json_real(cn->first) : json_null());
	json_object_set_new(o, "last_response", cn->last ?
	    json_real(cn->last) : json_null());
	if (c->cfg.emit(c->cfg.arg, o) != 0)
		c->broken = 1;
}

/* Operation callbacks get the node's index packed in the pointer (the
 * array moves when it grows) and find the crawl in the_crawl: one crawl
 * per process (crawl_new refuses a second). */
static struct crawl *the_crawl;


#define IDX(p) ((size_t)(uintptr_t)(p))
#define PTR(i) ((void *)(uintptr_t)(i))

static void
crawl_nodes(void *arg, int err, const struct p2p_node *n,
    const struct p2p_node *nodes, size_t count)
{
	struct crawl *c = the_crawl;
	size_t i = IDX(arg);

	(void)n;
	/* err 0 is a neighbors packet from the node: an answer even when it
	 * names no one (v1.8.24 hands out only nodes it has revalidated, so
	 * a young bootnode's list is often empty). */
	if (err == 0)
		crawl_responded(c, &c->n[i]);
	for (size_t k = 0; k < count; k++) {
		if (crawl_add(c, &nodes[k]) > 0 && c->cfg.save)
			p2p_nodedb_put_node(p2p_disc_db(c->cfg.d),
			    &nodes[k], NULL, 0, 0, (uint64_t)time(NULL));
	}
	/* Unanswered twice: no point asking more. */
	if ((err != 0 && c->n[i].asked >= 2) ||
	    c->n[i].asked >= CRAWL_TARGETS)
		crawl_finish_node(c, i);
	else
		crawl_findnode(c, i);
	crawl_pump(c);
}

static void
crawl_findnode(struct crawl *c, size_t i)
{
	struct p2p_pubkey t;
	struct cnode *cn = &c->n[i];

	/* First toward the node itself (its neighbourhood), then toward
	 * random keys (the rest of its table). */
	if (cn->asked == 0) {
		t = cn->node.pub;
	} else {
		for (size_t k = 0; k < sizeof(t.b); k++)
			t.b[k] = (uint8_t)rand();
	}
	cn->asked++;
	if (p2p_disc_findnode(c->cfg.d, &cn->node, &t, crawl_nodes,
	    PTR(i)) != 0)
		crawl_finish_node(c, i);
}

static void
crawl_enr(void *arg, int err, const struct p2p_node *n,
    const struct p2p_enr *rec)
{
	struct crawl *c = the_crawl;
	size_t i = IDX(arg);

	(void)n;
	if (err == 0) {
		crawl_responded(c, &c->n[i]);
		if ((c->n[i].rec = malloc(sizeof(*rec))) != NULL)
			*c->n[i].rec = *rec;
	}
	crawl_findnode(c, i);
}

static void
crawl_pump(struct crawl *c)
{
	while (!c->broken && c->busy < c->cfg.concurrency &&
	    c->next < c->len) {
		size_t i = c->next++;

		if (c->n[i].state == CN_DROPPED)
			continue;
		c->n[i].state = CN_BUSY;
		c->busy++;
		if (p2p_disc_request_enr(c->cfg.d, &c->n[i].node, crawl_enr,
		    PTR(i)) != 0)
			crawl_finish_node(c, i);
	}
	if (!c->finished && c->busy == 0 && (c->next == c->len ||
	    c->broken)) {
		c->finished = 1;
		crawl_summary(c, 1);
		c->cfg.done(c->cfg.arg, c->responded > 0);
	}
}

static int
crawl_seed(void *arg, const struct p2p_node *n, const uint8_t *enr,
    size_t enr_len, uint64_t first_seen)
{
	(void)enr;
	(void)enr_len;
	(void)first_seen;
	if (n->ip.len != 0 && n->udp != 0)
		crawl_add(arg, n);
	return 0;
}

struct crawl *
crawl_new(const struct crawl_cfg *cfg)
{
	struct crawl *c;

	if (the_crawl != NULL || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->cfg = *cfg;
	the_crawl = c;
	return c;
}

int
crawl_add_node(struct crawl *c, const struct p2p_node *n)
{
	return crawl_add(c, n) < 0 ? -1 : 0;
}

int
crawl_add_db(struct crawl *c, struct p2p_nodedb *db)
{
	return p2p_nodedb_foreach(db, crawl_seed, c);
}

void
crawl_start(struct crawl *c)
{
	crawl_pump(c);
}

int
crawl_stop(struct crawl *c)
{
	if (c->finished)
		return -1;
	c->finished = 1;
	/* The nodes in hand, with what they said so far. */
	for (size_t i = 0; i < c->len; i++)
		if (c->n[i].state == CN_BUSY)
			crawl_finish_node(c, i);
	crawl_summary(c, 0);
	return c->responded > 0;
}

void
crawl_free(struct crawl *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->len; i++)
		free(c->n[i].rec);
	free(c->n);
	free(c->ids);
	free(c->nets);
	free(c);
	the_crawl = NULL;
}

