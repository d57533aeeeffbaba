/* test_nodedb.c - the SQLite node database: round trips, record sequence
 * rules, per-IP bookkeeping, seeds, the expiry sweep, the local sequence
 * number, wiping on schema/self mismatch, batches, durability across
 * kill -9 and refusal of corrupt files.  live_seeds: only nodes marked
 * live (held by the table) seed, never bonding bookkeeping or records of
 * other nodes; schema_v1: a file of the schema without that mark is
 * wiped, so the nodes its writer kept for every bond do not seed. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include <p2p/nodedb.h>

#include "unit.h"

#define NOW 1700000000ULL
#define DAY 86400ULL

static char dir[64];
static char dbpath[128];

static void
mkdir_tmp(void)
{
	unit_mkdtemp(dir, sizeof(dir), "nodedb");
	snprintf(dbpath, sizeof(dbpath), "%s/nodes.db", dir);
}

static void
rm_tmp(void)
{
	unit_rmdir(dir);
}

static void
write_file(const char *path, const void *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, data, n) != (ssize_t)n)
		abort();
	close(fd);
}

/* Runs SQL on a file behind the database's back (to fake old versions
 * and corrupt rows). */
static int
raw_sql(const char *path, const char *sql)
{
	sqlite3 *s = NULL;
	int rc = sqlite3_open(path, &s);

	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s, sql, NULL, NULL, NULL);
	sqlite3_close(s);
	return rc;
}

/* Node i: a made-up public key (the database does not check the curve),
 * its real ID, 10.x.y.z or an IPv6 address. */
static void
mknode(struct p2p_node *n, unsigned i, int v6)
{
	memset(n, 0, sizeof(*n));
	for (int k = 0; k < P2P_PUBKEY_LEN; k++)
		n->pub.b[k] = (uint8_t)(i >> (8 * (k % 4))) ^ (uint8_t)(k * 7);
	p2p_enode_id(&n->id, &n->pub);
	if (v6) {
		n->ip.len = 16;
		n->ip.b[0] = 0x20;
		n->ip.b[1] = 0x01;
		n->ip.b[12] = (uint8_t)(i >> 24);
		n->ip.b[13] = (uint8_t)(i >> 16);
		n->ip.b[14] = (uint8_t)(i >> 8);
		n->ip.b[15] = (uint8_t)i;
	} else {
		n->ip.len = 4;
		n->ip.b[0] = 10;
		n->ip.b[1] = (uint8_t)(i >> 16);
		n->ip.b[2] = (uint8_t)(i >> 8);
		n->ip.b[3] = (uint8_t)i;
	}
	n->udp = (uint16_t)(30303 + i % 1000);
	n->tcp = (uint16_t)(30303 + i % 7);
}

static struct p2p_ip
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct p2p_ip ip = { .len = 4, .b = { a, b, c, d } };

	return ip;
}

static struct p2p_nodeid
self_id(uint8_t v)
{
	struct p2p_nodeid id;

	memset(id.b, v, sizeof(id.b));
	return id;
}

static int
same_node(const struct p2p_node *a, const struct p2p_node *b)
{
	return memcmp(a->pub.b, b->pub.b, sizeof(a->pub.b)) == 0 &&
	    memcmp(a->id.b, b->id.b, sizeof(a->id.b)) == 0 &&
	    a->ip.len == b->ip.len &&
	    memcmp(a->ip.b, b->ip.b, a->ip.len) == 0 &&
	    a->udp == b->udp && a->tcp == b->tcp;
}

static size_t
count(struct p2p_nodedb *db)
{
	size_t n = 99999;

	CHECK_INT(p2p_nodedb_count(db, &n), 0);
	return n;
}

static void
test_open_close(void)
{
	struct p2p_nodeid self = self_id(1);
	struct p2p_nodedb *db = NULL;
	struct stat st;
	char wal[160];

	CHECK_INT(p2p_nodedb_open(&db, NULL, &self), 0);
	CHECK(db != NULL);
	CHECK_STR(p2p_nodedb_errmsg(db), "");
	CHECK_INT(count(db), 0);
	p2p_nodedb_close(db);
	CHECK_INT(p2p_nodedb_open(&db, ":memory:", &self), 0);
	p2p_nodedb_close(db);
	p2p_nodedb_close(NULL);

	mkdir_tmp();
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), 0);
	CHECK_INT(stat(dbpath, &st), 0);
	/* WAL journal: the -wal file exists while the database is open. */
	snprintf(wal, sizeof(wal), "%s-wal", dbpath);
	CHECK_INT(stat(wal, &st), 0);
	p2p_nodedb_close(db);
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), 0);
	CHECK_INT(count(db), 0);
	p2p_nodedb_close(db);
	rm_tmp();
}

