/*
 * discv4.c - discovery v4 packets: decoding with hash and signature checks,
 * encoding and signing.  Forward compatible as EIP-8 asks (extra list
 * elements and trailing bytes are accepted), with EIP-868's enr-seq and
 * ENR request/response.
 */
#include <string.h>

#include <p2p/discv4.h>
#include <p2p/keccak.h>
#include <p2p/rlp.h>

#define SIG_OFF P2P_DISC_HASH_LEN
#define TYPE_OFF (P2P_DISC_HASH_LEN + P2P_SIG_LEN)

static const char *type_names[] = {
	[P2P_DISC_PING] = "ping",
	[P2P_DISC_PONG] = "pong",
	[P2P_DISC_FINDNODE] = "findnode",
	[P2P_DISC_NEIGHBORS] = "neighbors",
	[P2P_DISC_ENRREQ] = "enrrequest",
	[P2P_DISC_ENRRESP] = "enrresponse",
};

static const uint8_t v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

const char *
p2p_disc_type_name(int type)
{
	if (type >= P2P_DISC_PING && type <= P2P_DISC_ENRRESP)
		return type_names[type];
	return "unknown";
}

int
p2p_disc_expired(uint64_t expiration, uint64_t now)
{
	/* go-ethereum: time.Unix(int64(ts), 0).Before(time.Now()). */
	if (expiration > INT64_MAX)
		return 1;
	return expiration < now;
}

/* Decoding. */

/* The next element of a list that must have one. */
static int
need(struct p2p_rlp_iter *it, struct p2p_rlp_item *item)
{
	int rc = p2p_rlp_iter_next(it, item);

	return rc == 1 ? 0 : rc == 0 ? P2P_EFIELD : rc;
}

static int
get_port(const struct p2p_rlp_item *item, uint16_t *port)
{
	uint64_t v;
	int rc;

	if ((rc = p2p_rlp_uint64(item, &v)) != 0)
		return rc;
	if (v > 65535)
		return P2P_EINTRANGE;
	*port = (uint16_t)v;
	return 0;
}

/* ip, udp, tcp: the first three elements of an endpoint or a node. */
static int
get_addr(struct p2p_rlp_iter *it, struct p2p_disc_endpoint *ep)
{
	struct p2p_rlp_item ip, udp, tcp;
	int rc;

	memset(ep, 0, sizeof(*ep));
	if ((rc = need(it, &ip)) != 0 || (rc = need(it, &udp)) != 0 ||
	    (rc = need(it, &tcp)) != 0)
		return rc;
	if (ip.is_list)
		return P2P_EEXPECTSTR;
	if (ip.len == 16 && memcmp(ip.data, v4mapped, 12) == 0) {
		memcpy(ep->ip, ip.data + 12, 4);
		ep->ip_len = 4;
	} else if (ip.len == 4 || ip.len == 16) {
		memcpy(ep->ip, ip.data, ip.len);
		ep->ip_len = (uint8_t)ip.len;
	}
	if ((rc = get_port(&udp, &ep->udp)) != 0 ||
	    (rc = get_port(&tcp, &ep->tcp)) != 0)
		return rc;
	return 0;
}

/* go-ethereum's structs without a tail refuse extra elements. */
static int
no_more(struct p2p_rlp_iter *it)
{
	struct p2p_rlp_item extra;

	return p2p_rlp_iter_next(it, &extra) == 0 ? 0 : P2P_EFIELD;
}

static int
get_endpoint(const struct p2p_rlp_item *item, struct p2p_disc_endpoint *ep)
{
	struct p2p_rlp_iter it;
	int rc;

	if ((rc = p2p_rlp_iter_init(&it, item)) != 0 ||
	    (rc = get_addr(&it, ep)) != 0)
		return rc;
	return no_more(&it);
}

static int
get_node(const struct p2p_rlp_item *item, struct p2p_disc_rpcnode *n)
{
	struct p2p_rlp_item id;
	struct p2p_rlp_iter it;
	int rc;

	if ((rc = p2p_rlp_iter_init(&it, item)) != 0 ||
	    (rc = get_addr(&it, &n->ep)) != 0 ||
	    (rc = need(&it, &id)) != 0 ||
	    (rc = p2p_rlp_bytes_exact(&id, n->id, sizeof(n->id))) != 0)
		return rc;
	return no_more(&it);
}

/* Whatever the iterator has not read yet is rest. */
static void
set_rest(struct p2p_disc_packet *pkt, const struct p2p_rlp_iter *it)
{
	if (it->p < it->end) {
		pkt->rest = it->p;
		pkt->rest_len = (size_t)(it->end - it->p);
	}
}

