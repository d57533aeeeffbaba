/*
 * bench_disc.c - the discovery engine (disc.c) on loopback.
 *
 * disc_ping_pong: ping -> pong exchanges per CPU-second of one engine.  A
 * forked child plays 64 peers (64 keys, one UDP socket each), keeps a
 * window of pre-signed pings in flight and counts the pongs; it answers
 * the engine's ping-backs, as real peers do, so after the first round the
 * engine sees bonded peers (a pong, a node DB write and a table update per
 * ping).  Only the engine's process CPU is counted.
 *
 * disc_lookup_100: wall time of a random-target lookup in a 100-node
 * network on one event_base, tables seeded by a self lookup from each
 * node in turn (bootnode: node 0).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include <p2p/disc.h>

#include "bench.h"

void bench_disc(void);

#define PP_KEYS 64		/* peers the child plays */
#define PP_PER_KEY 16		/* distinct pre-signed pings per peer */
#define PP_MAX 50000		/* pings sent at most */
#define PP_SECONDS 5.0		/* or for this long */
#define PP_WINDOW 64		/* pings in flight */
#define PP_STALL_MS 100		/* silent this long: window lost */

#define LK_NODES 100
#define LK_RUNS 20
#define LK_BUDGET_S 60.0

static double
wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- disc_ping_pong ---- */

struct pp_result {
	long sent, pongs, pingbacks, stalls;
	double wall_s;
	int err;
};

struct pp_peer {
	int fd;
	uint16_t port;
	struct p2p_privkey key;
	uint8_t pkt[PP_PER_KEY][P2P_DISC_MAX_SEND];
	size_t len[PP_PER_KEY];
};

static void
pp_endpoint(struct p2p_disc_endpoint *ep, uint16_t port)
{
	memset(ep, 0, sizeof(*ep));
	ep->ip_len = 4;
	memcpy(ep->ip, "\x7f\x00\x00\x01", 4);
	ep->udp = ep->tcp = port;
}

static int
pp_socket(uint16_t *port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) != 0)
		return -1;
	*port = ntohs(sa.sin_port);
	return fd;
}

/* A peer: its socket, its key and its pre-signed pings to the engine. */
static int
pp_peer_init(struct pp_peer *p, uint16_t engine)
{
	struct p2p_disc_packet ping;
	uint64_t exp = (uint64_t)time(NULL) + 60;

	if ((p->fd = pp_socket(&p->port)) < 0 ||
	    p2p_secp_keygen(&p->key) != 0)
		return -1;
	for (int j = 0; j < PP_PER_KEY; j++) {
		memset(&ping, 0, sizeof(ping));
		ping.type = P2P_DISC_PING;
		ping.expiration = exp;
		ping.u.ping.version = P2P_DISC_VERSION;
		pp_endpoint(&ping.u.ping.from, p->port);
		pp_endpoint(&ping.u.ping.to, engine);
		ping.u.ping.has_seq = 1;
		ping.u.ping.enr_seq = (uint64_t)j + 1;
		if (p2p_disc_encode(p->pkt[j], sizeof(p->pkt[j]), &p->len[j],
		    NULL, &ping, &p->key) != 0)
			return -1;
	}
	return 0;
}

/* Answers the engine's ping (buf) to peer p with a pong. */
static int
pp_pong(struct pp_peer *p, const struct sockaddr_in *to,
    const uint8_t *buf, uint16_t engine)
{
	struct p2p_disc_packet pong;
	uint8_t out[P2P_DISC_MAX_SEND];
	size_t n;

	memset(&pong, 0, sizeof(pong));
	pong.type = P2P_DISC_PONG;
	pong.expiration = (uint64_t)time(NULL) + P2P_DISC_EXPIRATION;
	pp_endpoint(&pong.u.pong.to, engine);
	memcpy(pong.u.pong.ping_hash, buf, 32);	/* the ping's hash */
	pong.u.pong.has_seq = 1;
	pong.u.pong.enr_seq = 1;
	if (p2p_disc_encode(out, sizeof(out), &n, NULL, &pong, &p->key) != 0)
		return -1;
	return sendto(p->fd, out, n, 0, (const struct sockaddr *)to,
	    sizeof(*to)) < 0 ? -1 : 0;
}