static void
test_put_get(void)
{
	struct p2p_nodeid self = self_id(1);
	struct p2p_nodedb *db;
	struct p2p_node a, b, got;
	uint8_t rec[P2P_NODEDB_ENR_MAX], out[P2P_NODEDB_ENR_MAX];
	size_t len = 1234;
	uint64_t fs = 0;

	for (size_t i = 0; i < sizeof(rec); i++)
		rec[i] = (uint8_t)(i * 31 + 7);
	CHECK_INT(p2p_nodedb_open(&db, NULL, &self), 0);
	mknode(&a, 1, 0);
	mknode(&b, 2, 1);
	CHECK_INT(p2p_nodedb_put_node(db, &a, NULL, 0, 0, NOW), 0);
	CHECK_INT(p2p_nodedb_put_node(db, &b, rec, sizeof(rec), 7, NOW + 1), 0);
	CHECK_INT(count(db), 2);

	memset(&got, 0xee, sizeof(got));
	CHECK_INT(p2p_nodedb_get_node(db, &a.id, &got, out, &len, &fs), 0);
	CHECK(same_node(&got, &a));
	CHECK_INT(len, 0);
	CHECK_INT(fs, NOW);
	CHECK_INT(p2p_nodedb_get_node(db, &b.id, &got, out, &len, &fs), 0);
	CHECK(same_node(&got, &b));
	CHECK_INT(got.ip.len, 16);
	CHECK_INT(len, sizeof(rec));
	CHECK(memcmp(out, rec, sizeof(rec)) == 0);
	CHECK_INT(fs, NOW + 1);
	CHECK_INT(p2p_nodedb_get_node(db, &b.id, NULL, NULL, NULL, NULL), 0);

	/* An update changes the endpoint, keeps first_seen and the record. */
	b.udp = 1;
	b.tcp = 0;
	b.ip = ip4(192, 168, 0, 9);
	CHECK_INT(p2p_nodedb_put_node(db, &b, NULL, 0, 0, NOW + 50), 0);
	CHECK_INT(p2p_nodedb_get_node(db, &b.id, &got, out, &len, &fs), 0);
	CHECK(same_node(&got, &b));
	CHECK_INT(fs, NOW + 1);
	CHECK_INT(len, sizeof(rec));

	/* An incomplete node (no IP) and an IPv4-mapped address (stored
	 * as its 4 IPv4 bytes). */
	b.ip.len = 0;
	CHECK_INT(p2p_nodedb_put_node(db, &b, NULL, 0, 0, NOW), 0);
	CHECK_INT(p2p_nodedb_get_node(db, &b.id, &got, NULL, NULL, NULL), 0);
	CHECK(same_node(&got, &b));
	memset(&b.ip, 0, sizeof(b.ip));
	b.ip.len = 16;
	b.ip.b[10] = b.ip.b[11] = 0xff;
	b.ip.b[12] = 1;
	b.ip.b[15] = 4;
	CHECK_INT(p2p_nodedb_put_node(db, &b, NULL, 0, 0, NOW), 0);
	CHECK_INT(p2p_nodedb_get_node(db, &b.id, &got, NULL, NULL, NULL), 0);
	CHECK_INT(got.ip.len, 4);
	CHECK_HEX(got.ip.b, 4, "01000004");

	/* Unknown, deleted. */
	mknode(&got, 3, 0);
	CHECK_INT(p2p_nodedb_get_node(db, &got.id, &got, NULL, NULL, NULL),
	    P2P_ENOTFOUND);
	CHECK_STR(p2p_nodedb_errmsg(db), "get_node: no such node");
	CHECK_INT(p2p_nodedb_delete_node(db, &got.id), 0);
	CHECK_INT(p2p_nodedb_delete_node(db, &a.id), 0);
	CHECK_INT(p2p_nodedb_get_node(db, &a.id, NULL, NULL, NULL, NULL),
	    P2P_ENOTFOUND);
	CHECK_INT(count(db), 1);
	p2p_nodedb_close(db);
}

static void
test_enr_seq(void)
{
	struct p2p_nodeid self = self_id(1);
	struct p2p_nodedb *db;
	struct p2p_node a, got;
	uint8_t r1[10], r2[20], r3[30], out[P2P_NODEDB_ENR_MAX];
	const uint64_t big = (1ULL << 63) + 5;
	size_t len;

	memset(r1, 1, sizeof(r1));
	memset(r2, 2, sizeof(r2));
	memset(r3, 3, sizeof(r3));
	CHECK_INT(p2p_nodedb_open(&db, NULL, &self), 0);
	mknode(&a, 1, 0);
	CHECK_INT(p2p_nodedb_put_node(db, &a, r2, sizeof(r2), 10, NOW), 0);
	/* Lower: ignored (not an error), the endpoint still updates. */
	a.udp = 9;
	CHECK_INT(p2p_nodedb_put_node(db, &a, r1, sizeof(r1), 9, NOW), 0);
	CHECK_INT(p2p_nodedb_get_node(db, &a.id, &got, out, &len, NULL), 0);
	CHECK_INT(len, sizeof(r2));
	CHECK_INT(out[0], 2);
	CHECK_INT(got.udp, 9);
	/* Equal replaces. */
	CHECK_INT(p2p_nodedb_put_node(db, &a, r1, sizeof(r1), 10, NOW), 0);
	CHECK_INT(p2p_nodedb_get_node(db, &a.id, NULL, out, &len, NULL), 0);
	CHECK_INT(len, sizeof(r1));
	/* Higher replaces, also above INT64_MAX (stored negative). */
	CHECK_INT(p2p_nodedb_put_node(db, &a, r3, sizeof(r3), big, NOW), 0);
	CHECK_INT(p2p_nodedb_get_node(db, &a.id, NULL, out, &len, NULL), 0);
	CHECK_INT(len, sizeof(r3));
	CHECK_INT(p2p_nodedb_put_node(db, &a, r2, sizeof(r2), INT64_MAX, NOW),
	    0);
	CHECK_INT(p2p_nodedb_put_node(db, &a, r2, sizeof(r2), big - 1, NOW),
	    0);
	CHECK_INT(p2p_nodedb_get_node(db, &a.id, NULL, out, &len, NULL), 0);
	CHECK_INT(len, sizeof(r3));
	CHECK_INT(p2p_nodedb_put_node(db, &a, r1, sizeof(r1), UINT64_MAX,
	    NOW), 0);
	CHECK_INT(p2p_nodedb_put_node(db, &a, r2, sizeof(r2), big + 1, NOW),
	    0);
	CHECK_INT(p2p_nodedb_get_node(db, &a.id, NULL, out, &len, NULL), 0);
	CHECK_INT(len, sizeof(r1));
	/* No record given: the stored one stays. */
	CHECK_INT(p2p_nodedb_put_node(db, &a, NULL, 0, 0, NOW), 0);
	CHECK_INT(p2p_nodedb_get_node(db, &a.id, NULL, out, &len, NULL), 0);
	CHECK_INT(len, sizeof(r1));
	/* A first record for a node stored without one, at seq 0. */
	mknode(&a, 2, 0);
	CHECK_INT(p2p_nodedb_put_node(db, &a, NULL, 0, 0, NOW), 0);
	CHECK_INT(p2p_nodedb_put_node(db, &a, r3, sizeof(r3), 0, NOW), 0);
	CHECK_INT(p2p_nodedb_get_node(db, &a.id, NULL, out, &len, NULL), 0);
	CHECK_INT(len, sizeof(r3));
	p2p_nodedb_close(db);
}

