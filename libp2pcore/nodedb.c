/*
 * nodedb.c - the discovery node database in one SQLite file (WAL), as
 * go-ethereum v1.8.24's p2p/enode/nodedb.go keeps it in LevelDB: nodes
 * and their records, per-IP ping/pong/findnode-failure bookkeeping, the
 * local record's sequence number, the hourly expiry sweep and random
 * seeds for the table, taken only from nodes the table itself has held
 * (p2p_nodedb_put_live), as v1.8.24 writes nodes only from the table.
 *
 * Every statement is prepared once at open and kept in the handle; each
 * use binds all its parameters, steps and resets it, so nothing is left
 * pending between calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <p2p/nodedb.h>

/* How long a write waits for another connection's lock before P2P_EDB. */
#define BUSY_TIMEOUT_MS 2000

/* Unsigned a >= b on two int64 columns holding uint64 two's-complement
 * values: equal signs compare as signed, otherwise the negative one (the
 * one above INT64_MAX) is bigger. */
#define UGE(a, b) \
	"(CASE WHEN ((" a ") < 0) = ((" b ") < 0) THEN (" a ") >= (" b ") " \
	"ELSE (" a ") < 0 END)"

#define NEWER_ENR \
	"(excluded.enr IS NOT NULL AND (enr IS NULL OR " \
	UGE("excluded.enr_seq", "enr_seq") "))"

/* The newest last pong of node n, 0 when it has none. */
#define NEWEST_PONG(n) \
	"COALESCE((SELECT max(e.pong) FROM endpoint e WHERE e.id = " n \
	".id), 0)"

static const char schema_sql[] =
	"CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value) "
	"WITHOUT ROWID;"
	"CREATE TABLE node (id BLOB PRIMARY KEY NOT NULL, pub BLOB NOT NULL, "
	"ip BLOB, udp INTEGER NOT NULL, tcp INTEGER NOT NULL, enr BLOB, "
	"enr_seq INTEGER, first_seen INTEGER NOT NULL, "
	"live INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE endpoint (id BLOB NOT NULL, ip BLOB NOT NULL, "
	"ping INTEGER NOT NULL DEFAULT 0, pong INTEGER NOT NULL DEFAULT 0, "
	"fails INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (id, ip)) "
	"WITHOUT ROWID;";

enum {
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_SAVEPOINT, ST_RELEASE,
	ST_ROLLBACK_TO, ST_PUT_NODE, ST_GET_NODE, ST_DEL_NODE, ST_DEL_EPS,
	ST_SET_PING, ST_SET_PONG, ST_SET_FAILS, ST_GET_EP, ST_SEED_IDS,
	ST_EXP_EPS, ST_EXP_NODES, ST_EXP_ORPHANS, ST_LOCAL_SEQ,
	ST_SET_LOCAL_SEQ, ST_FOREACH, ST_COUNT, ST_MAX
};

#define NODE_COLS "pub, ip, udp, tcp"