/* Reads everything waiting on p's socket; returns the pongs among it. */
static long
pp_drain(struct pp_peer *p, const struct sockaddr_in *to, uint16_t engine,
    struct pp_result *r)
{
	uint8_t buf[P2P_DISC_MAX_PACKET];
	long pongs = 0;
	ssize_t n;

	/* The type byte is enough: the child must not spend its core on
	 * recovering the engine's key. */
	while ((n = recv(p->fd, buf, sizeof(buf), 0)) > P2P_DISC_HEAD_LEN) {
		if (buf[P2P_DISC_HEAD_LEN - 1] == P2P_DISC_PONG) {
			pongs++;
		} else if (buf[P2P_DISC_HEAD_LEN - 1] == P2P_DISC_PING) {
			r->pingbacks++;
			r->err |= pp_pong(p, to, buf, engine) != 0;
		}
	}
	return pongs;
}

/* Waits up to ms for packets; returns the pongs read, -1 if none came. */
static long
pp_poll(struct pp_peer *peers, struct pollfd *pfd, const struct
    sockaddr_in *to, uint16_t engine, int ms, struct pp_result *r)
{
	long pongs = 0;

	if (poll(pfd, PP_KEYS, ms) <= 0)
		return -1;
	for (int k = 0; k < PP_KEYS; k++)
		if (pfd[k].revents & POLLIN)
			pongs += pp_drain(&peers[k], to, engine, r);
	return pongs;
}

static void
pp_blast(struct pp_peer *peers, const struct sockaddr_in *to,
    uint16_t engine, struct pp_result *r)
{
	static struct pollfd pfd[PP_KEYS];
	long inflight = 0, got;
	double t0 = wall(), tend = t0 + PP_SECONDS;
	int k = 0, j = 0;

	for (int i = 0; i < PP_KEYS; i++) {
		pfd[i].fd = peers[i].fd;
		pfd[i].events = POLLIN;
	}
	while (r->sent < PP_MAX && wall() < tend) {
		while (inflight < PP_WINDOW && r->sent < PP_MAX) {
			if (sendto(peers[k].fd, peers[k].pkt[j],
			    peers[k].len[j], 0, (const struct sockaddr *)to,
			    sizeof(*to)) < 0)
				break;
			r->sent++;
			inflight++;
			if (++k == PP_KEYS) {
				k = 0;
				j = (j + 1) % PP_PER_KEY;
			}
		}
		got = pp_poll(peers, pfd, to, engine, PP_STALL_MS, r);
		if (got < 0) {
			r->stalls++;
			inflight = got = 0;
		}
		r->pongs += got;
		inflight = inflight > got ? inflight - got : 0;
	}
	/* The last window's pongs. */
	while (r->pongs < r->sent &&
	    (got = pp_poll(peers, pfd, to, engine, PP_STALL_MS, r)) >= 0)
		r->pongs += got;
	r->wall_s = wall() - t0;
}

/* The child: prepares the peers, blasts, writes the result to fd. */
static void
pp_child(int fd, uint16_t engine)
{
	static struct pp_peer peers[PP_KEYS];
	struct pp_result r;
	struct sockaddr_in to;

	memset(&r, 0, sizeof(r));
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(engine);
	for (int i = 0; i < PP_KEYS && r.err == 0; i++)
		r.err = pp_peer_init(&peers[i], engine) != 0;
	if (r.err == 0)
		pp_blast(peers, &to, engine, &r);
	for (int i = 0; i < PP_KEYS; i++)
		p2p_wipe(&peers[i].key, sizeof(peers[i].key));
	if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(1);
	_exit(0);
}

struct pp_parent {
	struct event_base *base;
	struct pp_result r;
	int got;
};

static void
pp_result_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pp_parent *pp = arg;

	/* On the time limit the child is killed and the figure marked. */
	if (what & EV_READ)
		pp->got = read(fd, &pp->r, sizeof(pp->r)) ==
		    (ssize_t)sizeof(pp->r);
	event_base_loopbreak(pp->base);
}

