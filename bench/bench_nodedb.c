/* bench_nodedb.c - the SQLite node database on a file in /tmp: last-pong
 * updates per CPU-second, each its own transaction and batched 1000 per
 * transaction as the discovery engine does per event-loop tick, and the
 * time of a 30-node seeds query over 10,000 nodes. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <p2p/nodedb.h>

#include "bench.h"

void bench_nodedb(void);

#define NODES 10000
#define BATCH 1000
#define NOW 1700000000ULL

static double
wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
mknode(struct p2p_node *n, unsigned i)
{
	memset(n, 0, sizeof(*n));
	for (int k = 0; k < P2P_PUBKEY_LEN; k++)
		n->pub.b[k] = (uint8_t)(i >> (8 * (k % 4))) ^ (uint8_t)(k * 7);
	p2p_enode_id(&n->id, &n->pub);
	n->ip.len = 4;
	n->ip.b[0] = 10;
	n->ip.b[1] = (uint8_t)(i >> 16);
	n->ip.b[2] = (uint8_t)(i >> 8);
	n->ip.b[3] = (uint8_t)i;
	n->udp = n->tcp = 30303;
}

static void
rm_dir(const char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* NODES nodes with a 200-byte record and a fresh pong each. */
static int
populate(struct p2p_nodedb *db, struct p2p_node *nodes)
{
	uint8_t rec[200];

	memset(rec, 0xab, sizeof(rec));
	for (unsigned i = 0; i < NODES; i++) {
		mknode(&nodes[i], i);
		if (i % BATCH == 0 && p2p_nodedb_begin(db) != 0)
			return -1;
		/* Seeds are nodes that lived in the table: put_live. */
		if (p2p_nodedb_put_node(db, &nodes[i], rec, sizeof(rec), 1,
		    NOW) != 0 || p2p_nodedb_put_live(db, &nodes[i], NOW) != 0 ||
		    p2p_nodedb_set_last_pong(db, &nodes[i].id,
		    &nodes[i].ip, NOW) != 0)
			return -1;
		if (i % BATCH == BATCH - 1 && p2p_nodedb_commit(db) != 0)
			return -1;
	}
	return 0;
}

/* set_last_pong per CPU-second, batch updates per transaction (1: none). */
static void
pongs(struct p2p_nodedb *db, const struct p2p_node *nodes, int batch,
    const char *name)
{
	double t0 = bench_cpu(), w0 = wall(), t;
	uint64_t k = 0;
	char extra[96];

	do {
		if (batch > 1 && p2p_nodedb_begin(db) != 0)
			goto fail;
		for (int i = 0; i < batch; i++, k++) {
			const struct p2p_node *n = &nodes[k % NODES];

			if (p2p_nodedb_set_last_pong(db, &n->id, &n->ip,
			    NOW + k) != 0)
				goto fail;
		}
		if (batch > 1 && p2p_nodedb_commit(db) != 0)
			goto fail;
	} while ((t = bench_cpu() - t0) < 1.0);
	snprintf(extra, sizeof(extra), "\"batch\":%d,\"nodes\":%d,"
	    "\"wall_per_s\":%.0f", batch, NODES, k / (wall() - w0));
	bench_emit(name, k / t, "ops/s", t, extra);
	return;
fail:
	fprintf(stderr, "bench_nodedb: %s\n", p2p_nodedb_errmsg(db));
}

static void
seeds(struct p2p_nodedb *db)
{
	struct p2p_node out[30];
	double t0 = bench_cpu(), t;
	size_t n = 0;
	long iters = 0;
	char extra[64];

	do {
		if (p2p_nodedb_seeds(db, out, 30, P2P_NODEDB_SEED_MAX_AGE,
		    NOW + 60, &n) != 0 || n != 30) {
			fprintf(stderr, "bench_nodedb: seeds: %zu, %s\n", n,
			    p2p_nodedb_errmsg(db));
			return;
		}
		bench_sink(out[0].id.b, 1);
		iters++;
	} while ((t = bench_cpu() - t0) < 1.0);
	snprintf(extra, sizeof(extra), "\"max\":30,\"nodes\":%d", NODES);
	bench_emit("nodedb_seeds", t / iters * 1e6, "us", t, extra);
}

void
bench_nodedb(void)
{
	char dir[64] = "/tmp/p2p-bench-nodedb.XXXXXX", path[96];
	struct p2p_nodeid self;
	struct p2p_nodedb *db;
	struct p2p_node *nodes;

	if (mkdtemp(dir) == NULL)
		return;
	snprintf(path, sizeof(path), "%s/nodes.db", dir);
	memset(self.b, 0x11, sizeof(self.b));
	nodes = calloc(NODES, sizeof(*nodes));
	if (nodes != NULL && p2p_nodedb_open(&db, path, &self) == 0) {
		if (populate(db, nodes) == 0) {
			pongs(db, nodes, 1, "nodedb_set_last_pong_autocommit");
			pongs(db, nodes, BATCH, "nodedb_set_last_pong_batched");
			seeds(db);
		} else
			fprintf(stderr, "bench_nodedb: %s\n",
			    p2p_nodedb_errmsg(db));
		p2p_nodedb_close(db);
	} else if (nodes != NULL)
		fprintf(stderr, "bench_nodedb: %s\n", p2p_nodedb_errmsg(NULL));
	free(nodes);
	rm_dir(dir);
}