static const char *const stmt_sql[ST_MAX] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT op",
	[ST_RELEASE] = "RELEASE op",
	[ST_ROLLBACK_TO] = "ROLLBACK TO op",
	/* ?9 live: 0 keeps the stored mark (put_node), else sets it. */
	[ST_PUT_NODE] = "INSERT INTO node (id, pub, ip, udp, tcp, enr, "
	    "enr_seq, first_seen, live) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
	    "ON CONFLICT (id) DO UPDATE SET pub = excluded.pub, "
	    "ip = excluded.ip, udp = excluded.udp, tcp = excluded.tcp, "
	    "live = max(live, excluded.live), "
	    "enr = CASE WHEN " NEWER_ENR " THEN excluded.enr ELSE enr END, "
	    "enr_seq = CASE WHEN " NEWER_ENR " THEN excluded.enr_seq "
	    "ELSE enr_seq END",
	[ST_GET_NODE] = "SELECT " NODE_COLS ", enr, first_seen FROM node "
	    "WHERE id = ?1",
	[ST_DEL_NODE] = "DELETE FROM node WHERE id = ?1",
	[ST_DEL_EPS] = "DELETE FROM endpoint WHERE id = ?1",
	[ST_SET_PING] = "INSERT INTO endpoint (id, ip, ping) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (id, ip) DO UPDATE "
	    "SET ping = excluded.ping",
	[ST_SET_PONG] = "INSERT INTO endpoint (id, ip, pong) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (id, ip) DO UPDATE "
	    "SET pong = excluded.pong",
	[ST_SET_FAILS] = "INSERT INTO endpoint (id, ip, fails) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (id, ip) DO UPDATE "
	    "SET fails = excluded.fails",
	[ST_GET_EP] = "SELECT ping, pong, fails FROM endpoint "
	    "WHERE id = ?1 AND ip = ?2",
	/* Seed candidates: IDs of live node rows with a fresh pong on some
	 * IP (?1 is at least 1: a zero pong means "never"), in random order.
	 * The per-IP rows of nodes that only bonded (the most numerous:
	 * anyone can make them) are filtered out by the join before the
	 * top-N sorter samples; duplicates are skipped by the caller. */
	[ST_SEED_IDS] = "SELECT e.id FROM endpoint e JOIN node n "
	    "ON n.id = e.id WHERE e.pong >= ?1 AND n.live != 0 "
	    "ORDER BY random() LIMIT ?2",
	/* The sweep: ?1 self, ?2 threshold (may be negative). */
	[ST_EXP_EPS] = "DELETE FROM endpoint WHERE id != ?1 AND id IN "
	    "(SELECT n.id FROM node n WHERE " NEWEST_PONG("n") " < ?2)",
	[ST_EXP_NODES] = "DELETE FROM node WHERE id != ?1 AND "
	    NEWEST_PONG("node") " < ?2",
	[ST_EXP_ORPHANS] = "DELETE FROM endpoint WHERE id != ?1 AND "
	    "max(ping, pong) < ?2 AND NOT EXISTS "
	    "(SELECT 1 FROM node n WHERE n.id = endpoint.id)",
	[ST_LOCAL_SEQ] = "SELECT value FROM meta WHERE key = 'local_seq'",
	[ST_SET_LOCAL_SEQ] = "UPDATE meta SET value = ?1 "
	    "WHERE key = 'local_seq' AND " UGE("?1", "value"),
	[ST_FOREACH] = "SELECT " NODE_COLS ", enr, first_seen FROM node "
	    "ORDER BY id",
	[ST_COUNT] = "SELECT count(*) FROM node",
};

struct p2p_nodedb {
	sqlite3 *sql;
	sqlite3_stmt *st[ST_MAX];
	struct p2p_nodeid self;
	int in_tx;			/* inside p2p_nodedb_begin */
	char err[P2P_NODEDB_ERRMSG_MAX];
};

/* Why this thread's last p2p_nodedb_open failed (the handle is gone). */
static _Thread_local char open_err[P2P_NODEDB_ERRMSG_MAX];

/* uint64 to its two's-complement int64 without implementation-defined
 * conversions; (uint64_t) on the way back is exact. */
static sqlite3_int64
u2i(uint64_t v)
{
	if (v <= INT64_MAX)
		return (sqlite3_int64)v;
	return -(sqlite3_int64)(UINT64_MAX - v) - 1;
}

/* Records SQLite's message for step; maps out-of-memory. */
static int
fail(struct p2p_nodedb *db, const char *step)
{
	int code = sqlite3_errcode(db->sql);

	snprintf(db->err, sizeof(db->err), "%s: %s", step,
	    sqlite3_errmsg(db->sql));
	return (code & 0xff) == SQLITE_NOMEM ? P2P_ENOMEM : P2P_EDB;
}

static int
fail_with(struct p2p_nodedb *db, int err, const char *step, const char *why)
{
	snprintf(db->err, sizeof(db->err), "%s: %s", step, why);
	return err;
}

/* Steps st once, expecting no row (a write), and resets it. */
static int
run(struct p2p_nodedb *db, int st, const char *step)
{
	int rc = sqlite3_step(db->st[st]), ret = 0;

	if (rc != SQLITE_DONE)
		ret = fail(db, step);
	sqlite3_reset(db->st[st]);
	return ret;
}

/* Steps st without recording an error: for rollbacks on a failed path,
 * whose own failure must not hide the first one. */
static void
run_quiet(struct p2p_nodedb *db, int st)
{
	sqlite3_step(db->st[st]);
	sqlite3_reset(db->st[st]);
}

