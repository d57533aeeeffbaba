/*
 * nat.c - port mappings on a NAT router (nat.h).  One job at a time runs
 * on a one-thread pool (workers.h): a round finds the router if we have
 * none, asks its external address and maps both ports; what it learnt
 * is recorded as events on the job, which the loop then reports, and the
 * next round is planned (a renewal, or a new search after a failure: a
 * router that restarted has forgotten our mappings, and re-adding them
 * is the cure).  The router's state is touched by the worker during a
 * round and by the loop only between rounds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <event2/event.h>
#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>
#include <natpmp.h>

#include <p2p/enode.h>
#include <p2p/nat.h>
#include <p2p/netutil.h>
#include <p2p/p2p.h>
#include <p2p/workers.h>

#define MAX_EVS		16
#define DETAIL_MAX	256
#define UPNP_ONLY_PERMANENT	725	/* OnlyPermanentLeasesSupported */
#define UPNP_CONFLICT		718	/* ConflictInMappingEntry */
#define CONFLICT_TRIES		4

enum { M_NONE, M_UPNP, M_PMP };
enum { P_TCP, P_UDP };

static const char *const proto_name[2] = { "tcp", "udp" };
static const char *const method_name[3] = { NULL, "upnp", "pmp" };

struct evrec {
	struct p2p_nat_ev ev;
	char detail[DETAIL_MAX];
};

struct mapping {
	uint16_t int_port, ext_port;
	uint32_t lifetime;		/* granted; 0 permanent */
	int active;
};

struct p2p_nat {
	struct p2p_nat_cfg cfg;
	char desc[64];
	struct p2p_workers *w;
	struct p2p_job job;
	int busy, freeing;
	struct event *timer;
	/* The router: the worker's during a round. */
	int method;
	struct UPNPUrls urls;
	struct IGDdatas data;
	char lanaddr[64];
	natpmp_t pmp;
	int pmp_open;
	struct p2p_ip gw, ext_ip;
	struct mapping map[2];
	uint64_t renewals;
	int round_ok;
	/* What the last round learnt, reported by the loop. */
	struct evrec evs[MAX_EVS];
	size_t nevs;
	/* What we announce. */
	struct p2p_ip ann_ip;
	uint16_t ann_tcp, ann_udp;
	char last_error[DETAIL_MAX + 32];	/* "step: detail" */
	/* The loop's copy of the state, taken between rounds: the worker
	 * changes the fields above while a round runs. */
	struct p2p_nat_state st;
	char st_error[DETAIL_MAX + 32];
};

int
p2p_nat_parse(struct p2p_nat_spec *spec, const char *s, char *err,
    size_t errlen)
{
	const char *arg = strchr(s, ':');
	size_t klen = arg ? (size_t)(arg - s) : strlen(s);

	memset(spec, 0, sizeof(*spec));
	if (klen == 4 && strncmp(s, "none", 4) == 0 && arg == NULL)
		spec->kind = P2P_NAT_NONE;
	else if (klen == 3 && strncmp(s, "any", 3) == 0 && arg == NULL)
		spec->kind = P2P_NAT_ANY;
	else if (klen == 4 && strncmp(s, "upnp", 4) == 0 && arg == NULL)
		spec->kind = P2P_NAT_UPNP;
	else if (klen == 3 && strncmp(s, "pmp", 3) == 0)
		spec->kind = P2P_NAT_PMP;
	else if (klen == 5 && strncmp(s, "extip", 5) == 0 && arg != NULL)
		spec->kind = P2P_NAT_EXTIP;
	else {
		snprintf(err, errlen, "not none, any, upnp, pmp, pmp:GATEWAY "
		    "or extip:IP");
		return P2P_EINVAL;
	}
	if (arg != NULL && (p2p_ip_parse(&spec->ip, arg + 1,
	    strlen(arg + 1)) != 0 || (spec->kind == P2P_NAT_PMP &&
	    spec->ip.len != 4))) {
		snprintf(err, errlen, "\"%.64s\" is not an IP%s address",
		    arg + 1, spec->kind == P2P_NAT_PMP ? "v4" : "");
		return P2P_EINVAL;
	}
	return 0;
}

/* ---- the worker's side ---- */

static struct evrec *
record(struct p2p_nat *n, enum p2p_nat_evtype type)
{
	struct evrec *r;