static void
test_per_ip(void)
{
	struct p2p_nodeid self = self_id(1);
	struct p2p_nodedb *db;
	struct p2p_node a, b;
	struct p2p_ip i1 = ip4(1, 2, 3, 4), i2 = ip4(5, 6, 7, 8), mapped, bad;

	memset(&mapped, 0, sizeof(mapped));
	mapped.len = 16;
	mapped.b[10] = mapped.b[11] = 0xff;
	memcpy(mapped.b + 12, i1.b, 4);
	bad = i1;
	bad.len = 5;
	CHECK_INT(p2p_nodedb_open(&db, NULL, &self), 0);
	mknode(&a, 1, 0);
	mknode(&b, 2, 0);
	/* No node row needed. */
	CHECK_INT(p2p_nodedb_last_ping(db, &a.id, &i1), 0);
	CHECK_INT(p2p_nodedb_set_last_ping(db, &a.id, &i1, NOW), 0);
	CHECK_INT(p2p_nodedb_set_last_pong(db, &a.id, &i1, NOW + 1), 0);
	CHECK_INT(p2p_nodedb_set_fails(db, &a.id, &i1, 3), 0);
	CHECK_INT(p2p_nodedb_set_last_pong(db, &a.id, &i2, NOW + 2), 0);
	CHECK_INT(p2p_nodedb_set_fails(db, &b.id, &i1, 7), 0);
	CHECK_INT(count(db), 0);
	CHECK_INT(p2p_nodedb_last_ping(db, &a.id, &i1), NOW);
	CHECK_INT(p2p_nodedb_last_pong(db, &a.id, &i1), NOW + 1);
	CHECK_INT(p2p_nodedb_fails(db, &a.id, &i1), 3);
	CHECK_INT(p2p_nodedb_last_ping(db, &a.id, &i2), 0);
	CHECK_INT(p2p_nodedb_last_pong(db, &a.id, &i2), NOW + 2);
	CHECK_INT(p2p_nodedb_fails(db, &a.id, &i2), 0);
	CHECK_INT(p2p_nodedb_last_pong(db, &b.id, &i1), 0);
	CHECK_INT(p2p_nodedb_fails(db, &b.id, &i1), 7);
	/* Setting one field leaves the others. */
	CHECK_INT(p2p_nodedb_set_last_ping(db, &a.id, &i1, NOW + 10), 0);
	CHECK_INT(p2p_nodedb_last_pong(db, &a.id, &i1), NOW + 1);
	CHECK_INT(p2p_nodedb_fails(db, &a.id, &i1), 3);
	CHECK_INT(p2p_nodedb_set_fails(db, &a.id, &i1, 0), 0);
	CHECK_INT(p2p_nodedb_fails(db, &a.id, &i1), 0);
	/* IPv4-mapped IPv6 is the same address. */
	CHECK_INT(p2p_nodedb_last_ping(db, &a.id, &mapped), NOW + 10);
	CHECK_INT(p2p_nodedb_set_fails(db, &a.id, &mapped, UINT32_MAX), 0);
	CHECK_INT(p2p_nodedb_fails(db, &a.id, &i1), UINT32_MAX);
	/* Misuse. */
	CHECK_INT(p2p_nodedb_set_last_ping(db, &a.id, &bad, NOW), P2P_EINVAL);
	CHECK_STR(p2p_nodedb_errmsg(db),
	    "set_last_ping: IP length not 4 or 16");
	bad.len = 0;
	CHECK_INT(p2p_nodedb_set_last_pong(db, &a.id, &bad, NOW), P2P_EINVAL);
	CHECK_INT(p2p_nodedb_last_pong(db, &a.id, &bad), 0);
	CHECK_INT(p2p_nodedb_set_last_pong(db, &a.id, &i1,
	    (uint64_t)INT64_MAX + 1), P2P_EINVAL);
	CHECK_INT(p2p_nodedb_last_pong(db, &a.id, &i1), NOW + 1);
	/* delete_node removes the per-IP rows too. */
	CHECK_INT(p2p_nodedb_delete_node(db, &a.id), 0);
	CHECK_INT(p2p_nodedb_last_ping(db, &a.id, &i1), 0);
	CHECK_INT(p2p_nodedb_last_pong(db, &a.id, &i2), 0);
	CHECK_INT(p2p_nodedb_fails(db, &b.id, &i1), 7);
	p2p_nodedb_close(db);
}

