/*
 * rlp.h - Recursive Length Prefix: a zero-allocation strict decoder and a
 * capped encoder.
 *
 * The decoder never allocates and never copies: items point into the
 * caller's buffer, which must outlive them.  Everything that go-ethereum's
 * rlp package rejects as non-canonical is rejected here with a specific
 * error: truncation, leading zeros in a length, a length prefix that is not
 * minimal (a long form for < 56 bytes), a single byte < 0x80 wrapped as a
 * one-byte string, nesting deeper than P2P_RLP_MAX_DEPTH.
 */
#ifndef P2P_RLP_H
#define P2P_RLP_H

#include <p2p/p2p.h>

/* Lists nested deeper than this are refused (the outermost item is 1). */
#define P2P_RLP_MAX_DEPTH 64

struct p2p_rlp_item {
	const uint8_t *raw;	/* the whole encoding, header included */
	size_t rawlen;
	const uint8_t *data;	/* payload: string bytes or list contents */
	size_t len;
	int is_list;
};

/*
 * Decodes the header of the first item in buf and checks it is canonical;
 * does not look inside a list's payload.
 * Returns: 0; P2P_ETRUNCATED, P2P_ELEADINGZERO, P2P_ENONCANONSIZE,
 *          P2P_ESINGLEBYTE, P2P_EINVAL (len 0 gives P2P_ETRUNCATED).
 * Out:     item: points into buf.  consumed: item->rawlen (may be NULL).
 */
int p2p_rlp_next(struct p2p_rlp_item *item, const uint8_t *buf, size_t len,
    size_t *consumed);

/*
 * Decodes exactly one item filling all of buf and validates every nested
 * item (so later iteration over it cannot fail).
 * Returns: 0; P2P_ETRAILING if bytes follow the item; P2P_EDEPTH; or any
 *          error of p2p_rlp_next for the item or something inside it.
 */
int p2p_rlp_decode(struct p2p_rlp_item *item, const uint8_t *buf, size_t len);

/*
 * Like p2p_rlp_decode but bytes after the first item are allowed and their
 * count ignored (EIP-8 discovery packets carry trailing data).
 */
int p2p_rlp_decode_prefix(struct p2p_rlp_item *item, const uint8_t *buf,
    size_t len);

/* Iterator over the elements of a list item. */
struct p2p_rlp_iter {
	const uint8_t *p;
	const uint8_t *end;
};

/* Starts iterating over list's elements.  Returns P2P_EEXPECTLIST if not a
 * list. */
int p2p_rlp_iter_init(struct p2p_rlp_iter *it,
    const struct p2p_rlp_item *list);

/*
 * Returns: 1 with the next element in *item; 0 at the end of the list; or a
 *          negative error for a malformed element (never happens after
 *          p2p_rlp_decode validated the enclosing item).
 */
int p2p_rlp_iter_next(struct p2p_rlp_iter *it, struct p2p_rlp_item *item);

/* Number of elements of a list item (validated), or a negative error. */
int p2p_rlp_count(const struct p2p_rlp_item *list);

/*
 * Reads a canonical unsigned integer (string of at most 8 bytes, no leading
 * zero byte; the empty string is 0).
 * Returns: 0; P2P_EEXPECTSTR for a list; P2P_ELEADINGZERO; P2P_EINTRANGE.
 */
int p2p_rlp_uint64(const struct p2p_rlp_item *item, uint64_t *v);

/*
 * Reads a string of exactly len bytes into out.
 * Returns: 0; P2P_EEXPECTSTR for a list; P2P_EFIELD for another length.
 */
int p2p_rlp_bytes_exact(const struct p2p_rlp_item *item, uint8_t *out,
    size_t len);

/*
 * Encoder.  Writes into a caller-fixed buffer or a heap buffer that grows
 * up to a hard cap.  Errors are sticky: once a call fails (P2P_ETOOBIG,
 * P2P_ENOMEM) later calls do nothing and p2p_rlp_enc_finish reports it, so
 * a sequence of calls needs one check at the end.
 */
struct p2p_rlp_enc {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;		/* hard cap on len */
	int owned;		/* data is heap memory this encoder frees */
	int err;
	unsigned depth;
	size_t open[P2P_RLP_MAX_DEPTH]; /* payload start of each open list */
};

/* Encoder into caller memory buf[cap]; never allocates. */
void p2p_rlp_enc_init_fixed(struct p2p_rlp_enc *e, uint8_t *buf, size_t cap);

/* Heap encoder growing up to max bytes; e->data is owned by the encoder
 * until p2p_rlp_enc_free (or taken by the caller who then frees it). */
void p2p_rlp_enc_init(struct p2p_rlp_enc *e, size_t max);

/* Frees heap memory of an encoder made with p2p_rlp_enc_init. */
void p2p_rlp_enc_free(struct p2p_rlp_enc *e);

int p2p_rlp_enc_bytes(struct p2p_rlp_enc *e, const uint8_t *b, size_t n);
int p2p_rlp_enc_str(struct p2p_rlp_enc *e, const char *s); /* C string */
int p2p_rlp_enc_uint(struct p2p_rlp_enc *e, uint64_t v);
/* Big-endian unsigned integer of n bytes; leading zeros are stripped. */
int p2p_rlp_enc_bigint(struct p2p_rlp_enc *e, const uint8_t *be, size_t n);
/* Appends an already-encoded item verbatim (not checked). */
int p2p_rlp_enc_raw(struct p2p_rlp_enc *e, const uint8_t *rlp, size_t n);
/* Opens a list; nested up to P2P_RLP_MAX_DEPTH (P2P_EDEPTH beyond). */
int p2p_rlp_enc_list_begin(struct p2p_rlp_enc *e);
/* Closes the innermost open list, writing its header. */
int p2p_rlp_enc_list_end(struct p2p_rlp_enc *e);

/*
 * Returns: the sticky error, or P2P_EINVAL if a list is still open, else 0.
 * Out:     out, outlen: the encoding (points at e->data; may be NULL).
 */
int p2p_rlp_enc_finish(struct p2p_rlp_enc *e, const uint8_t **out,
    size_t *outlen);

#endif