	if (n->nevs == MAX_EVS)
		n->nevs--;	/* the last one is overwritten */
	r = &n->evs[n->nevs++];
	memset(r, 0, sizeof(*r));
	r->ev.type = type;
	r->ev.method = method_name[n->method];
	return r;
}

static const char *
upnp_text(int code)
{
	const char *s = strupnperror(code);

	return s != NULL ? s : "UPnP error";
}

static struct evrec *
failed(struct p2p_nat *n, const char *step, int code, const char *detail)
{
	struct evrec *r = record(n, P2P_NAT_EV_FAILED);

	r->ev.step = step;
	r->ev.code = code;
	snprintf(r->detail, sizeof(r->detail), "%s", detail);
	snprintf(n->last_error, sizeof(n->last_error), "%s: %s", step,
	    r->detail);
	return r;
}

/* A mapping's failure says which mapping. */
static void
map_failed(struct p2p_nat *n, int proto, const struct mapping *m,
    uint16_t ext, int code, const char *detail)
{
	struct evrec *r = failed(n, "map", code, detail);

	r->ev.proto = proto_name[proto];
	r->ev.int_port = m->int_port;
	r->ev.ext_port = ext;
}

static void
ip4(struct p2p_ip *ip, const char *s)
{
	memset(ip, 0, sizeof(*ip));
	if (p2p_ip_parse(ip, s, strlen(s)) != 0)
		ip->len = 0;
}

static void
upnp_forget(struct p2p_nat *n)
{
	if (n->method == M_UPNP)
		FreeUPNPUrls(&n->urls);
	if (n->pmp_open)
		closenatpmp(&n->pmp);
	n->pmp_open = 0;
	n->method = M_NONE;
}

static const char *const igd_types[] = {
	"urn:schemas-upnp-org:device:InternetGatewayDevice:1",
	"urn:schemas-upnp-org:device:InternetGatewayDevice:2",
	NULL,
};

static int
upnp_find(struct p2p_nat *n)
{
	struct UPNPDev *devs;
	int err = 0, rc;
	struct evrec *r;

	/* IGD v1 and v2 only, half the wait each: geth's 3 s in all
	 * (upnpDiscover asks four types in turn, 12 s with no router). */
	devs = upnpDiscoverDevices(igd_types, P2P_NAT_UPNP_WAIT_MS / 2, NULL,
	    NULL, UPNP_LOCAL_PORT_ANY, 0, 2, &err, 0);
	if (devs == NULL)
		return 0;
	memset(&n->urls, 0, sizeof(n->urls));
	memset(&n->data, 0, sizeof(n->data));
	rc = UPNP_GetValidIGD(devs, &n->urls, &n->data, n->lanaddr,
	    sizeof(n->lanaddr));
	freeUPNPDevlist(devs);
	if (rc != 1 && rc != 2) {
		if (rc != 0)
			FreeUPNPUrls(&n->urls);
		return 0;
	}
	n->method = M_UPNP;
	r = record(n, P2P_NAT_EV_FOUND);
	snprintf(r->detail, sizeof(r->detail), "%s%s", n->urls.rootdescURL,
	    rc == 2 ? " (reports not connected)" : "");
	{
		/* The gateway: the host of the IGD's URL. */
		char host[64] = "";

		if (sscanf(n->urls.rootdescURL, "http://%63[^:/]", host) == 1)
			ip4(&n->gw, host);
		r->ev.gateway = n->gw;
	}
	return 1;
}

/* The answer each request waits for: its type and, for a mapping, its
 * internal port. */
#define PMP_ADDRESS (-1)

/*
 * One NAT-PMP exchange, within P2P_NAT_PMP_WAIT_MS (libnatpmp alone would
 * retry for a minute): proto (NATPMP_PROTOCOL_*) and port name the
 * mapping asked for, or proto is PMP_ADDRESS.
 *
 * libnatpmp takes any answer as the answer to its pending request.  A
 * router slow enough that libnatpmp sent a request twice answers it twice,
 * and the second answer would then be read as the next request's (an
 * address answer read as a mapping's gives a made-up port): an answer of
 * another kind, or for another port, is dropped and the wait goes on.
 */