static void
test_seeds(void)
{
	struct p2p_nodeid self = self_id(1);
	struct p2p_nodedb *db;
	struct p2p_node n, out[64];
	const uint64_t age = P2P_NODEDB_SEED_MAX_AGE;
	int seen[60], differ = 0;
	size_t got, first[5];

	CHECK_INT(p2p_nodedb_open(&db, NULL, &self), 0);
	/* 0-19 fresh (19 exactly at the limit), 20-39 too old, 40-49 never
	 * ponged, 50-54 fresh only on a second IP; 100-109 fresh per-IP rows
	 * without a node row. */
	for (unsigned i = 0; i < 55; i++) {
		struct p2p_ip other = ip4(172, 16, 0, (uint8_t)i);

		mknode(&n, i, i % 2);
		CHECK_INT(p2p_nodedb_put_live(db, &n, NOW), 0);
		if (i < 20)
			CHECK_INT(p2p_nodedb_set_last_pong(db, &n.id, &n.ip,
			    i == 19 ? NOW - age : NOW - i), 0);
		else if (i < 40)
			CHECK_INT(p2p_nodedb_set_last_pong(db, &n.id, &n.ip,
			    NOW - age - 1 - i), 0);
		else if (i >= 50) {
			CHECK_INT(p2p_nodedb_set_last_pong(db, &n.id, &n.ip,
			    NOW - age - 1), 0);
			CHECK_INT(p2p_nodedb_set_last_pong(db, &n.id, &other,
			    NOW - 5), 0);
			/* Two fresh IPs: still one seed. */
			other.b[0]++;
			CHECK_INT(p2p_nodedb_set_last_pong(db, &n.id, &other,
			    NOW - 6), 0);
		}
		if (i >= 40 && i < 50)
			CHECK_INT(p2p_nodedb_set_last_ping(db, &n.id, &n.ip,
			    NOW), 0);
	}
	for (unsigned i = 100; i < 110; i++) {
		mknode(&n, i, 0);
		CHECK_INT(p2p_nodedb_set_last_pong(db, &n.id, &n.ip, NOW), 0);
	}
	/* 110-119 fresh with a node row that is not live. */
	for (unsigned i = 110; i < 120; i++) {
		mknode(&n, i, 0);
		CHECK_INT(p2p_nodedb_put_node(db, &n, NULL, 0, 0, NOW), 0);
		CHECK_INT(p2p_nodedb_set_last_pong(db, &n.id, &n.ip, NOW), 0);
	}

	CHECK_INT(p2p_nodedb_seeds(db, out, 64, age, NOW, &got), 0);
	CHECK_INT(got, 25);
	memset(seen, 0, sizeof(seen));
	for (size_t k = 0; k < got; k++)
		for (unsigned i = 0; i < 60; i++) {
			mknode(&n, i, i % 2);
			if (same_node(&out[k], &n))
				seen[i]++;
		}
	for (unsigned i = 0; i < 60; i++)
		CHECK_MSG(seen[i] == (i < 20 || (i >= 50 && i < 55)),
		    "node %u seen %d times", i, seen[i]);

	/* max caps; the order is random. */
	CHECK_INT(p2p_nodedb_seeds(db, out, 5, age, NOW, &got), 0);
	CHECK_INT(got, 5);
	for (int k = 0; k < 5; k++)
		first[k] = out[k].id.b[0];
	for (int t = 0; t < 20 && !differ; t++) {
		CHECK_INT(p2p_nodedb_seeds(db, out, 5, age, NOW, &got), 0);
		for (int k = 0; k < 5; k++)
			differ |= first[k] != out[k].id.b[0];
	}
	CHECK(differ);
	CHECK_INT(p2p_nodedb_seeds(db, out, 0, age, NOW, &got), 0);
	CHECK_INT(got, 0);
	/* A smaller max_age; a max_age beyond the epoch takes every pong. */
	CHECK_INT(p2p_nodedb_seeds(db, out, 64, 5, NOW, &got), 0);
	CHECK_INT(got, 11);		/* 0-5 and 50-54 */
	CHECK_INT(p2p_nodedb_seeds(db, out, 64, UINT64_MAX, NOW, &got), 0);
	CHECK_INT(got, 45);
	CHECK_INT(p2p_nodedb_seeds(db, out, 64, age, UINT64_MAX, &got),
	    P2P_EINVAL);
	CHECK_INT(got, 0);
	p2p_nodedb_close(db);

	/* 3 nodes with 4 fresh IPs each among 300 fresh per-IP rows without
	 * a node row: a first sample rarely holds all 3, every call must. */
	CHECK_INT(p2p_nodedb_open(&db, NULL, &self), 0);
	for (unsigned i = 0; i < 3; i++) {
		mknode(&n, i, 0);
		CHECK_INT(p2p_nodedb_put_live(db, &n, NOW), 0);
		for (uint8_t k = 0; k < 4; k++) {
			struct p2p_ip ip = ip4(10, 1, (uint8_t)i, k);

			CHECK_INT(p2p_nodedb_set_last_pong(db, &n.id, &ip,
			    NOW), 0);
		}
	}
	for (unsigned i = 1000; i < 1300; i++) {
		mknode(&n, i, 0);
		CHECK_INT(p2p_nodedb_set_last_pong(db, &n.id, &n.ip, NOW), 0);
	}
	for (int t = 0; t < 10; t++) {
		CHECK_INT(p2p_nodedb_seeds(db, out, 3, age, NOW, &got), 0);
		CHECK_INT(got, 3);
		memset(seen, 0, sizeof(seen));
		for (size_t k = 0; k < got; k++)
			for (unsigned i = 0; i < 3; i++) {
				mknode(&n, i, 0);
				seen[i] += same_node(&out[k], &n);
			}
		CHECK(seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
	}
	p2p_nodedb_close(db);
}

/* How many seeds db gives at NOW, and whether n is among them. */
static size_t
seeds_with(struct p2p_nodedb *db, const struct p2p_node *n, int *has)
{
	struct p2p_node out[64];
	size_t got = 99999;

	*has = 0;
	CHECK_INT(p2p_nodedb_seeds(db, out, 64, P2P_NODEDB_SEED_MAX_AGE, NOW,
	    &got), 0);
	for (size_t k = 0; k < got && k < 64; k++)
		*has |= same_node(&out[k], n);
	return got;
}

static void
test_live_seeds(void)
{
	struct p2p_nodeid self = self_id(1);
	struct p2p_nodedb *db;
	struct p2p_node a, b, moved;
	uint8_t rec[10], got_rec[P2P_NODEDB_ENR_MAX];
	size_t len = 0;
	int has;

	memset(rec, 7, sizeof(rec));
	mkdir_tmp();
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), 0);
	/* A bonded node and one whose record we asked for: bookkeeping and a
	 * node row, but the table never held them. */
	mknode(&a, 1, 0);
	mknode(&b, 2, 0);
	CHECK_INT(p2p_nodedb_set_last_ping(db, &a.id, &a.ip, NOW), 0);
	CHECK_INT(p2p_nodedb_set_last_pong(db, &a.id, &a.ip, NOW), 0);
	CHECK_INT(p2p_nodedb_set_fails(db, &a.id, &a.ip, 2), 0);
	CHECK_INT(p2p_nodedb_put_node(db, &b, rec, sizeof(rec), 3, NOW), 0);
	CHECK_INT(p2p_nodedb_set_last_pong(db, &b.id, &b.ip, NOW), 0);
	CHECK_INT(seeds_with(db, &b, &has), 0);
	CHECK_INT(count(db), 1);
	/* The table held b: live, its record kept; a later put_node (a
	 * newer endpoint) keeps it live. */
	CHECK_INT(p2p_nodedb_put_live(db, &b, NOW), 0);
	CHECK_INT(seeds_with(db, &b, &has), 1);
	CHECK(has);
	moved = b;
	moved.udp++;
	CHECK_INT(p2p_nodedb_put_node(db, &moved, NULL, 0, 0, NOW + 1), 0);
	CHECK_INT(seeds_with(db, &moved, &has), 1);
	CHECK(has);
	CHECK_INT(p2p_nodedb_get_node(db, &b.id, NULL, got_rec, &len, NULL),
	    0);
	CHECK_INT(len, sizeof(rec));
	CHECK_INT(p2p_nodedb_put_live(db, &a, 0), P2P_EINVAL);
	CHECK_STR(p2p_nodedb_errmsg(db), "put_live: time zero");
	a.id.b[0] ^= 1;
	CHECK_INT(p2p_nodedb_put_live(db, &a, NOW), P2P_EINVAL);
	CHECK_STR(p2p_nodedb_errmsg(db), "put_live: id is not keccak256(pub)");
	p2p_nodedb_close(db);

	/* Both the mark and the bookkeeping of the node that is no seed
	 * survive a restart. */
	mknode(&a, 1, 0);
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), 0);
	CHECK_INT(seeds_with(db, &moved, &has), 1);
	CHECK(has);
	CHECK_INT(p2p_nodedb_last_ping(db, &a.id, &a.ip), NOW);
	CHECK_INT(p2p_nodedb_last_pong(db, &a.id, &a.ip), NOW);
	CHECK_INT(p2p_nodedb_fails(db, &a.id, &a.ip), 2);
	p2p_nodedb_close(db);
	rm_tmp();
}

