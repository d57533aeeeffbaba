/*
 * localnode.c - our node and its record: lazily rebuilt, numbered so the
 * number only grows and only moves when the content does (localnode.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <p2p/iptrack.h>
#include <p2p/localnode.h>
#include <p2p/netutil.h>

#include "internal.h"

struct p2p_localnode {
	struct p2p_privkey key;
	struct p2p_node self;	/* ip is what is announced, or 127.0.0.1 */
	struct p2p_ip ip;	/* fallback as set: len 0 for none */
	struct p2p_ip static_ip;	/* len 0: none (prediction on) */
	uint16_t udp;		/* fallback UDP port */
	struct p2p_iptrack *track;
	p2p_localnode_endpoint_fn *on_endpoint;
	void *arg;
	struct p2p_nodedb *db;
	struct p2p_enr extra;	/* entries set by p2p_localnode_set */
	int dirty;
	int source;		/* P2P_LOCALNODE_* of self's endpoint */
	struct p2p_enr rec;
	uint8_t rlp[P2P_ENR_MAX_SIZE];
	size_t len;
	uint64_t seq;		/* of rec; before any, the stored one */
};

int
p2p_localnode_new(struct p2p_localnode **out, const struct p2p_privkey *key,
    struct p2p_nodedb *db)
{
	struct p2p_localnode *ln;
	int rc;

	*out = NULL;
	if ((ln = calloc(1, sizeof(*ln))) == NULL)
		return P2P_ENOMEM;
	ln->key = *key;
	if ((rc = p2p_secp_pubkey(&ln->self.pub, &ln->key)) != 0) {
		p2p_localnode_free(ln);
		return rc;
	}
	p2p_enode_id(&ln->self.id, &ln->self.pub);
	ln->self.ip.len = 4;
	ln->self.ip.b[0] = 127;
	ln->self.ip.b[3] = 1;
	ln->db = db;
	ln->seq = db != NULL ? p2p_nodedb_local_seq(db) : 0;
	p2p_enr_init(&ln->extra);
	ln->dirty = 1;
	if ((rc = p2p_iptrack_new(&ln->track, P2P_IPTRACK_WINDOW_MS,
	    P2P_IPTRACK_CONTACT_WINDOW_MS, P2P_IPTRACK_MIN_STATEMENTS)) != 0) {
		p2p_localnode_free(ln);
		return rc;
	}
	*out = ln;
	return 0;
}

void
p2p_localnode_free(struct p2p_localnode *ln)
{
	if (ln == NULL)
		return;
	p2p_wipe(&ln->key, sizeof(ln->key));
	p2p_iptrack_free(ln->track);
	free(ln);
}