static int
pmp_exchange(natpmp_t *p, natpmpresp_t *resp, int proto, uint16_t port)
{
	struct timeval end, now, tv;
	int rc;
	uint16_t type = proto == PMP_ADDRESS ? NATPMP_RESPTYPE_PUBLICADDRESS :
	    proto == NATPMP_PROTOCOL_TCP ? NATPMP_RESPTYPE_TCPPORTMAPPING :
	    NATPMP_RESPTYPE_UDPPORTMAPPING;

	gettimeofday(&end, NULL);
	end.tv_usec += (P2P_NAT_PMP_WAIT_MS % 1000) * 1000;
	end.tv_sec += P2P_NAT_PMP_WAIT_MS / 1000 + end.tv_usec / 1000000;
	end.tv_usec %= 1000000;
	for (;;) {
		fd_set fds;

		FD_ZERO(&fds);
		FD_SET(p->s, &fds);
		getnatpmprequesttimeout(p, &tv);
		gettimeofday(&now, NULL);
		if (!timercmp(&now, &end, <))
			return NATPMP_ERR_NOGATEWAYSUPPORT;
		{
			struct timeval left;

			timersub(&end, &now, &left);
			if (timercmp(&left, &tv, <) || tv.tv_sec < 0)
				tv = left;
		}
		select(p->s + 1, &fds, NULL, NULL, &tv);
		rc = readnatpmpresponseorretry(p, resp);
		if (rc == NATPMP_TRYAGAIN)
			continue;
		if (rc >= 0 && (resp->type != type || (proto != PMP_ADDRESS &&
		    resp->pnu.newportmapping.privateport != port))) {
			/* Not ours: still waiting (and retrying). */
			p->has_pending_request = 1;
			continue;
		}
		return rc;
	}
}

static int
pmp_find(struct p2p_nat *n)
{
	const struct p2p_nat_spec *sp = &n->cfg.spec;
	natpmpresp_t resp;
	struct evrec *r;
	in_addr_t gw = 0;
	int rc;

	if (sp->kind == P2P_NAT_PMP && sp->ip.len == 4)
		memcpy(&gw, sp->ip.b, 4);
	if (initnatpmp(&n->pmp, gw != 0, gw) != 0)
		return 0;
	n->pmp_open = 1;
	if (sendpublicaddressrequest(&n->pmp) < 0 ||
	    (rc = pmp_exchange(&n->pmp, &resp, PMP_ADDRESS, 0)) < 0) {
		closenatpmp(&n->pmp);
		n->pmp_open = 0;
		return 0;
	}
	n->method = M_PMP;
	n->gw.len = 4;
	memcpy(n->gw.b, &n->pmp.gateway, 4);
	r = record(n, P2P_NAT_EV_FOUND);
	r->ev.gateway = n->gw;
	snprintf(r->detail, sizeof(r->detail), "NAT-PMP");
	return 1;
}

static int
external_ip(struct p2p_nat *n)
{
	char buf[64] = "";
	int rc;

	if (n->method == M_UPNP) {
		rc = UPNP_GetExternalIPAddress(n->urls.controlURL,
		    n->data.first.servicetype, buf);
		if (rc != 0) {
			failed(n, "external-ip", rc, upnp_text(rc));
			return -1;
		}
		ip4(&n->ext_ip, buf);
	} else {
		natpmpresp_t resp;

		if (sendpublicaddressrequest(&n->pmp) < 0 ||
		    (rc = pmp_exchange(&n->pmp, &resp, PMP_ADDRESS, 0)) < 0) {
			failed(n, "external-ip", -1, "no NAT-PMP answer");
			return -1;
		}
		n->ext_ip.len = 4;
		memcpy(n->ext_ip.b, &resp.pnu.publicaddress.addr, 4);
	}
	/* RFC 6886: 0.0.0.0 while the router has no external address. */
	if (n->ext_ip.len == 0 || p2p_ip_is_unspecified(&n->ext_ip)) {
		n->ext_ip.len = 0;
		failed(n, "external-ip", 0, "the router has no external "
		    "address");
		return -1;
	}
	return 0;
}