/* The version-1 schema: node rows without the live mark, one written for
 * every bonded node. */
static void
test_schema_v1(void)
{
	struct p2p_nodeid self = self_id(1);
	struct p2p_nodedb *db;
	struct p2p_node n;
	char sql[1024], id_hex[2 * P2P_NODEID_LEN + 1];
	int has;

	mkdir_tmp();
	for (size_t i = 0; i < P2P_NODEID_LEN; i++)
		snprintf(id_hex + 2 * i, 3, "%02x", self.b[i]);
	snprintf(sql, sizeof(sql),
	    "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value) "
	    "WITHOUT ROWID;"
	    "CREATE TABLE node (id BLOB PRIMARY KEY NOT NULL, pub BLOB NOT "
	    "NULL, ip BLOB, udp INTEGER NOT NULL, tcp INTEGER NOT NULL, "
	    "enr BLOB, enr_seq INTEGER, first_seen INTEGER NOT NULL);"
	    "CREATE TABLE endpoint (id BLOB NOT NULL, ip BLOB NOT NULL, "
	    "ping INTEGER NOT NULL DEFAULT 0, pong INTEGER NOT NULL DEFAULT "
	    "0, fails INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (id, ip)) "
	    "WITHOUT ROWID;"
	    "INSERT INTO meta VALUES ('schema', 1), ('self', x'%s'), "
	    "('local_seq', 5);", id_hex);
	CHECK_INT(raw_sql(dbpath, sql), SQLITE_OK);
	mknode(&n, 1, 0);
	CHECK_INT(raw_sql(dbpath, "INSERT INTO node VALUES (x'00', x'00', "
	    "NULL, 1, 1, NULL, NULL, 1)"), SQLITE_OK);
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), 0);
	if (db == NULL) {
		CHECK_STR(p2p_nodedb_errmsg(NULL), "");
		rm_tmp();
		return;
	}
	CHECK_INT(count(db), 0);
	CHECK_INT(p2p_nodedb_local_seq(db), 0);
	CHECK_INT(p2p_nodedb_put_live(db, &n, NOW), 0);
	CHECK_INT(p2p_nodedb_set_last_pong(db, &n.id, &n.ip, NOW), 0);
	CHECK_INT(seeds_with(db, &n, &has), 1);
	CHECK(has);
	p2p_nodedb_close(db);
	rm_tmp();
}

static void
test_expire(void)
{
	struct p2p_nodeid self;
	struct p2p_nodedb *db;
	struct p2p_node fresh, old, nopong, me, orphan_old, orphan_new;
	struct p2p_ip second = ip4(9, 9, 9, 9);
	const uint64_t thr = NOW - P2P_NODEDB_NODE_EXPIRATION;
	uint64_t deleted = 99;

	mknode(&fresh, 1, 0);
	mknode(&old, 2, 1);
	mknode(&nopong, 3, 0);
	mknode(&me, 4, 0);
	mknode(&orphan_old, 5, 0);
	mknode(&orphan_new, 6, 0);
	self = me.id;
	CHECK_INT(p2p_nodedb_open(&db, NULL, &self), 0);
	CHECK_INT(p2p_nodedb_put_node(db, &fresh, NULL, 0, 0, NOW - 9 * DAY),
	    0);
	CHECK_INT(p2p_nodedb_set_last_pong(db, &fresh.id, &fresh.ip, thr), 0);
	CHECK_INT(p2p_nodedb_set_last_pong(db, &fresh.id, &second, thr - 99),
	    0);
	CHECK_INT(p2p_nodedb_set_fails(db, &fresh.id, &second, 2), 0);
	CHECK_INT(p2p_nodedb_put_node(db, &old, NULL, 0, 0, NOW - 9 * DAY), 0);
	CHECK_INT(p2p_nodedb_set_last_pong(db, &old.id, &old.ip, thr - 1), 0);
	/* A fresh ping does not keep a node whose pongs are old. */
	CHECK_INT(p2p_nodedb_set_last_ping(db, &old.id, &second, NOW), 0);
	CHECK_INT(p2p_nodedb_put_node(db, &nopong, NULL, 0, 0, NOW), 0);
	CHECK_INT(p2p_nodedb_put_node(db, &me, NULL, 0, 0, NOW - 9 * DAY), 0);
	CHECK_INT(p2p_nodedb_set_last_pong(db, &me.id, &me.ip, 1), 0);
	CHECK_INT(p2p_nodedb_set_last_ping(db, &orphan_old.id, &orphan_old.ip,
	    thr - 1), 0);
	CHECK_INT(p2p_nodedb_set_last_ping(db, &orphan_new.id, &orphan_new.ip,
	    NOW - 60), 0);
	CHECK_INT(count(db), 4);

	/* Too early for anything to be a day old. */
	CHECK_INT(p2p_nodedb_expire(db, DAY - 1, &deleted), 0);
	CHECK_INT(deleted, 0);
	CHECK_INT(count(db), 4);

	CHECK_INT(p2p_nodedb_expire(db, NOW, &deleted), 0);
	CHECK_INT(deleted, 2);
	CHECK_INT(count(db), 2);
	CHECK_INT(p2p_nodedb_get_node(db, &fresh.id, NULL, NULL, NULL, NULL),
	    0);
	CHECK_INT(p2p_nodedb_get_node(db, &me.id, NULL, NULL, NULL, NULL), 0);
	CHECK_INT(p2p_nodedb_get_node(db, &old.id, NULL, NULL, NULL, NULL),
	    P2P_ENOTFOUND);
	CHECK_INT(p2p_nodedb_get_node(db, &nopong.id, NULL, NULL, NULL, NULL),
	    P2P_ENOTFOUND);
	/* A kept node keeps all its per-IP rows, even an old one. */
	CHECK_INT(p2p_nodedb_last_pong(db, &fresh.id, &fresh.ip), thr);
	CHECK_INT(p2p_nodedb_last_pong(db, &fresh.id, &second), thr - 99);
	CHECK_INT(p2p_nodedb_fails(db, &fresh.id, &second), 2);
	CHECK_INT(p2p_nodedb_last_ping(db, &old.id, &second), 0);
	CHECK_INT(p2p_nodedb_last_pong(db, &me.id, &me.ip), 1);
	CHECK_INT(p2p_nodedb_last_ping(db, &orphan_old.id, &orphan_old.ip), 0);
	CHECK_INT(p2p_nodedb_last_ping(db, &orphan_new.id, &orphan_new.ip),
	    NOW - 60);
	/* The next day the rest goes, but never self. */
	CHECK_INT(p2p_nodedb_expire(db, NOW + 2 * DAY, NULL), 0);
	CHECK_INT(count(db), 1);
	CHECK_INT(p2p_nodedb_last_ping(db, &orphan_new.id, &orphan_new.ip), 0);
	CHECK_INT(p2p_nodedb_last_pong(db, &me.id, &me.ip), 1);
	CHECK_INT(p2p_nodedb_expire(db, UINT64_MAX, &deleted), P2P_EINVAL);
	p2p_nodedb_close(db);
}

