/*
 * metrics.c - a placeholder until the Prometheus endpoint lands.
 */
#include <stdio.h>

#include "metrics.h"

struct metrics *
metrics_new(struct event_base *base, const struct p2p_ip *ip, uint16_t port,
    struct p2p_server *srv, const char *dbpath, char *err, size_t errlen)
{
	(void)base; (void)ip; (void)port; (void)srv; (void)dbpath;
	snprintf(err, errlen, "not built yet");
	return NULL;
}

uint16_t
metrics_port(const struct metrics *m)
{
	(void)m;
	return 0;
}

void
metrics_event(struct metrics *m, const struct p2p_server_ev *ev)
{
	(void)m;
	(void)ev;
}

void
metrics_free(struct metrics *m)
{
	(void)m;
}