static int
exec_sql(struct p2p_nodedb *db, const char *sql, const char *step)
{
	if (sqlite3_exec(db->sql, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail(db, step);
	return 0;
}

/*
 * A call with several statements is atomic: its own transaction outside a
 * batch, a savepoint inside one (so a failure undoes only this call).
 */
static int
op_begin(struct p2p_nodedb *db, const char *step)
{
	return run(db, db->in_tx ? ST_SAVEPOINT : ST_BEGIN, step);
}

static int
op_end(struct p2p_nodedb *db, int rc, const char *step)
{
	if (rc == 0)
		rc = run(db, db->in_tx ? ST_RELEASE : ST_COMMIT, step);
	if (rc == 0)
		return 0;
	if (db->in_tx) {
		run_quiet(db, ST_ROLLBACK_TO);
		run_quiet(db, ST_RELEASE);
	} else if (!sqlite3_get_autocommit(db->sql))
		run_quiet(db, ST_ROLLBACK);
	return rc;
}

static int
bind_id(struct p2p_nodedb *db, int st, int col, const struct p2p_nodeid *id)
{
	if (sqlite3_bind_blob(db->st[st], col, id->b, sizeof(id->b),
	    SQLITE_STATIC) != SQLITE_OK)
		return fail(db, "bind");
	return 0;
}

static int
bind_int(struct p2p_nodedb *db, int st, int col, sqlite3_int64 v)
{
	if (sqlite3_bind_int64(db->st[st], col, v) != SQLITE_OK)
		return fail(db, "bind");
	return 0;
}

/* An IP as stored: its 4 or 16 bytes, IPv4-mapped IPv6 as 4 (geth keys
 * by To16(), which makes the two forms one address). */
static int
ip_bytes(const struct p2p_ip *ip, const uint8_t **b, int *len)
{
	static const uint8_t v4mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	if (ip->len == 4) {
		*b = ip->b;
		*len = 4;
	} else if (ip->len == 16 && memcmp(ip->b, v4mapped, 12) == 0) {
		*b = ip->b + 12;
		*len = 4;
	} else if (ip->len == 16) {
		*b = ip->b;
		*len = 16;
	} else
		return P2P_EINVAL;
	return 0;
}

/* Binds the (id, ip) key of the per-IP statements to ?1, ?2. */
static int
bind_key(struct p2p_nodedb *db, int st, const struct p2p_nodeid *id,
    const struct p2p_ip *ip, const char *step)
{
	const uint8_t *b;
	int len, rc;

	if (ip_bytes(ip, &b, &len) != 0)
		return fail_with(db, P2P_EINVAL, step, "IP length not 4 or 16");
	if ((rc = bind_id(db, st, 1, id)) != 0)
		return rc;
	if (sqlite3_bind_blob(db->st[st], 2, b, len, SQLITE_STATIC) !=
	    SQLITE_OK)
		return fail(db, "bind");
	return 0;
}

/* Reads columns 0-3 (pub, ip, udp, tcp) of a row into n, recomputing the
 * ID; bytes from the file are checked, never trusted. */
static int
row_node(struct p2p_nodedb *db, sqlite3_stmt *st, struct p2p_node *n,
    const char *step)
{
	const void *pub = sqlite3_column_blob(st, 0);
	int publen = sqlite3_column_bytes(st, 0);
	sqlite3_int64 udp = sqlite3_column_int64(st, 2);
	sqlite3_int64 tcp = sqlite3_column_int64(st, 3);
	const void *ip;
	int iplen;

	memset(n, 0, sizeof(*n));
	if (pub == NULL || publen != P2P_PUBKEY_LEN ||
	    sqlite3_column_type(st, 2) != SQLITE_INTEGER ||
	    sqlite3_column_type(st, 3) != SQLITE_INTEGER ||
	    udp < 0 || udp > 65535 || tcp < 0 || tcp > 65535)
		return fail_with(db, P2P_EDB, step, "malformed node row");
	memcpy(n->pub.b, pub, P2P_PUBKEY_LEN);
	p2p_enode_id(&n->id, &n->pub);
	n->udp = (uint16_t)udp;
	n->tcp = (uint16_t)tcp;
	if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
		ip = sqlite3_column_blob(st, 1);
		iplen = sqlite3_column_bytes(st, 1);
		if (ip == NULL || (iplen != 4 && iplen != 16))
			return fail_with(db, P2P_EDB, step,
			    "malformed node IP");
		memcpy(n->ip.b, ip, (size_t)iplen);
		n->ip.len = (uint8_t)iplen;
	}
	return 0;
}

/* Reads column col as a record of at most P2P_NODEDB_ENR_MAX bytes;
 * *len 0 for NULL.  *enr points into the statement's row. */
static int
row_enr(struct p2p_nodedb *db, sqlite3_stmt *st, int col,
    const uint8_t **enr, size_t *len, const char *step)
{
	int n;

	*enr = NULL;
	*len = 0;
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return 0;
	*enr = sqlite3_column_blob(st, col);
	n = sqlite3_column_bytes(st, col);
	if (*enr == NULL || n <= 0 || n > P2P_NODEDB_ENR_MAX)
		return fail_with(db, P2P_EDB, step, "malformed record");
	*len = (size_t)n;
	return 0;
}

static uint64_t
row_time(sqlite3_stmt *st, int col)
{
	sqlite3_int64 v = sqlite3_column_int64(st, col);

	return v < 0 ? 0 : (uint64_t)v;
}

static int
db_connect(struct p2p_nodedb *db, const char *path)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX;
	int mem = path == NULL || *path == '\0' ||
	    strcmp(path, ":memory:") == 0;
	sqlite3_stmt *st = NULL;
	const char *mode;
	int rc;

	rc = sqlite3_open_v2(mem ? ":memory:" : path, &db->sql, flags, NULL);
	if (db->sql == NULL)
		return fail_with(db, P2P_ENOMEM, "open", "out of memory");
	if (rc != SQLITE_OK)
		return fail(db, "open");
	sqlite3_extended_result_codes(db->sql, 1);
	sqlite3_busy_timeout(db->sql, BUSY_TIMEOUT_MS);
	/* The first read of the file: garbage fails here (SQLITE_NOTADB). */
	if (sqlite3_prepare_v2(db->sql, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL) != SQLITE_OK)
		return fail(db, "open: journal_mode");
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = fail(db, "open: journal_mode");
		sqlite3_finalize(st);
		return rc;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	rc = mem || (mode != NULL && strcmp(mode, "wal") == 0) ? 0 :
	    fail_with(db, P2P_EDB, "open: journal_mode", "WAL not available");
	sqlite3_finalize(st);
	if (rc == 0)
		rc = exec_sql(db, "PRAGMA synchronous = NORMAL",
		    "open: synchronous");
	return rc;
}