static void
test_local_seq(void)
{
	struct p2p_nodeid self = self_id(1);
	struct p2p_nodedb *db;
	const uint64_t big = (1ULL << 63) + 1;

	mkdir_tmp();
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), 0);
	CHECK_INT(p2p_nodedb_local_seq(db), 0);
	CHECK_INT(p2p_nodedb_set_local_seq(db, 5), 0);
	CHECK_INT(p2p_nodedb_set_local_seq(db, 4), P2P_EINVAL);
	CHECK_STR(p2p_nodedb_errmsg(db),
	    "set_local_seq: smaller than the stored sequence number");
	CHECK_INT(p2p_nodedb_set_local_seq(db, 5), 0);
	CHECK_INT(p2p_nodedb_local_seq(db), 5);
	p2p_nodedb_close(db);
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), 0);
	CHECK_INT(p2p_nodedb_local_seq(db), 5);
	CHECK_INT(p2p_nodedb_set_local_seq(db, 0), P2P_EINVAL);
	CHECK_INT(p2p_nodedb_set_local_seq(db, big), 0);
	p2p_nodedb_close(db);
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), 0);
	CHECK(p2p_nodedb_local_seq(db) == big);
	CHECK_INT(p2p_nodedb_set_local_seq(db, big - 1), P2P_EINVAL);
	CHECK_INT(p2p_nodedb_set_local_seq(db, 10), P2P_EINVAL);
	CHECK_INT(p2p_nodedb_set_local_seq(db, UINT64_MAX), 0);
	CHECK(p2p_nodedb_local_seq(db) == UINT64_MAX);
	CHECK_INT(p2p_nodedb_set_local_seq(db, big), P2P_EINVAL);
	p2p_nodedb_close(db);
	rm_tmp();
}

static void
fill(const struct p2p_nodeid *self, unsigned nodes)
{
	struct p2p_nodedb *db;
	struct p2p_node n;

	CHECK_INT(p2p_nodedb_open(&db, dbpath, self), 0);
	if (db == NULL)
		return;
	for (unsigned i = 0; i < nodes; i++) {
		mknode(&n, i, 0);
		CHECK_INT(p2p_nodedb_put_node(db, &n, NULL, 0, 0, NOW), 0);
		CHECK_INT(p2p_nodedb_set_last_pong(db, &n.id, &n.ip, NOW), 0);
	}
	CHECK_INT(p2p_nodedb_set_local_seq(db, 42), 0);
	p2p_nodedb_close(db);
}

/* Opens with self, returns the node count and checks the local seq. */
static size_t
reopen_count(const struct p2p_nodeid *self, uint64_t seq)
{
	struct p2p_nodedb *db;
	struct p2p_node n;
	size_t c = 99999;

	CHECK_INT(p2p_nodedb_open(&db, dbpath, self), 0);
	if (db == NULL)
		return c;
	c = count(db);
	CHECK_INT(p2p_nodedb_local_seq(db), seq);
	mknode(&n, 0, 0);
	CHECK_INT(p2p_nodedb_last_pong(db, &n.id, &n.ip), c ? NOW : 0);
	p2p_nodedb_close(db);
	return c;
}

static void
test_wipe(void)
{
	struct p2p_nodeid self = self_id(1), other = self_id(2);
	struct p2p_nodedb *db;

	mkdir_tmp();
	fill(&self, 3);
	CHECK_INT(reopen_count(&self, 42), 3);
	/* Another self ID: wiped, per-IP rows and local seq included. */
	CHECK_INT(reopen_count(&other, 0), 0);
	CHECK_INT(reopen_count(&self, 0), 0);
	/* An older and a newer schema version. */
	fill(&self, 3);
	CHECK_INT(raw_sql(dbpath, "UPDATE meta SET value = 0 "
	    "WHERE key = 'schema'"), SQLITE_OK);
	CHECK_INT(reopen_count(&self, 0), 0);
	fill(&self, 3);
	CHECK_INT(raw_sql(dbpath, "UPDATE meta SET value = value + 1 "
	    "WHERE key = 'schema'; CREATE TABLE future (x); "
	    "CREATE VIEW fv AS SELECT * FROM future"), SQLITE_OK);
	CHECK_INT(reopen_count(&self, 0), 0);
	CHECK_INT(raw_sql(dbpath, "SELECT * FROM future"), SQLITE_ERROR);
	/* A meta table with the version missing. */
	fill(&self, 3);
	CHECK_INT(raw_sql(dbpath, "DELETE FROM meta WHERE key = 'schema'"),
	    SQLITE_OK);
	CHECK_INT(reopen_count(&self, 0), 0);
	rm_tmp();

	/* Somebody else's SQLite file is refused, not wiped. */
	mkdir_tmp();
	CHECK_INT(raw_sql(dbpath, "CREATE TABLE accounts (x); "
	    "INSERT INTO accounts VALUES (1)"), SQLITE_OK);
	db = (struct p2p_nodedb *)&db;
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), P2P_EDB);
	CHECK(db == NULL);
	CHECK_STR(p2p_nodedb_errmsg(NULL),
	    "open: not a node database (no meta table)");
	CHECK_INT(raw_sql(dbpath, "SELECT x FROM accounts"), SQLITE_OK);
	rm_tmp();
}

