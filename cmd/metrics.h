/*
 * metrics.h - p2p-serverd's Prometheus endpoint (--metrics IP:PORT):
 * counters fed from the server's events, gauges read from the server,
 * its discovery and its node database when scraped, served as
 * Prometheus text format over libevent's evhttp on the daemon's loop.
 */
#ifndef P2P_CMD_METRICS_H
#define P2P_CMD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include <p2p/netutil.h>
#include <p2p/server.h>

struct event_base;
struct metrics;

/*
 * Starts serving GET /metrics on ip:port (port 0: any) on base.  srv is
 * borrowed and read at each scrape; dbpath (borrowed, may be NULL) is the
 * node database's file, whose size is reported.
 * Returns: the endpoint, owned by the caller (metrics_free); NULL with
 *          why in err (bind failed: the errno text).
 */
struct metrics *metrics_new(struct event_base *base, const struct p2p_ip *ip,
    uint16_t port, struct p2p_server *srv, const char *dbpath, char *err,
    size_t errlen);
/* The port bound (for port 0). */
uint16_t metrics_port(const struct metrics *m);
/* Counts one server event (call it for every event the server reports). */
void metrics_event(struct metrics *m, const struct p2p_server_ev *ev);
void metrics_free(struct metrics *m);

#endif