/*
 * Looks at what the file holds.  *state: 0 empty, 1 ours and current,
 * 2 ours but another schema or self (to wipe).
 */
static int
inspect(struct p2p_nodedb *db, int *state)
{
	sqlite3_stmt *st = NULL;
	int rc, meta, others;

	if (sqlite3_prepare_v2(db->sql, "SELECT (SELECT count(*) FROM "
	    "sqlite_master WHERE type = 'table' AND name = 'meta'), "
	    "(SELECT count(*) FROM sqlite_master)", -1, &st, NULL) !=
	    SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		rc = fail(db, "open: schema");
		sqlite3_finalize(st);
		return rc;
	}
	meta = sqlite3_column_int(st, 0);
	others = sqlite3_column_int(st, 1);
	sqlite3_finalize(st);
	if (!meta) {
		*state = 0;
		return others == 0 ? 0 : fail_with(db, P2P_EDB, "open",
		    "not a node database (no meta table)");
	}
	st = NULL;
	if (sqlite3_prepare_v2(db->sql, "SELECT (SELECT value FROM meta "
	    "WHERE key = 'schema'), (SELECT value FROM meta "
	    "WHERE key = 'self')", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		rc = fail(db, "open: meta");
		sqlite3_finalize(st);
		return rc;
	}
	*state = sqlite3_column_type(st, 0) == SQLITE_INTEGER &&
	    sqlite3_column_int64(st, 0) == P2P_NODEDB_SCHEMA &&
	    sqlite3_column_type(st, 1) == SQLITE_BLOB &&
	    sqlite3_column_bytes(st, 1) == P2P_NODEID_LEN &&
	    memcmp(sqlite3_column_blob(st, 1), db->self.b,
	    P2P_NODEID_LEN) == 0 ? 1 : 2;
	sqlite3_finalize(st);
	return 0;
}

/* Drops every table and view, one at a time (a DROP cannot run while
 * the listing statement is pending). */
static int
wipe(struct p2p_nodedb *db)
{
	sqlite3_stmt *st = NULL;
	const char *type, *name;
	char *drop;
	int rc = 0;

	if (sqlite3_prepare_v2(db->sql, "SELECT type, name FROM sqlite_master "
	    "WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' "
	    "ESCAPE '\\' LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "open: wipe");
	while (rc == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		type = (const char *)sqlite3_column_text(st, 0);
		name = (const char *)sqlite3_column_text(st, 1);
		drop = type == NULL || name == NULL ? NULL :
		    sqlite3_mprintf("DROP %s \"%w\"", strcmp(type, "view") ?
		    "TABLE" : "VIEW", name);
		sqlite3_reset(st);
		if (drop == NULL) {
			rc = fail_with(db, P2P_ENOMEM, "open: wipe",
			    "out of memory");
			break;
		}
		rc = exec_sql(db, drop, "open: wipe");
		sqlite3_free(drop);
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = fail(db, "open: wipe");
	sqlite3_finalize(st);
	return rc;
}

static int
create(struct p2p_nodedb *db)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = exec_sql(db, schema_sql, "open: create")) != 0)
		return rc;
	if (sqlite3_prepare_v2(db->sql, "INSERT INTO meta (key, value) VALUES "
	    "('schema', ?1), ('self', ?2), ('local_seq', 0)", -1, &st, NULL) !=
	    SQLITE_OK)
		return fail(db, "open: create");
	sqlite3_bind_int64(st, 1, P2P_NODEDB_SCHEMA);
	sqlite3_bind_blob(st, 2, db->self.b, P2P_NODEID_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(db, "open: create");
	sqlite3_finalize(st);
	return rc;
}

/* Creates the schema in an empty file, wipes one of another version or
 * self, all in one write transaction. */
static int
init_schema(struct p2p_nodedb *db)
{
	int rc, state = 0;

	if ((rc = exec_sql(db, "BEGIN IMMEDIATE", "open: begin")) != 0)
		return rc;
	rc = inspect(db, &state);
	if (rc == 0 && state == 2)
		rc = wipe(db);
	if (rc == 0 && state != 1)
		rc = create(db);
	if (rc == 0)
		rc = exec_sql(db, "COMMIT", "open: commit");
	if (rc != 0 && !sqlite3_get_autocommit(db->sql))
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int
prepare(struct p2p_nodedb *db)
{
	for (int i = 0; i < ST_MAX; i++)
		if (sqlite3_prepare_v3(db->sql, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->st[i], NULL) != SQLITE_OK)
			return fail(db, "open: prepare");
	return 0;
}

int
p2p_nodedb_open(struct p2p_nodedb **out, const char *path,
    const struct p2p_nodeid *self)
{
	struct p2p_nodedb *db;
	int rc;

	*out = NULL;
	open_err[0] = '\0';
	if ((db = calloc(1, sizeof(*db))) == NULL) {
		snprintf(open_err, sizeof(open_err), "open: out of memory");
		return P2P_ENOMEM;
	}
	db->self = *self;
	if ((rc = db_connect(db, path)) == 0 && (rc = init_schema(db)) == 0)
		rc = prepare(db);
	if (rc != 0) {
		memcpy(open_err, db->err, sizeof(open_err));
		p2p_nodedb_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

void
p2p_nodedb_close(struct p2p_nodedb *db)
{
	if (db == NULL)
		return;
	if (db->in_tx)
		run_quiet(db, ST_ROLLBACK);
	for (int i = 0; i < ST_MAX; i++)
		sqlite3_finalize(db->st[i]);
	/* Every statement is finalised, so this closes (and, for the last
	 * connection, checkpoints and removes the WAL). */
	sqlite3_close(db->sql);
	free(db);
}

const char *
p2p_nodedb_errmsg(const struct p2p_nodedb *db)
{
	return db == NULL ? open_err : db->err;
}

int
p2p_nodedb_begin(struct p2p_nodedb *db)
{
	int rc;

	if (db->in_tx)
		return fail_with(db, P2P_EINVAL, "begin", "already in a batch");
	if ((rc = run(db, ST_BEGIN, "begin")) == 0)
		db->in_tx = 1;
	return rc;
}

int
p2p_nodedb_commit(struct p2p_nodedb *db)
{
	int rc;

	if (!db->in_tx)
		return fail_with(db, P2P_EINVAL, "commit", "no batch");
	db->in_tx = 0;
	/* A failed COMMIT (SQLITE_BUSY) leaves the transaction open: the
	 * promise is all or nothing, so roll it back. */
	if ((rc = run(db, ST_COMMIT, "commit")) != 0 &&
	    !sqlite3_get_autocommit(db->sql))
		run_quiet(db, ST_ROLLBACK);
	return rc;
}

int
p2p_nodedb_rollback(struct p2p_nodedb *db)
{
	if (!db->in_tx)
		return fail_with(db, P2P_EINVAL, "rollback", "no batch");
	db->in_tx = 0;
	if (sqlite3_get_autocommit(db->sql))
		return 0;	/* SQLite already rolled it back */
	return run(db, ST_ROLLBACK, "rollback");
}

/* put_node and put_live: live 0 keeps the stored mark, 1 sets it to now. */
static int
put(struct p2p_nodedb *db, const struct p2p_node *n, const uint8_t *enr,
    size_t enr_len, uint64_t enr_seq, uint64_t now, int live,
    const char *step)
{
	sqlite3_stmt *st = db->st[ST_PUT_NODE];
	struct p2p_nodeid id;
	const uint8_t *ip = NULL;
	int iplen = 0, rc;

	p2p_enode_id(&id, &n->pub);
	if (memcmp(id.b, n->id.b, sizeof(id.b)) != 0)
		return fail_with(db, P2P_EINVAL, step,
		    "id is not keccak256(pub)");
	if (n->ip.len != 0 && ip_bytes(&n->ip, &ip, &iplen) != 0)
		return fail_with(db, P2P_EINVAL, step,
		    "IP length not 0, 4 or 16");
	if (enr != NULL && enr_len == 0)
		return fail_with(db, P2P_EINVAL, step, "empty record");
	if (enr != NULL && enr_len > P2P_NODEDB_ENR_MAX)
		return fail_with(db, P2P_EENRSIZE, step,
		    "record larger than 300 bytes");
	if (now > INT64_MAX)
		return fail_with(db, P2P_EINVAL, step, "time too large");
	if ((rc = bind_id(db, ST_PUT_NODE, 1, &n->id)) != 0)
		return rc;
	if (sqlite3_bind_blob(st, 2, n->pub.b, P2P_PUBKEY_LEN,
	    SQLITE_STATIC) != SQLITE_OK ||
	    (ip != NULL ? sqlite3_bind_blob(st, 3, ip, iplen, SQLITE_STATIC) :
	    sqlite3_bind_null(st, 3)) != SQLITE_OK ||
	    sqlite3_bind_int(st, 4, n->udp) != SQLITE_OK ||
	    sqlite3_bind_int(st, 5, n->tcp) != SQLITE_OK ||
	    (enr != NULL ? sqlite3_bind_blob(st, 6, enr, (int)enr_len,
	    SQLITE_STATIC) : sqlite3_bind_null(st, 6)) != SQLITE_OK ||
	    (enr != NULL ? sqlite3_bind_int64(st, 7, u2i(enr_seq)) :
	    sqlite3_bind_null(st, 7)) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 8, (sqlite3_int64)now) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 9, live ? (sqlite3_int64)now : 0) !=
	    SQLITE_OK)
		return fail(db, "bind");
	return run(db, ST_PUT_NODE, step);
}

int
p2p_nodedb_put_node(struct p2p_nodedb *db, const struct p2p_node *n,
    const uint8_t *enr, size_t enr_len, uint64_t enr_seq, uint64_t now)
{
	return put(db, n, enr, enr_len, enr_seq, now, 0, "put_node");
}

int
p2p_nodedb_put_live(struct p2p_nodedb *db, const struct p2p_node *n,
    uint64_t now)
{
	/* A zero mark would read as "never live". */
	if (now == 0)
		return fail_with(db, P2P_EINVAL, "put_live", "time zero");
	return put(db, n, NULL, 0, 0, now, 1, "put_live");
}

int
p2p_nodedb_get_node(struct p2p_nodedb *db, const struct p2p_nodeid *id,
    struct p2p_node *n, uint8_t *enr, size_t *enr_len, uint64_t *first_seen)
{
	sqlite3_stmt *st = db->st[ST_GET_NODE];
	struct p2p_node tmp;
	const uint8_t *rec;
	size_t len;
	int rc;

	if ((rc = bind_id(db, ST_GET_NODE, 1, id)) != 0)
		return rc;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? fail_with(db, P2P_ENOTFOUND,
		    "get_node", "no such node") : fail(db, "get_node");
		sqlite3_reset(st);
		return rc;
	}
	rc = row_node(db, st, &tmp, "get_node");
	if (rc == 0)
		rc = row_enr(db, st, 4, &rec, &len, "get_node");
	if (rc == 0 && memcmp(tmp.id.b, id->b, sizeof(id->b)) != 0)
		rc = fail_with(db, P2P_EDB, "get_node", "key is not the ID");
	if (rc == 0) {
		if (n != NULL)
			*n = tmp;
		if (enr != NULL && len > 0)
			memcpy(enr, rec, len);
		if (enr_len != NULL)
			*enr_len = len;
		if (first_seen != NULL)
			*first_seen = row_time(st, 5);
	}
	sqlite3_reset(st);
	return rc;
}

int
p2p_nodedb_delete_node(struct p2p_nodedb *db, const struct p2p_nodeid *id)
{
	int rc;

	if ((rc = bind_id(db, ST_DEL_NODE, 1, id)) != 0 ||
	    (rc = bind_id(db, ST_DEL_EPS, 1, id)) != 0 ||
	    (rc = op_begin(db, "delete_node")) != 0)
		return rc;
	rc = run(db, ST_DEL_NODE, "delete_node");
	if (rc == 0)
		rc = run(db, ST_DEL_EPS, "delete_node");
	return op_end(db, rc, "delete_node");
}

static int
set_ep(struct p2p_nodedb *db, int st, const struct p2p_nodeid *id,
    const struct p2p_ip *ip, uint64_t v, const char *step)
{
	int rc;

	if (v > INT64_MAX)
		return fail_with(db, P2P_EINVAL, step, "value too large");
	if ((rc = bind_key(db, st, id, ip, step)) != 0 ||
	    (rc = bind_int(db, st, 3, (sqlite3_int64)v)) != 0)
		return rc;
	return run(db, st, step);
}

/* Column col (0 ping, 1 pong, 2 fails) of the (id, ip) row; 0 when there
 * is none or on error. */
static uint64_t
get_ep(struct p2p_nodedb *db, const struct p2p_nodeid *id,
    const struct p2p_ip *ip, int col, const char *step)
{
	sqlite3_stmt *st = db->st[ST_GET_EP];
	uint64_t v = 0;
	int rc;

	if (bind_key(db, ST_GET_EP, id, ip, step) != 0)
		return 0;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		v = row_time(st, col);
	else if (rc != SQLITE_DONE)
		fail(db, step);
	sqlite3_reset(st);
	return v;
}

int
p2p_nodedb_set_last_ping(struct p2p_nodedb *db, const struct p2p_nodeid *id,
    const struct p2p_ip *ip, uint64_t t)
{
	return set_ep(db, ST_SET_PING, id, ip, t, "set_last_ping");
}

uint64_t
p2p_nodedb_last_ping(struct p2p_nodedb *db, const struct p2p_nodeid *id,
    const struct p2p_ip *ip)
{
	return get_ep(db, id, ip, 0, "last_ping");
}

int
p2p_nodedb_set_last_pong(struct p2p_nodedb *db, const struct p2p_nodeid *id,
    const struct p2p_ip *ip, uint64_t t)
{
	return set_ep(db, ST_SET_PONG, id, ip, t, "set_last_pong");
}

uint64_t
p2p_nodedb_last_pong(struct p2p_nodedb *db, const struct p2p_nodeid *id,
    const struct p2p_ip *ip)
{
	return get_ep(db, id, ip, 1, "last_pong");
}

int
p2p_nodedb_set_fails(struct p2p_nodedb *db, const struct p2p_nodeid *id,
    const struct p2p_ip *ip, unsigned fails)
{
	return set_ep(db, ST_SET_FAILS, id, ip, fails, "set_fails");
}

unsigned
p2p_nodedb_fails(struct p2p_nodedb *db, const struct p2p_nodeid *id,
    const struct p2p_ip *ip)
{
	uint64_t v = get_ep(db, id, ip, 2, "fails");

	return v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
}

/* Appends the node with ID id (a seed candidate) to out[*n] unless it is
 * there already or its node row is gone. */
static int
seed_add(struct p2p_nodedb *db, const void *id, int idlen,
    struct p2p_node *out, size_t *n)
{
	sqlite3_stmt *st = db->st[ST_GET_NODE];
	int rc;

	if (id == NULL || idlen != P2P_NODEID_LEN)
		return 0;	/* no node row can have this key */
	for (size_t i = 0; i < *n; i++)
		if (memcmp(out[i].id.b, id, P2P_NODEID_LEN) == 0)
			return 0;
	/* id points into the candidate row, valid until its next step. */
	if (sqlite3_bind_blob(st, 1, id, P2P_NODEID_LEN, SQLITE_STATIC) !=
	    SQLITE_OK)
		return fail(db, "bind");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = row_node(db, st, &out[*n], "seeds");
		if (rc == 0 && memcmp(out[*n].id.b, id, P2P_NODEID_LEN) != 0)
			rc = fail_with(db, P2P_EDB, "seeds",
			    "key is not the ID");
		if (rc == 0)
			(*n)++;
	} else
		rc = rc == SQLITE_DONE ? 0 : fail(db, "seeds");
	sqlite3_reset(st);
	return rc;
}

int
p2p_nodedb_seeds(struct p2p_nodedb *db, struct p2p_node *out, size_t max,
    uint64_t max_age, uint64_t now, size_t *n)
{
	sqlite3_stmt *st = db->st[ST_SEED_IDS];
	sqlite3_int64 limit, rows;
	int rc = 0;

	*n = 0;
	if (now > INT64_MAX)
		return fail_with(db, P2P_EINVAL, "seeds", "time too large");
	if (max == 0)
		return 0;
	/* A zero pong means "never", so the bound is at least 1. */
	if ((rc = bind_int(db, ST_SEED_IDS, 1, max_age >= now ? 1 :
	    (sqlite3_int64)(now - max_age))) != 0)
		return rc;
	/* First a sample with room for duplicates and per-IP rows without
	 * a node row; if that was not enough and there are more, all
	 * candidates (a negative LIMIT is none), again in random order. */
	limit = max < 1000000 ? (sqlite3_int64)(2 * max + 16) : -1;
	for (;;) {
		if ((rc = bind_int(db, ST_SEED_IDS, 2, limit)) != 0)
			break;
		for (rows = 0; rc == 0 && *n < max; rows++) {
			if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
				rc = rc == SQLITE_DONE ? 0 : fail(db, "seeds");
				break;
			}
			rc = seed_add(db, sqlite3_column_blob(st, 0),
			    sqlite3_column_bytes(st, 0), out, n);
		}
		sqlite3_reset(st);
		if (rc != 0 || *n == max || limit < 0 || rows < limit)
			break;
		limit = -1;
	}
	if (rc != 0)
		*n = 0;
	return rc;
}