static int
upnp_map(struct p2p_nat *n, int proto, struct mapping *m)
{
	char ext[8], in[8], lease[16];
	const char *P = proto == P_TCP ? "TCP" : "UDP";
	uint16_t want = m->active ? m->ext_port : m->int_port;
	int rc = -1;

	snprintf(in, sizeof(in), "%u", m->int_port);
	for (int i = 0; i < CONFLICT_TRIES; i++) {
		snprintf(ext, sizeof(ext), "%u", want);
		snprintf(lease, sizeof(lease), "%u", n->cfg.lifetime_s);
		rc = UPNP_AddPortMapping(n->urls.controlURL,
		    n->data.first.servicetype, ext, in, n->lanaddr, n->desc, P,
		    NULL, lease);
		if (rc == UPNP_ONLY_PERMANENT) {
			/* Only lease 0 here: kept until we remove it. */
			char why[DETAIL_MAX];

			snprintf(why, sizeof(why), "%s; mapping with lease 0 "
			    "(permanent) instead", upnp_text(rc));
			map_failed(n, proto, m, want, rc, why);
			rc = UPNP_AddPortMapping(n->urls.controlURL,
			    n->data.first.servicetype, ext, in, n->lanaddr,
			    n->desc, P, NULL, "0");
			if (rc == 0) {
				m->lifetime = 0;
				break;
			}
		}
		if (rc == 0) {
			m->lifetime = n->cfg.lifetime_s;
			break;
		}
		if (rc != UPNP_CONFLICT)
			break;
		/* Taken by another host: another external port. */
		want = (uint16_t)(1024 + (unsigned)random() % 64000);
	}
	if (rc != 0) {
		map_failed(n, proto, m, want, rc, upnp_text(rc));
		return -1;
	}
	m->ext_port = want;
	return 0;
}

static int
pmp_map(struct p2p_nat *n, int proto, struct mapping *m)
{
	natpmpresp_t resp;
	int pp = proto == P_TCP ? NATPMP_PROTOCOL_TCP : NATPMP_PROTOCOL_UDP;
	int rc;

	if (sendnewportmappingrequest(&n->pmp, pp, m->int_port,
	    m->active ? m->ext_port : m->int_port, n->cfg.lifetime_s) < 0 ||
	    (rc = pmp_exchange(&n->pmp, &resp, pp, m->int_port)) < 0) {
		map_failed(n, proto, m, m->active ? m->ext_port : m->int_port,
		    -1, "no NAT-PMP answer");
		return -1;
	}
	m->ext_port = resp.pnu.newportmapping.mappedpublicport;
	m->lifetime = resp.pnu.newportmapping.lifetime;
	return 0;
}

/* A round: find the router if needed, its address, both mappings. */
static void
round_run(void *arg)
{
	struct p2p_nat *n = arg;
	enum p2p_nat_kind k = n->cfg.spec.kind;
	int ok = 1;

	n->nevs = 0;
	n->round_ok = 0;
	if (n->method == M_NONE) {
		int found = 0;

		if (k == P2P_NAT_UPNP || k == P2P_NAT_ANY)
			found = upnp_find(n);
		if (!found && (k == P2P_NAT_PMP || k == P2P_NAT_ANY))
			found = pmp_find(n);
		if (!found) {
			struct evrec *r = record(n, P2P_NAT_EV_NOT_FOUND);

			snprintf(r->detail, sizeof(r->detail), "no %s router "
			    "answered", k == P2P_NAT_UPNP ? "UPnP" :
			    k == P2P_NAT_PMP ? "NAT-PMP" : "UPnP or NAT-PMP");
			snprintf(n->last_error, sizeof(n->last_error), "%s",
			    r->detail);
			return;
		}
	}
	if (external_ip(n) != 0) {
		upnp_forget(n);
		return;
	}
	for (int p = P_TCP; p <= P_UDP; p++) {
		struct mapping *m = &n->map[p];
		struct evrec *r;

		if (m->int_port == 0)
			continue;
		if ((n->method == M_UPNP ? upnp_map(n, p, m) :
		    pmp_map(n, p, m)) != 0) {
			ok = 0;
			continue;
		}
		m->active = 1;
		r = record(n, P2P_NAT_EV_MAPPED);
		r->ev.proto = proto_name[p];
		r->ev.int_port = m->int_port;
		r->ev.ext_port = m->ext_port;
		r->ev.lifetime_s = m->lifetime;
		r->ev.gateway = n->gw;
		r->ev.ext_ip = n->ext_ip;
	}
	/* A router that refused: search again next round. */
	if (!ok)
		upnp_forget(n);
	n->round_ok = ok;
}

/* ---- the loop's side ---- */

static void round_done(void *arg, int cancelled);