static void
pp_emit(const struct pp_result *r, const struct p2p_disc_stats *st,
    double cpu, int ok)
{
	char extra[512];

	snprintf(extra, sizeof(extra), "\"pings_sent\":%ld,"
	    "\"pongs_received\":%ld,\"pongs_per_ping\":%.4f,"
	    "\"pingbacks\":%ld,\"peers\":%d,\"window\":%d,\"stalls\":%ld,"
	    "\"wall_s\":%.3f,\"wall_rate\":%.0f,\"engine_in\":%llu,"
	    "\"engine_out\":%llu,\"engine_dropped\":%llu%s",
	    r->sent, r->pongs, r->sent ? (double)r->pongs / r->sent : 0,
	    r->pingbacks, PP_KEYS, PP_WINDOW, r->stalls, r->wall_s,
	    r->wall_s > 0 ? r->pongs / r->wall_s : 0,
	    (unsigned long long)st->in, (unsigned long long)st->out,
	    (unsigned long long)st->dropped,
	    ok && !r->err ? "" : ",\"errors\":true");
	bench_emit("disc_ping_pong", cpu > 0 ? r->pongs / cpu : 0,
	    "exchange/s", cpu, extra);
}

static void
bench_ping_pong(void)
{
	struct pp_parent pp = { 0 };
	struct p2p_disc_cfg cfg;
	struct p2p_disc_stats st;
	struct p2p_privkey key;
	struct p2p_disc *d = NULL;
	struct event *ev = NULL;
	struct timeval limit = { 30, 0 };
	int pfd[2] = { -1, -1 }, status;
	double cpu = 0;
	pid_t pid = -1;

	memset(&cfg, 0, sizeof(cfg));
	memset(&st, 0, sizeof(st));
	cfg.key = &key;
	if ((pp.base = event_base_new()) == NULL ||
	    p2p_secp_keygen(&key) != 0 ||
	    p2p_disc_new(&d, pp.base, &cfg) != 0 || pipe(pfd) != 0)
		goto cleanup;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(pfd[0]);
		pp_child(pfd[1], p2p_disc_self(d)->udp);
	}
	close(pfd[1]);
	pfd[1] = -1;
	if (pid < 0)
		goto cleanup;
	if ((ev = event_new(pp.base, pfd[0], EV_READ, pp_result_cb, &pp))
	    == NULL || event_add(ev, &limit) != 0)
		goto cleanup;
	cpu = bench_cpu();
	event_base_dispatch(pp.base);
	cpu = bench_cpu() - cpu;
	p2p_disc_get_stats(d, &st);
cleanup:
	if (pid > 0) {
		if (!pp.got)
			kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	pp_emit(&pp.r, &st, cpu, pp.got);
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (ev != NULL)
		event_free(ev);
	p2p_disc_free(d);
	if (pp.base != NULL)
		event_base_free(pp.base);
	p2p_wipe(&key, sizeof(key));
}

/* ---- disc_lookup_100 ---- */

struct lk_net {
	struct event_base *base;
	struct p2p_disc *d[LK_NODES];
	double deadline;
};

struct lk_wait {
	int done;
	size_t found;
};

static void
lk_done(void *arg, const struct p2p_node *closest, size_t count)
{
	struct lk_wait *w = arg;

	(void)closest;
	w->done = 1;
	w->found = count;
}

/* Runs the loop until *flag or the deadline; returns 0 if flag was set. */
static int
lk_run(struct lk_net *net, const int *flag)
{
	while (!*flag && wall() < net->deadline)
		if (event_base_loop(net->base, EVLOOP_ONCE) < 0)
			break;
	return *flag ? 0 : -1;
}

/* Lets replies still in flight land, so they count for no later lookup. */
static void
lk_settle(struct lk_net *net)
{
	struct timeval tv = { 0, 20000 };

	event_base_loopexit(net->base, &tv);
	event_base_dispatch(net->base);
}

static int
lk_start(struct lk_net *net)
{
	struct p2p_disc_cfg cfg;
	struct p2p_privkey key;
	struct p2p_node boot;
	int rc = 0;

	for (int i = 0; i < LK_NODES && rc == 0; i++) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.key = &key;
		cfg.seed = (uint64_t)i + 1;
		if (i > 0) {
			cfg.bootnodes = &boot;
			cfg.nbootnodes = 1;
		}
		if ((rc = p2p_secp_keygen(&key)) == 0)
			rc = p2p_disc_new(&net->d[i], net->base, &cfg);
		if (rc == 0 && i == 0)
			boot = *p2p_disc_self(net->d[0]);
	}
	p2p_wipe(&key, sizeof(key));
	return rc;
}