int
p2p_nodedb_expire(struct p2p_nodedb *db, uint64_t now, uint64_t *deleted)
{
	static const int steps[] = { ST_EXP_EPS, ST_EXP_NODES, ST_EXP_ORPHANS };
	sqlite3_int64 thr;
	uint64_t nodes = 0;
	int rc;

	if (deleted != NULL)
		*deleted = 0;
	if (now > INT64_MAX)
		return fail_with(db, P2P_EINVAL, "expire", "time too large");
	/* Negative before the epoch's first day: nothing is that old. */
	thr = (sqlite3_int64)now - P2P_NODEDB_NODE_EXPIRATION;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if ((rc = bind_id(db, steps[i], 1, &db->self)) != 0 ||
		    (rc = bind_int(db, steps[i], 2, thr)) != 0)
			return rc;
	if ((rc = op_begin(db, "expire")) != 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < sizeof(steps) / sizeof(steps[0]);
	    i++) {
		rc = run(db, steps[i], "expire");
		if (rc == 0 && steps[i] == ST_EXP_NODES)
			nodes = (uint64_t)sqlite3_changes(db->sql);
	}
	if ((rc = op_end(db, rc, "expire")) == 0 && deleted != NULL)
		*deleted = nodes;
	return rc;
}

uint64_t
p2p_nodedb_local_seq(struct p2p_nodedb *db)
{
	sqlite3_stmt *st = db->st[ST_LOCAL_SEQ];
	uint64_t seq = 0;
	int rc;

	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		seq = (uint64_t)sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		fail(db, "local_seq");
	sqlite3_reset(st);
	return seq;
}