static void emit(struct p2p_nat *n, struct p2p_nat_ev *ev);

static void
round_start(struct p2p_nat *n)
{
	enum p2p_nat_kind k = n->cfg.spec.kind;

	if (n->busy || n->freeing)
		return;
	/* Said now: a search takes seconds, its outcome comes after.
	 * method "any": UPnP, then NAT-PMP. */
	if (n->method == M_NONE) {
		struct p2p_nat_ev ev = { .type = P2P_NAT_EV_SEARCHING,
		    .method = k == P2P_NAT_UPNP ? "upnp" : k == P2P_NAT_PMP ?
		    "pmp" : "any" };

		emit(n, &ev);
	}
	n->busy = 1;
	n->job.run = round_run;
	n->job.done = round_done;
	n->job.arg = n;
	p2p_workers_submit(n->w, &n->job);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	round_start(arg);
}

static void
emit(struct p2p_nat *n, struct p2p_nat_ev *ev)
{
	if (n->cfg.on_event != NULL)
		n->cfg.on_event(n->cfg.arg, ev);
}

/* What to announce now: the router's address and the external ports of
 * live mappings (the internal ones otherwise). */
static void
announce(struct p2p_nat *n)
{
	struct p2p_nat_ev ev = { .type = P2P_NAT_EV_EXTERNAL,
	    .method = method_name[n->method] };
	uint16_t tcp = n->map[P_TCP].active ? n->map[P_TCP].ext_port :
	    n->map[P_TCP].int_port;
	uint16_t udp = n->map[P_UDP].active ? n->map[P_UDP].ext_port :
	    n->map[P_UDP].int_port;

	if (n->ext_ip.len == 0)
		return;
	if (n->ann_ip.len == n->ext_ip.len && memcmp(n->ann_ip.b,
	    n->ext_ip.b, n->ext_ip.len) == 0 && n->ann_tcp == tcp &&
	    n->ann_udp == udp)
		return;
	n->ann_ip = n->ext_ip;
	n->ann_tcp = tcp;
	n->ann_udp = udp;
	ev.ext_ip = n->ext_ip;
	ev.gateway = n->gw;
	ev.ext_tcp = tcp;
	ev.ext_udp = udp;
	emit(n, &ev);
}

/* The state p2p_nat_state gives, copied on the loop between rounds. */
static void
state_copy(struct p2p_nat *n)
{
	struct p2p_nat_state *st = &n->st;

	st->method = method_name[n->method];
	st->gateway = n->gw;
	st->ext_ip = n->ann_ip.len ? n->ann_ip : n->ext_ip;
	st->ext_tcp = n->map[P_TCP].active ? n->map[P_TCP].ext_port : 0;
	st->ext_udp = n->map[P_UDP].active ? n->map[P_UDP].ext_port : 0;
	st->lifetime_s = n->map[P_TCP].active ? n->map[P_TCP].lifetime :
	    n->map[P_UDP].lifetime;
	st->renewals = n->renewals;
	snprintf(n->st_error, sizeof(n->st_error), "%s", n->last_error);
	st->last_error = n->st_error[0] ? n->st_error : NULL;
}

static void
round_done(void *arg, int cancelled)
{
	struct p2p_nat *n = arg;
	uint32_t next = n->cfg.renew_s;
	struct timeval tv;

	n->busy = 0;
	if (cancelled)
		return;
	for (size_t i = 0; i < n->nevs; i++) {
		n->evs[i].ev.detail = n->evs[i].detail[0] ?
		    n->evs[i].detail : NULL;
		emit(n, &n->evs[i].ev);
	}
	n->nevs = 0;
	if (n->round_ok) {
		n->renewals++;
		n->last_error[0] = '\0';
		announce(n);
		/* Renew before the shortest lease granted runs out. */
		for (int p = P_TCP; p <= P_UDP; p++)
			if (n->map[p].active && n->map[p].lifetime > 0 &&
			    n->map[p].lifetime * 3 / 4 < next)
				next = n->map[p].lifetime * 3 / 4;
	}
	state_copy(n);
	if (next == 0)
		next = 1;
	tv.tv_sec = next;
	tv.tv_usec = 0;
	evtimer_add(n->timer, &tv);
}

static void
extip_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	announce(arg);
}