/*
 * EIP-868's optional enr-seq, then rest.  An element there that is not a
 * canonical uint64 is taken as rest, not refused: EIP-8 asks decoders to
 * accept whatever follows, and go-ethereum v1.8.24 did.
 */
static void
get_seq_rest(struct p2p_disc_packet *pkt, struct p2p_rlp_iter *it,
    int *has_seq, uint64_t *seq)
{
	struct p2p_rlp_iter save = *it;
	struct p2p_rlp_item item;

	if (p2p_rlp_iter_next(it, &item) == 1 &&
	    p2p_rlp_uint64(&item, seq) == 0)
		*has_seq = 1;
	else
		*it = save;
	set_rest(pkt, it);
}

static int
dec_ping(struct p2p_disc_packet *pkt, struct p2p_rlp_iter *it)
{
	struct p2p_rlp_item v, from, to, exp;
	int rc;

	if ((rc = need(it, &v)) != 0 || (rc = need(it, &from)) != 0 ||
	    (rc = need(it, &to)) != 0 || (rc = need(it, &exp)) != 0)
		return rc;
	if ((rc = p2p_rlp_uint64(&v, &pkt->u.ping.version)) != 0 ||
	    (rc = get_endpoint(&from, &pkt->u.ping.from)) != 0 ||
	    (rc = get_endpoint(&to, &pkt->u.ping.to)) != 0 ||
	    (rc = p2p_rlp_uint64(&exp, &pkt->expiration)) != 0)
		return rc;
	get_seq_rest(pkt, it, &pkt->u.ping.has_seq, &pkt->u.ping.enr_seq);
	return 0;
}

static int
dec_pong(struct p2p_disc_packet *pkt, struct p2p_rlp_iter *it)
{
	struct p2p_rlp_item to, hash, exp;
	int rc;

	if ((rc = need(it, &to)) != 0 || (rc = need(it, &hash)) != 0 ||
	    (rc = need(it, &exp)) != 0)
		return rc;
	if ((rc = get_endpoint(&to, &pkt->u.pong.to)) != 0 ||
	    (rc = p2p_rlp_bytes_exact(&hash, pkt->u.pong.ping_hash, 32)) != 0 ||
	    (rc = p2p_rlp_uint64(&exp, &pkt->expiration)) != 0)
		return rc;
	get_seq_rest(pkt, it, &pkt->u.pong.has_seq, &pkt->u.pong.enr_seq);
	return 0;
}

static int
dec_findnode(struct p2p_disc_packet *pkt, struct p2p_rlp_iter *it)
{
	struct p2p_rlp_item target, exp;
	int rc;

	if ((rc = need(it, &target)) != 0 || (rc = need(it, &exp)) != 0)
		return rc;
	if ((rc = p2p_rlp_bytes_exact(&target, pkt->u.findnode.target,
	    64)) != 0 || (rc = p2p_rlp_uint64(&exp, &pkt->expiration)) != 0)
		return rc;
	set_rest(pkt, it);
	return 0;
}

static int
dec_neighbors(struct p2p_disc_packet *pkt, struct p2p_rlp_iter *it)
{
	struct p2p_rlp_item nodes, exp, item;
	struct p2p_rlp_iter ni;
	struct p2p_disc_rpcnode scratch;
	int rc;

	if ((rc = need(it, &nodes)) != 0 || (rc = need(it, &exp)) != 0)
		return rc;
	if ((rc = p2p_rlp_iter_init(&ni, &nodes)) != 0)
		return rc;
	while (p2p_rlp_iter_next(&ni, &item) == 1) {
		size_t n = pkt->u.neighbors.n;

		/* Nodes past the cap are checked, then dropped. */
		if ((rc = get_node(&item, n < P2P_DISC_MAX_NODES_IN ?
		    &pkt->u.neighbors.nodes[n] : &scratch)) != 0)
			return rc;
		if (n < P2P_DISC_MAX_NODES_IN)
			pkt->u.neighbors.n++;
	}
	if ((rc = p2p_rlp_uint64(&exp, &pkt->expiration)) != 0)
		return rc;
	set_rest(pkt, it);
	return 0;
}

static int
dec_enrreq(struct p2p_disc_packet *pkt, struct p2p_rlp_iter *it)
{
	struct p2p_rlp_item exp;
	int rc;

	if ((rc = need(it, &exp)) != 0 ||
	    (rc = p2p_rlp_uint64(&exp, &pkt->expiration)) != 0)
		return rc;
	set_rest(pkt, it);
	return 0;
}