int
p2p_nodedb_set_local_seq(struct p2p_nodedb *db, uint64_t seq)
{
	int rc;

	/* One statement compares and writes, so the check cannot race. */
	if ((rc = bind_int(db, ST_SET_LOCAL_SEQ, 1, u2i(seq))) != 0 ||
	    (rc = run(db, ST_SET_LOCAL_SEQ, "set_local_seq")) != 0)
		return rc;
	if (sqlite3_changes(db->sql) == 0)
		return fail_with(db, P2P_EINVAL, "set_local_seq",
		    "smaller than the stored sequence number");
	return 0;
}

int
p2p_nodedb_foreach(struct p2p_nodedb *db,
    int (*fn)(void *arg, const struct p2p_node *n, const uint8_t *enr,
    size_t enr_len, uint64_t first_seen), void *arg)
{
	sqlite3_stmt *st = db->st[ST_FOREACH];
	struct p2p_node n;
	const uint8_t *enr;
	size_t len;
	int rc;

	if (sqlite3_stmt_busy(st))
		return fail_with(db, P2P_EINVAL, "foreach", "called from fn");
	for (;;) {
		if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
			rc = rc == SQLITE_DONE ? 0 : fail(db, "foreach");
			break;
		}
		if ((rc = row_node(db, st, &n, "foreach")) != 0 ||
		    (rc = row_enr(db, st, 4, &enr, &len, "foreach")) != 0)
			break;
		if (fn(arg, &n, enr, len, row_time(st, 5)) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc;
}

int
p2p_nodedb_count(struct p2p_nodedb *db, size_t *n)
{
	sqlite3_stmt *st = db->st[ST_COUNT];
	int rc;

	*n = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*n = (size_t)sqlite3_column_int64(st, 0);
		rc = 0;
	} else
		rc = fail(db, "count");
	sqlite3_reset(st);
	return rc;
}
