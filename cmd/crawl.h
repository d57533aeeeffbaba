/*
 * crawl.h - p2p-discover's crawler (crawl.c), on a discovery node the
 * caller owns.  One crawl per process.
 */
#ifndef P2P_CMD_CRAWL_H
#define P2P_CMD_CRAWL_H

#include <jansson.h>

#include <p2p/disc.h>

struct crawl_cfg {
	struct p2p_disc *d;	/* borrowed for the crawl's life */
	unsigned concurrency;	/* nodes asked at once */
	int save;		/* put the nodes found in d's node DB */
	/* Each record: the callee takes it; non-zero stops the crawl. */
	int (*emit)(void *arg, json_t *o);
	/* The crawl ended by itself, its summary out; ok: a node answered. */
	void (*done)(void *arg, int ok);
	void *arg;
};

/* Returns: a crawl owned by the caller (crawl_free), or NULL (out of
 * memory, or a crawl exists already). */
struct crawl *crawl_new(const struct crawl_cfg *cfg);
/* Where to start: a node, or every node a database holds.  0 or -1. */
int crawl_add_node(struct crawl *c, const struct p2p_node *n);
int crawl_add_db(struct crawl *c, struct p2p_nodedb *db);
void crawl_start(struct crawl *c);
/* Ends a crawl that has not ended by itself: records for the nodes in
 * hand and a summary with complete false.  Returns 1 if a node answered,
 * 0 if none did, -1 if the crawl had ended already. */
int crawl_stop(struct crawl *c);
void crawl_free(struct crawl *c);

#endif