static int
ip_eq(const struct p2p_ip *a, const struct p2p_ip *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

/* v1.8.24 updateEndpoints: a static IP; else the prediction (address and
 * port); else the fallback (or 127.0.0.1, with no "ip" in the record). */
static void
endpoints_moved(struct p2p_localnode *ln, int tcp_moved)
{
	struct p2p_ip ip = ln->ip;
	uint16_t udp = ln->udp;
	struct p2p_endpoint pred;
	int source = P2P_LOCALNODE_FALLBACK, moved;

	if (ln->static_ip.len != 0) {
		ip = ln->static_ip;
		source = P2P_LOCALNODE_STATIC;
	} else if (p2p_iptrack_predict(ln->track, p2pi_mono_ms(), &pred)) {
		ip = pred.ip;
		udp = pred.port;
		source = P2P_LOCALNODE_PREDICTED;
	}
	if (ip.len == 0) {
		memset(&ip, 0, sizeof(ip));
		ip.len = 4;
		ip.b[0] = 127;
		ip.b[3] = 1;
	}
	moved = tcp_moved || !ip_eq(&ip, &ln->self.ip) ||
	    udp != ln->self.udp;
	if (!moved && source == ln->source)
		return;
	ln->self.ip = ip;
	ln->self.udp = udp;
	ln->source = source;
	ln->dirty = 1;
	/* A new source naming the same endpoint is no news. */
	if (moved && ln->on_endpoint != NULL)
		ln->on_endpoint(ln->arg, &ln->self, source);
}

static void
endpoints(struct p2p_localnode *ln)
{
	endpoints_moved(ln, 0);
}

/* *dst = ip, or none (len 0) for NULL, empty or unspecified. */
static void
set_addr(struct p2p_ip *dst, const struct p2p_ip *ip)
{
	dst->len = 0;
	if (ip != NULL && ip->len != 0 && !p2p_ip_is_unspecified(ip))
		*dst = *ip;
}

void
p2p_localnode_set_ip(struct p2p_localnode *ln, const struct p2p_ip *ip)
{
	set_addr(&ln->ip, ip);
	ln->dirty = 1;
	endpoints(ln);
}

void
p2p_localnode_set_static_ip(struct p2p_localnode *ln, const struct p2p_ip *ip)
{
	p2p_localnode_announce(ln, ip, 0, 0);
}

void
p2p_localnode_udp_statement(struct p2p_localnode *ln,
    const struct p2p_ip *from, uint16_t from_port, const struct p2p_ip *ip,
    uint16_t port)
{
	struct p2p_endpoint f = { .ip = *from, .port = from_port },
	    e = { .ip = *ip, .port = port };

	/* An endpoint no one could reach is not evidence. */
	if (ip->len == 0 || p2p_ip_is_unspecified(ip) || port == 0)
		return;
	p2p_iptrack_statement(ln->track, &f, &e, p2pi_mono_ms());
	endpoints(ln);
}

void
p2p_localnode_on_endpoint(struct p2p_localnode *ln,
    p2p_localnode_endpoint_fn *fn, void *arg)
{
	ln->on_endpoint = fn;
	ln->arg = arg;
}

void
p2p_localnode_set_tcp(struct p2p_localnode *ln, uint16_t port)
{
	if (port == ln->self.tcp)
		return;
	ln->self.tcp = port;
	ln->dirty = 1;
	if (ln->on_endpoint != NULL)
		ln->on_endpoint(ln->arg, &ln->self, ln->source);
}

void
p2p_localnode_set_udp(struct p2p_localnode *ln, uint16_t port)
{
	ln->udp = port;
	ln->dirty = 1;
	endpoints(ln);
}

void
p2p_localnode_announce(struct p2p_localnode *ln, const struct p2p_ip *ip,
    uint16_t tcp, uint16_t udp)
{
	int tcp_moved = tcp != 0 && tcp != ln->self.tcp;

	set_addr(&ln->static_ip, ip);
	if (tcp != 0)
		ln->self.tcp = tcp;
	if (udp != 0)
		ln->udp = udp;
	ln->dirty = 1;
	endpoints_moved(ln, tcp_moved);
}

int
p2p_localnode_set(struct p2p_localnode *ln, const char *key,
    const uint8_t *rlp, size_t len)
{
	int rc;

	if (rlp == NULL)
		rc = p2p_enr_delete(&ln->extra, key);
	else if ((rc = p2p_enr_set(&ln->extra, key, rlp, len)) != 0)
		return rc == P2P_EENRSIZE ? P2P_EINVAL : rc;
	ln->dirty = 1;
	return rc;
}

/* Builds and signs the record with number seq into ln->rec / ln->rlp. */
static int
build(struct p2p_localnode *ln, uint64_t seq)
{
	const uint8_t *k, *v;
	size_t kl, vl;
	char key[P2P_ENR_MAX_SIZE + 1];
	int rc;

	p2p_enr_init(&ln->rec);
	for (unsigned i = 0; i < ln->extra.npairs; i++) {
		p2p_enr_pair_at(&ln->extra, i, &k, &kl, &v, &vl);
		memcpy(key, k, kl);
		key[kl] = '\0';
		if ((rc = p2p_enr_set(&ln->rec, key, v, vl)) != 0)
			return rc;
	}
	/* "ip" unless we announce only the 127.0.0.1 stand-in. */
	if (ln->source != P2P_LOCALNODE_FALLBACK || ln->ip.len != 0)
		if ((rc = p2p_enr_set_ip(&ln->rec, &ln->self.ip)) != 0)
			return rc;
	if ((ln->self.tcp != 0 && (rc = p2p_enr_set_uint(&ln->rec, "tcp",
	    ln->self.tcp)) != 0) ||
	    (ln->self.udp != 0 && (rc = p2p_enr_set_uint(&ln->rec, "udp",
	    ln->self.udp)) != 0))
		return rc;
	p2p_enr_set_seq(&ln->rec, seq);
	if ((rc = p2p_enr_sign(&ln->rec, &ln->key)) != 0)
		return rc;
	ln->len = sizeof(ln->rlp);
	return p2p_enr_encode(&ln->rec, ln->rlp, &ln->len);
}

/* Is the record just built with the stored number the stored record? */
static int
same_as_stored(struct p2p_localnode *ln)
{
	uint8_t old[P2P_NODEDB_ENR_MAX];
	size_t oldlen = 0;

	if (ln->db == NULL)
		return 0;
	return p2p_nodedb_get_node(ln->db, &ln->self.id, NULL, old, &oldlen,
	    NULL) == 0 && oldlen == ln->len &&
	    memcmp(old, ln->rlp, oldlen) == 0;
}

static int
update(struct p2p_localnode *ln)
{
	struct p2p_enr keep = ln->rec;
	uint8_t keeprlp[P2P_ENR_MAX_SIZE];
	size_t keeplen = ln->len;
	int rc;

	if (!ln->dirty)
		return 0;
	memcpy(keeprlp, ln->rlp, keeplen);
	/* The content may be what we announced last (this run, or before
	 * a restart): then it keeps its number. */
	if (keeplen == 0 ? ln->seq > 0 && build(ln, ln->seq) == 0 &&
	    same_as_stored(ln) : build(ln, ln->seq) == 0 &&
	    ln->len == keeplen && memcmp(ln->rlp, keeprlp, keeplen) == 0) {
		ln->dirty = 0;
		return 0;
	}
	if ((rc = build(ln, ln->seq + 1)) != 0)
		goto restore;
	if (ln->db != NULL &&
	    ((rc = p2p_nodedb_set_local_seq(ln->db, ln->seq + 1)) != 0 ||
	    (rc = p2p_nodedb_put_node(ln->db, &ln->self, ln->rlp, ln->len,
	    ln->seq + 1, (uint64_t)time(NULL))) != 0))
		goto restore;
	ln->seq++;
	ln->dirty = 0;
	return 0;
restore:
	ln->rec = keep;
	memcpy(ln->rlp, keeprlp, keeplen);
	ln->len = keeplen;
	return rc;
}

int
p2p_localnode_record(struct p2p_localnode *ln, const struct p2p_enr **rec)
{
	int rc = update(ln);

	if (rec != NULL)
		*rec = &ln->rec;
	return rc;
}

const uint8_t *
p2p_localnode_rlp(struct p2p_localnode *ln, size_t *len)
{
	*len = ln->len;
	return ln->rlp;
}

uint64_t
p2p_localnode_seq(struct p2p_localnode *ln)
{
	(void)update(ln);
	return ln->seq;
}

const struct p2p_node *
p2p_localnode_node(const struct p2p_localnode *ln)
{
	return &ln->self;
}

const struct p2p_privkey *
p2p_localnode_key(const struct p2p_localnode *ln)
{
	return &ln->key;
}
