/*
 * serverd.h - what p2p-serverd's files share: its options and its state
 * (p2p-serverd.c owns both; admin.c, the control methods, reads them).
 */
#ifndef P2P_CMD_SERVERD_H
#define P2P_CMD_SERVERD_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include <p2p/nat.h>
#include <p2p/netutil.h>
#include <p2p/proto.h>
#include <p2p/server.h>

#define MAX_FLAG_NODES 256

struct opts {
	const char *datadir, *config, *keyfile, *keyhex, *pidfile, *control;
	struct p2p_ip metrics_ip;
	uint16_t metrics_port;
	int metrics;
	char name[P2P_PROTO_CLIENT_MAX + 1];
	struct p2p_ip ip, extip;
	uint16_t port;
	int any_addr, maxpeers, maxpend, dialratio, nodiscover, nodial;
	int detach, log_json, verbosity, workers;
	struct p2p_netlist restrict_list;
	int has_restrict;
	struct p2p_node boot[MAX_FLAG_NODES], statics[MAX_FLAG_NODES],
	    trusted[MAX_FLAG_NODES];
	size_t nboot, nstatic, ntrusted;
	struct p2p_hello caps;
	struct p2p_nat_spec nat;
	int nat_set;		/* --nat given (else: see main) */
	/* A list given on the command line replaces the config file's; a
	 * key given there replaces the file's key of either kind. */
	unsigned cli_lists;
	int key_from_file;
};

struct admin;
struct metrics;

struct daemon {
	struct opts *o;
	struct event_base *base;
	struct p2p_server *srv;
	struct p2p_nodedb *db;
	struct metrics *metrics;
	struct admin *admin;		/* the control socket, or NULL */
	struct p2p_nat *nat;		/* port mappings, or NULL */
	struct p2p_protocol protos[P2P_PROTO_MAX_CAPS];
	/* What the node-list files held at the last (re)load. */
	struct p2p_node *fstatic, *ftrusted;
	size_t nfstatic, nftrusted;
	char path_static[4096], path_trusted[4096];
	int signal, stopping, failed;
	uint64_t dropped_msgs;
	time_t accept_error_shown;	/* last accept error record */
	uint64_t accept_errors_hidden;
};

/*
 * Rereads the node-list files and applies the difference (SIGHUP,
 * p2p_reload).  A broken file changes nothing.
 * Returns: 0 with *summary (new reference: per list, added, removed,
 *          listed); -1 with why in err.
 */
int serverd_reload(struct daemon *d, json_t **summary, char *err,
    size_t errlen);
/* "IP:PORT" ("[IP]:PORT" for IPv6), and a node's enode URL (null if it
 * has none): as every record and answer writes them.  New references. */
json_t *serverd_addr_json(const struct p2p_ip *ip, uint16_t port);
json_t *serverd_enode_json(const struct p2p_node *n);
/* Logs at geth's levels (1 error .. 5 debug) to stderr. */
void serverd_log(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