/* Each node in turn looks itself up: tables fill by real traffic. */
static int
lk_seed(struct lk_net *net)
{
	for (int i = 1; i < LK_NODES; i++) {
		struct lk_wait w = { 0, 0 };
		const struct p2p_node *self = p2p_disc_self(net->d[i]);

		if (p2p_disc_lookup(net->d[i], &self->pub, NULL, lk_done,
		    &w) != 0 || lk_run(net, &w.done) != 0)
			return -1;
	}
	lk_settle(net);
	return 0;
}

/* One random lookup from node i: wall ms; *asked: nodes that got a
 * packet during it (the only traffic, as maintain is 0). */
static double
lk_one(struct lk_net *net, int i, int *asked, size_t *found)
{
	struct lk_wait w = { 0, 0 };
	struct p2p_disc_stats st;
	uint64_t before[LK_NODES];
	double t0;

	for (int j = 0; j < LK_NODES; j++) {
		p2p_disc_get_stats(net->d[j], &st);
		before[j] = st.in;
	}
	t0 = wall();
	if (p2p_disc_lookup(net->d[i], NULL, NULL, lk_done, &w) != 0 ||
	    lk_run(net, &w.done) != 0)
		return -1;
	t0 = wall() - t0;
	*asked = 0;
	for (int j = 0; j < LK_NODES; j++) {
		p2p_disc_get_stats(net->d[j], &st);
		*asked += j != i && st.in != before[j];
	}
	*found = w.found;
	lk_settle(net);
	return t0 * 1000;
}

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
icmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void
lk_emit(double *ms, int *asked, size_t *found, int n, double cpu,
    double seed_s, size_t tab, int err)
{
	char extra[384];
	size_t fmin = 16;

	for (int i = 0; i < n; i++)
		fmin = found[i] < fmin ? found[i] : fmin;
	qsort(ms, (size_t)n, sizeof(ms[0]), dcmp);
	qsort(asked, (size_t)n, sizeof(asked[0]), icmp);
	snprintf(extra, sizeof(extra), "\"lookups\":%d,\"nodes\":%d,"
	    "\"p90_ms\":%.3f,\"max_ms\":%.3f,\"asked_median\":%d,"
	    "\"asked_max\":%d,\"found_min\":%zu,\"table_avg\":%.1f,"
	    "\"seed_s\":%.3f%s", n, LK_NODES,
	    n ? ms[(n * 9 + 9) / 10 - 1] : 0, n ? ms[n - 1] : 0,
	    n ? asked[n / 2] : 0, n ? asked[n - 1] : 0, n ? fmin : 0,
	    (double)tab / LK_NODES, seed_s, err ? ",\"errors\":true" : "");
	bench_emit("disc_lookup_100", n ? (ms[(n - 1) / 2] + ms[n / 2]) / 2 :
	    0, "ms", cpu, extra);
}

static void
bench_lookup(void)
{
	static struct lk_net net;
	double ms[LK_RUNS], cpu = 0, seed_s = 0;
	int asked[LK_RUNS], n = 0, err = 1;
	size_t found[LK_RUNS], tab = 0;
	uint64_t rng = 0x5eed;

	memset(&net, 0, sizeof(net));
	net.deadline = wall() + LK_BUDGET_S;
	if ((net.base = event_base_new()) == NULL || lk_start(&net) != 0)
		goto cleanup;
	seed_s = wall();
	if (lk_seed(&net) != 0)
		goto cleanup;
	seed_s = wall() - seed_s;
	for (int i = 0; i < LK_NODES; i++)
		tab += p2p_table_len(p2p_disc_table(net.d[i]));
	cpu = bench_cpu();
	for (n = 0; n < LK_RUNS; n++) {
		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		if ((ms[n] = lk_one(&net, (int)(rng >> 33) % LK_NODES,
		    &asked[n], &found[n])) < 0)
			break;
	}
	cpu = bench_cpu() - cpu;
	err = n < LK_RUNS;
cleanup:
	lk_emit(ms, asked, found, n, cpu, seed_s, tab, err);
	for (int i = 0; i < LK_NODES; i++)
		p2p_disc_free(net.d[i]);
	if (net.base != NULL)
		event_base_free(net.base);
}

void
bench_disc(void)
{
	bench_ping_pong();
	bench_lookup();
}