static void
test_batch(void)
{
	struct p2p_nodeid self = self_id(1);
	struct p2p_nodedb *db;
	struct p2p_node n;
	uint64_t del;

	mkdir_tmp();
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), 0);
	CHECK_INT(p2p_nodedb_commit(db), P2P_EINVAL);
	CHECK_STR(p2p_nodedb_errmsg(db), "commit: no batch");
	CHECK_INT(p2p_nodedb_rollback(db), P2P_EINVAL);
	CHECK_INT(p2p_nodedb_begin(db), 0);
	CHECK_INT(p2p_nodedb_begin(db), P2P_EINVAL);
	CHECK_STR(p2p_nodedb_errmsg(db), "begin: already in a batch");
	for (unsigned i = 0; i < 10; i++) {
		mknode(&n, i, 0);
		CHECK_INT(p2p_nodedb_put_node(db, &n, NULL, 0, 0, NOW), 0);
	}
	CHECK_INT(count(db), 10);	/* visible inside the batch */
	CHECK_INT(p2p_nodedb_rollback(db), 0);
	CHECK_INT(count(db), 0);

	CHECK_INT(p2p_nodedb_begin(db), 0);
	for (unsigned i = 0; i < 10; i++) {
		mknode(&n, i, 0);
		CHECK_INT(p2p_nodedb_put_node(db, &n, NULL, 0, 0, NOW), 0);
		CHECK_INT(p2p_nodedb_set_last_pong(db, &n.id, &n.ip,
		    i < 5 ? NOW : 1), 0);
	}
	/* Multi-statement calls work inside a batch (as savepoints). */
	CHECK_INT(p2p_nodedb_delete_node(db, &n.id), 0);
	CHECK_INT(p2p_nodedb_expire(db, NOW, &del), 0);
	CHECK_INT(del, 4);
	CHECK_INT(p2p_nodedb_set_local_seq(db, 3), 0);
	CHECK_INT(p2p_nodedb_commit(db), 0);
	CHECK_INT(p2p_nodedb_commit(db), P2P_EINVAL);
	p2p_nodedb_close(db);
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), 0);
	CHECK_INT(count(db), 5);
	CHECK_INT(p2p_nodedb_local_seq(db), 3);
	/* close() rolls an open batch back. */
	CHECK_INT(p2p_nodedb_begin(db), 0);
	mknode(&n, 77, 0);
	CHECK_INT(p2p_nodedb_put_node(db, &n, NULL, 0, 0, NOW), 0);
	p2p_nodedb_close(db);
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), 0);
	CHECK_INT(count(db), 5);
	p2p_nodedb_close(db);
	rm_tmp();
}

/* The forked writer: 100 committed nodes, then a big open transaction
 * (large enough to spill pages into the WAL), then SIGKILL. */
static void
killed_writer(void)
{
	struct p2p_nodeid self = self_id(1);
	struct p2p_nodedb *db;
	struct p2p_node n;
	uint8_t rec[P2P_NODEDB_ENR_MAX];

	memset(rec, 0x5a, sizeof(rec));
	if (p2p_nodedb_open(&db, dbpath, &self) != 0)
		_exit(1);
	for (unsigned i = 0; i < 100; i++) {
		mknode(&n, i, 0);
		if (p2p_nodedb_put_node(db, &n, rec, sizeof(rec), 1, NOW) != 0)
			_exit(2);
	}
	if (p2p_nodedb_begin(db) != 0)
		_exit(3);
	for (unsigned i = 100; i < 8000; i++) {
		mknode(&n, i, 0);
		if (p2p_nodedb_put_node(db, &n, rec, sizeof(rec), 1, NOW) != 0)
			_exit(4);
	}
	mknode(&n, 5, 0);
	p2p_nodedb_delete_node(db, &n.id);
	p2p_nodedb_set_local_seq(db, 9);
	raise(SIGKILL);
	_exit(5);
}

static int
count_low(void *arg, const struct p2p_node *n, const uint8_t *enr,
    size_t enr_len, uint64_t first_seen)
{
	struct p2p_node want;
	unsigned *found = arg;

	(void)enr;
	for (unsigned i = 0; i < 100; i++) {
		mknode(&want, i, 0);
		if (same_node(n, &want) && enr_len == P2P_NODEDB_ENR_MAX &&
		    first_seen == NOW)
			found[0]++;
	}
	found[1]++;
	return 0;
}

static void
test_kill9(void)
{
	struct p2p_nodeid self = self_id(1);
	struct p2p_nodedb *db;
	struct p2p_node n;
	unsigned found[2] = { 0, 0 };
	int status = 0;
	pid_t pid;

	mkdir_tmp();
	fflush(stdout);
	if ((pid = fork()) == 0)
		killed_writer();
	CHECK(pid > 0);
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "writer status %#x", status);
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), 0);
	if (db != NULL) {
		CHECK_INT(count(db), 100);
		CHECK_INT(p2p_nodedb_foreach(db, count_low, found), 0);
		CHECK_INT(found[0], 100);
		CHECK_INT(found[1], 100);
		mknode(&n, 100, 0);
		CHECK_INT(p2p_nodedb_get_node(db, &n.id, NULL, NULL, NULL,
		    NULL), P2P_ENOTFOUND);
		CHECK_INT(p2p_nodedb_local_seq(db), 0);
		p2p_nodedb_close(db);
	}
	rm_tmp();
}

