/*
 * config.h - p2p-serverd's files: the optional config file (a JSON object
 * whose members are the long options) and go-ethereum's node lists
 * (static-nodes.json, trusted-nodes.json: JSON arrays of enode URLs; enr:
 * records are accepted too).  Both are bounded and strict: anything
 * malformed is an error naming the file, the item and why.
 */
#ifndef P2P_CONFIG_H
#define P2P_CONFIG_H

#include <stddef.h>

#include <p2p/enode.h>

#define CFG_FILE_MAX (1u << 20)	/* bytes in a config or node-list file */
#define CFG_NODES_MAX 4096	/* entries in a node list */

/*
 * Parses a node list.  A missing file (ENOENT) is an empty list.  With
 * need_endpoint every entry must have an IP and TCP port (nodes to dial);
 * without, a bare public key will do (trusted nodes are matched by ID).
 * Returns: 0; -1 with a one-line reason in err ("static-nodes.json:
 *          entry 3 "enode://..": invalid public key").
 * Out:     *nodes (malloc'd, owned by the caller; NULL when *n is 0), *n.
 */
int cfg_nodelist_parse(const char *what, const char *text, size_t len,
    int need_endpoint, struct p2p_node **nodes, size_t *n, char *err,
    size_t errlen);
int cfg_nodelist_load(const char *path, int need_endpoint,
    struct p2p_node **nodes, size_t *n, char *err, size_t errlen);

/*
 * Parses a config file: for each member in order, fn(arg, name, value)
 * with the value as the flag would take it (strings as they are, numbers
 * in decimal, arrays of strings joined with commas; true is a NULL value,
 * for a switch; false and null skip the member).  fn returns 0 or -1 (then
 * its own message is in err).
 * Returns: 0; -1 with the reason in err.
 */
typedef int cfg_option_fn(void *arg, const char *name, const char *value,
    char *err, size_t errlen);
int cfg_config_parse(const char *what, const char *text, size_t len,
    cfg_option_fn *fn, void *arg, char *err, size_t errlen);
int cfg_config_load(const char *path, cfg_option_fn *fn, void *arg,
    char *err, size_t errlen);

#endif