static int
dec_enrresp(struct p2p_disc_packet *pkt, struct p2p_rlp_iter *it)
{
	struct p2p_rlp_item hash, rec;
	int rc;

	if ((rc = need(it, &hash)) != 0 || (rc = need(it, &rec)) != 0)
		return rc;
	if ((rc = p2p_rlp_bytes_exact(&hash, pkt->u.enrresp.req_hash,
	    32)) != 0)
		return rc;
	if (!rec.is_list)
		return P2P_EEXPECTLIST;
	pkt->u.enrresp.enr = rec.raw;
	pkt->u.enrresp.enr_len = rec.rawlen;
	set_rest(pkt, it);
	return 0;
}

static int
decode_data(struct p2p_disc_packet *pkt, const uint8_t *p, size_t n)
{
	struct p2p_rlp_item list;
	struct p2p_rlp_iter it;
	int rc;

	/* Validates the whole value, so iterating below cannot fail. */
	if ((rc = p2p_rlp_decode_prefix(&list, p, n)) != 0 ||
	    (rc = p2p_rlp_iter_init(&it, &list)) != 0)
		return rc;
	switch (pkt->type) {
	case P2P_DISC_PING:
		return dec_ping(pkt, &it);
	case P2P_DISC_PONG:
		return dec_pong(pkt, &it);
	case P2P_DISC_FINDNODE:
		return dec_findnode(pkt, &it);
	case P2P_DISC_NEIGHBORS:
		return dec_neighbors(pkt, &it);
	case P2P_DISC_ENRREQ:
		return dec_enrreq(pkt, &it);
	case P2P_DISC_ENRRESP:
		return dec_enrresp(pkt, &it);
	}
	return P2P_EPKTTYPE;
}

int
p2p_disc_decode(struct p2p_disc_packet *pkt, uint8_t hash[32],
    struct p2p_pubkey *sender, const uint8_t *buf, size_t len)
{
	uint8_t want[32], digest[32];
	struct p2p_pubkey pub;
	int rc;

	memset(pkt, 0, sizeof(*pkt));
	if (len > P2P_DISC_MAX_PACKET)
		return P2P_ETOOBIG;
	if (len < P2P_DISC_HEAD_LEN + 1)
		return P2P_ETRUNCATED;
	p2p_keccak256(want, buf + SIG_OFF, len - SIG_OFF);
	if (memcmp(want, buf, 32) != 0)
		return P2P_EPKTHASH;
	p2p_keccak256(digest, buf + TYPE_OFF, len - TYPE_OFF);
	if (p2p_secp_recover(&pub, buf + SIG_OFF, digest) != 0)
		return P2P_ESIG;
	if (buf[TYPE_OFF] < P2P_DISC_PING || buf[TYPE_OFF] > P2P_DISC_ENRRESP)
		return P2P_EPKTTYPE;
	pkt->type = buf[TYPE_OFF];
	rc = decode_data(pkt, buf + P2P_DISC_HEAD_LEN,
	    len - P2P_DISC_HEAD_LEN);
	if (rc != 0) {
		memset(pkt, 0, sizeof(*pkt));
		return rc;
	}
	if (hash != NULL)
		memcpy(hash, buf, 32);
	if (sender != NULL)
		*sender = pub;
	return 0;
}

/* Encoding. */

static int
put_endpoint(struct p2p_rlp_enc *e, const struct p2p_disc_endpoint *ep)
{
	const uint8_t *ip = ep->ip;
	size_t n = ep->ip_len;

	if (n != 0 && n != 4 && n != 16)
		return P2P_EINVAL;
	/* IPv4 goes out as 4 bytes, as go-ethereum's makeEndpoint does. */
	if (n == 16 && memcmp(ip, v4mapped, 12) == 0) {
		ip += 12;
		n = 4;
	}
	p2p_rlp_enc_bytes(e, ip, n);
	p2p_rlp_enc_uint(e, ep->udp);
	p2p_rlp_enc_uint(e, ep->tcp);
	return 0;
}

static int
put_endpoint_list(struct p2p_rlp_enc *e, const struct p2p_disc_endpoint *ep)
{
	int rc;

	p2p_rlp_enc_list_begin(e);
	rc = put_endpoint(e, ep);
	p2p_rlp_enc_list_end(e);
	return rc;
}