static void
test_corrupt(void)
{
	struct p2p_nodeid self = self_id(1);
	struct p2p_nodedb *db;
	uint8_t junk[8192];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 131 + 17);
	mkdir_tmp();
	write_file(dbpath, junk, sizeof(junk));
	db = (struct p2p_nodedb *)&db;
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), P2P_EDB);
	CHECK(db == NULL);
	CHECK(strstr(p2p_nodedb_errmsg(NULL), "not a database") != NULL);
	write_file(dbpath, "SQLite format 3", 16);
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), P2P_EDB);
	/* A valid header over a garbage body. */
	unlink(dbpath);
	fill(&self, 50);
	{
		size_t len;
		uint8_t *buf = unit_read_file(dbpath, &len);

		CHECK(buf != NULL && len > 4096);
		if (buf != NULL && len > 4096) {
			memcpy(buf + 100, junk, len - 100 > sizeof(junk) ?
			    sizeof(junk) : len - 100);
			write_file(dbpath, buf, len);
		}
		free(buf);
	}
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), P2P_EDB);
	CHECK(p2p_nodedb_errmsg(NULL)[0] != '\0');
	/* An empty file is a new database. */
	write_file(dbpath, "", 0);
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), 0);
	p2p_nodedb_close(db);
	rm_tmp();
	/* A directory that does not exist. */
	CHECK_INT(p2p_nodedb_open(&db, "/nonexistent/dir/nodes.db", &self),
	    P2P_EDB);
	CHECK(strstr(p2p_nodedb_errmsg(NULL), "open: ") ==
	    p2p_nodedb_errmsg(NULL));
}

static int
stop_after_two(void *arg, const struct p2p_node *n, const uint8_t *enr,
    size_t enr_len, uint64_t first_seen)
{
	int *calls = arg;

	(void)n, (void)enr, (void)enr_len, (void)first_seen;
	return ++*calls == 2;
}

static void
test_errors(void)
{
	struct p2p_nodeid self = self_id(1);
	struct p2p_nodedb *db;
	struct p2p_node n, out[4];
	uint8_t rec[P2P_NODEDB_ENR_MAX + 1];
	size_t got;
	int calls = 0;

	memset(rec, 1, sizeof(rec));
	mkdir_tmp();
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), 0);
	mknode(&n, 1, 0);
	n.id.b[0] ^= 1;
	CHECK_INT(p2p_nodedb_put_node(db, &n, NULL, 0, 0, NOW), P2P_EINVAL);
	CHECK_STR(p2p_nodedb_errmsg(db), "put_node: id is not keccak256(pub)");
	mknode(&n, 1, 0);
	CHECK_INT(p2p_nodedb_put_node(db, &n, rec, sizeof(rec), 1, NOW),
	    P2P_EENRSIZE);
	CHECK_INT(p2p_nodedb_put_node(db, &n, rec, 0, 1, NOW), P2P_EINVAL);
	CHECK_INT(p2p_nodedb_put_node(db, &n, NULL, 0, 0, UINT64_MAX),
	    P2P_EINVAL);
	n.ip.len = 3;
	CHECK_INT(p2p_nodedb_put_node(db, &n, NULL, 0, 0, NOW), P2P_EINVAL);
	CHECK_INT(count(db), 0);
	for (unsigned i = 0; i < 3; i++) {
		mknode(&n, i, 0);
		CHECK_INT(p2p_nodedb_put_node(db, &n, rec, 10, 1, NOW), 0);
		CHECK_INT(p2p_nodedb_put_live(db, &n, NOW), 0);
		CHECK_INT(p2p_nodedb_set_last_pong(db, &n.id, &n.ip, NOW), 0);
	}
	CHECK_INT(p2p_nodedb_foreach(db, stop_after_two, &calls), 0);
	CHECK_INT(calls, 2);
	p2p_nodedb_close(db);

	/* Rows broken behind our back are P2P_EDB, never a crash. */
	CHECK_INT(raw_sql(dbpath, "UPDATE node SET pub = x'0102' "
	    "WHERE rowid = 1"), SQLITE_OK);
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), 0);
	CHECK_INT(p2p_nodedb_foreach(db, stop_after_two, &calls), P2P_EDB);
	CHECK_STR(p2p_nodedb_errmsg(db), "foreach: malformed node row");
	CHECK_INT(p2p_nodedb_seeds(db, out, 4, DAY, NOW, &got), P2P_EDB);
	CHECK_INT(got, 0);
	p2p_nodedb_close(db);
	CHECK_INT(raw_sql(dbpath, "DELETE FROM node WHERE rowid = 1; "
	    "UPDATE node SET enr = zeroblob(400), udp = 70000"), SQLITE_OK);
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), 0);
	mknode(&n, 1, 0);
	if (p2p_nodedb_get_node(db, &n.id, NULL, NULL, NULL, NULL) ==
	    P2P_ENOTFOUND)
		mknode(&n, 2, 0);
	CHECK_INT(p2p_nodedb_get_node(db, &n.id, NULL, NULL, NULL, NULL),
	    P2P_EDB);
	p2p_nodedb_close(db);
	CHECK_INT(raw_sql(dbpath, "UPDATE node SET udp = 1, ip = x'01'"),
	    SQLITE_OK);
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), 0);
	CHECK_INT(p2p_nodedb_get_node(db, &n.id, NULL, NULL, NULL, NULL),
	    P2P_EDB);
	CHECK_STR(p2p_nodedb_errmsg(db), "get_node: malformed node IP");
	p2p_nodedb_close(db);
	CHECK_INT(raw_sql(dbpath, "UPDATE node SET ip = NULL"), SQLITE_OK);
	CHECK_INT(p2p_nodedb_open(&db, dbpath, &self), 0);
	CHECK_INT(p2p_nodedb_get_node(db, &n.id, NULL, NULL, NULL, NULL),
	    P2P_EDB);
	CHECK_STR(p2p_nodedb_errmsg(db), "get_node: malformed record");
	p2p_nodedb_close(db);
	rm_tmp();
}

const struct unit_test unit_nodedb[] = {
	{ "open_close", test_open_close },
	{ "put_get", test_put_get },
	{ "enr_seq", test_enr_seq },
	{ "per_ip", test_per_ip },
	{ "seeds", test_seeds },
	{ "live_seeds", test_live_seeds },
	{ "schema_v1", test_schema_v1 },
	{ "expire", test_expire },
	{ "local_seq", test_local_seq },
	{ "wipe", test_wipe },
	{ "batch", test_batch },
	{ "kill9", test_kill9 },
	{ "corrupt", test_corrupt },
	{ "errors", test_errors },
	{ NULL, NULL },
};