int
p2p_nat_new(struct p2p_nat **out, const struct p2p_nat_cfg *cfg)
{
	struct p2p_nat *n;
	int rc;

	*out = NULL;
	if (cfg->base == NULL || cfg->spec.kind > P2P_NAT_PMP)
		return P2P_EINVAL;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return P2P_ENOMEM;
	n->cfg = *cfg;
	if (n->cfg.lifetime_s == 0)
		n->cfg.lifetime_s = P2P_NAT_LIFETIME_S;
	if (n->cfg.renew_s == 0)
		n->cfg.renew_s = P2P_NAT_RENEW_S;
	snprintf(n->desc, sizeof(n->desc), "%s", cfg->desc != NULL ?
	    cfg->desc : "p2pcore");
	n->cfg.desc = n->desc;
	n->map[P_TCP].int_port = cfg->tcp_port;
	n->map[P_UDP].int_port = cfg->udp_port;
	if ((n->timer = evtimer_new(cfg->base, timer_cb, n)) == NULL) {
		free(n);
		return P2P_ENOMEM;
	}
	switch (cfg->spec.kind) {
	case P2P_NAT_NONE:
		break;
	case P2P_NAT_EXTIP: {
		/* No router: the address given, reported from the loop. */
		struct timeval now = { 0, 0 };

		n->ext_ip = cfg->spec.ip;
		event_free(n->timer);
		if ((n->timer = evtimer_new(cfg->base, extip_cb, n)) == NULL) {
			free(n);
			return P2P_ENOMEM;
		}
		evtimer_add(n->timer, &now);
		break;
	}
	default:
		if ((rc = p2p_workers_new(&n->w, cfg->base, 1)) != 0) {
			event_free(n->timer);
			free(n);
			return rc;
		}
		round_start(n);
		break;
	}
	*out = n;
	return 0;
}

/* Removes the mappings, on the caller's thread. */
static void
unmap(struct p2p_nat *n)
{
	for (int p = P_TCP; p <= P_UDP; p++) {
		struct mapping *m = &n->map[p];
		struct p2p_nat_ev ev = { .type = P2P_NAT_EV_REMOVED,
		    .method = method_name[n->method], .proto = proto_name[p],
		    .int_port = m->int_port, .ext_port = m->ext_port,
		    .gateway = n->gw, .ext_ip = n->ext_ip };
		char ext[8], detail[DETAIL_MAX];
		int rc = 0;

		if (!m->active || n->method == M_NONE)
			continue;
		if (n->method == M_UPNP) {
			snprintf(ext, sizeof(ext), "%u", m->ext_port);
			rc = UPNP_DeletePortMapping(n->urls.controlURL,
			    n->data.first.servicetype, ext, p == P_TCP ?
			    "TCP" : "UDP", NULL);
			if (rc != 0)
				snprintf(detail, sizeof(detail), "%s",
				    upnp_text(rc));
		} else {
			natpmpresp_t resp;

			/* RFC 6886: lifetime 0 deletes. */
			int pp = p == P_TCP ? NATPMP_PROTOCOL_TCP :
			    NATPMP_PROTOCOL_UDP;

			if (sendnewportmappingrequest(&n->pmp, pp,
			    m->int_port, 0, 0) < 0 ||
			    pmp_exchange(&n->pmp, &resp, pp, m->int_port) < 0) {
				rc = -1;
				snprintf(detail, sizeof(detail), "no NAT-PMP "
				    "answer");
			}
		}
		m->active = 0;
		if (rc != 0) {
			ev.type = P2P_NAT_EV_FAILED;
			ev.step = "remove";
			ev.code = rc;
			ev.detail = detail;
		}
		emit(n, &ev);
	}
}

void
p2p_nat_free(struct p2p_nat *n)
{
	if (n == NULL)
		return;
	n->freeing = 1;
	/* Waits for a round under way; a queued one is cancelled. */
	p2p_workers_free(n->w);
	unmap(n);
	upnp_forget(n);
	event_free(n->timer);
	free(n);
}

void
p2p_nat_state(const struct p2p_nat *n, struct p2p_nat_state *st)
{
	*st = n->st;
	/* Searching: a round runs and no router is known yet. */
	st->searching = n->busy && st->method == NULL;
	if (n->cfg.spec.kind == P2P_NAT_EXTIP) {
		st->method = "extip";
		st->ext_ip = n->cfg.spec.ip;
	}
}