static int
enc_neighbors(struct p2p_rlp_enc *e, const struct p2p_disc_packet *pkt)
{
	int rc = 0;

	if (pkt->u.neighbors.n > P2P_DISC_NEIGHBORS_PER_PACKET)
		return P2P_EINVAL;
	p2p_rlp_enc_list_begin(e);
	for (size_t i = 0; i < pkt->u.neighbors.n && rc == 0; i++) {
		const struct p2p_disc_rpcnode *n = &pkt->u.neighbors.nodes[i];

		p2p_rlp_enc_list_begin(e);
		rc = put_endpoint(e, &n->ep);
		p2p_rlp_enc_bytes(e, n->id, sizeof(n->id));
		p2p_rlp_enc_list_end(e);
	}
	p2p_rlp_enc_list_end(e);
	p2p_rlp_enc_uint(e, pkt->expiration);
	return rc;
}

static int
enc_enrresp(struct p2p_rlp_enc *e, const struct p2p_disc_packet *pkt)
{
	struct p2p_rlp_item rec;

	if (pkt->u.enrresp.enr == NULL ||
	    p2p_rlp_decode(&rec, pkt->u.enrresp.enr,
	    pkt->u.enrresp.enr_len) != 0 || !rec.is_list)
		return P2P_EINVAL;
	p2p_rlp_enc_bytes(e, pkt->u.enrresp.req_hash, 32);
	p2p_rlp_enc_raw(e, pkt->u.enrresp.enr, pkt->u.enrresp.enr_len);
	return 0;
}

/* The packet data list into e. */
static int
encode_data(struct p2p_rlp_enc *e, const struct p2p_disc_packet *pkt)
{
	int rc = 0;

	p2p_rlp_enc_list_begin(e);
	switch (pkt->type) {
	case P2P_DISC_PING:
		p2p_rlp_enc_uint(e, pkt->u.ping.version);
		if ((rc = put_endpoint_list(e, &pkt->u.ping.from)) == 0)
			rc = put_endpoint_list(e, &pkt->u.ping.to);
		p2p_rlp_enc_uint(e, pkt->expiration);
		if (pkt->u.ping.has_seq)
			p2p_rlp_enc_uint(e, pkt->u.ping.enr_seq);
		break;
	case P2P_DISC_PONG:
		rc = put_endpoint_list(e, &pkt->u.pong.to);
		p2p_rlp_enc_bytes(e, pkt->u.pong.ping_hash, 32);
		p2p_rlp_enc_uint(e, pkt->expiration);
		if (pkt->u.pong.has_seq)
			p2p_rlp_enc_uint(e, pkt->u.pong.enr_seq);
		break;
	case P2P_DISC_FINDNODE:
		p2p_rlp_enc_bytes(e, pkt->u.findnode.target, 64);
		p2p_rlp_enc_uint(e, pkt->expiration);
		break;
	case P2P_DISC_NEIGHBORS:
		rc = enc_neighbors(e, pkt);
		break;
	case P2P_DISC_ENRREQ:
		p2p_rlp_enc_uint(e, pkt->expiration);
		break;
	case P2P_DISC_ENRRESP:
		rc = enc_enrresp(e, pkt);
		break;
	default:
		rc = P2P_EINVAL;
	}
	p2p_rlp_enc_list_end(e);
	return rc;
}

int
p2p_disc_encode(uint8_t *out, size_t cap, size_t *outlen, uint8_t hash[32],
    const struct p2p_disc_packet *pkt, const struct p2p_privkey *key)
{
	uint8_t buf[P2P_DISC_MAX_SEND], digest[32];
	struct p2p_rlp_enc e;
	size_t n;
	int rc;

	p2p_rlp_enc_init_fixed(&e, buf + P2P_DISC_HEAD_LEN,
	    sizeof(buf) - P2P_DISC_HEAD_LEN);
	if ((rc = encode_data(&e, pkt)) != 0)
		return rc;
	if (p2p_rlp_enc_finish(&e, NULL, &n) != 0)
		return P2P_ETOOBIG;
	buf[TYPE_OFF] = (uint8_t)pkt->type;
	p2p_keccak256(digest, buf + TYPE_OFF, 1 + n);
	if ((rc = p2p_secp_sign(buf + SIG_OFF, digest, key)) != 0)
		return rc;
	p2p_keccak256(buf, buf + SIG_OFF, P2P_SIG_LEN + 1 + n);
	n += P2P_DISC_HEAD_LEN;
	*outlen = n;
	if (n > cap)
		return P2P_ETOOBIG;
	memcpy(out, buf, n);
	if (hash != NULL)
		memcpy(hash, buf, 32);
	return 0;
}
