/*
 * unit.h - the tiny unit-test harness: CHECK macros, vector loading and a
 * per-module table of tests that tests/unit/main.c runs as TAP.
 *
 * A test is a void function; each failed CHECK prints a diagnostic and
 * marks the test failed, and the test goes on so one run shows every
 * failure.  Each test_<module>.c ends with
 *     const struct unit_test unit_<module>[] = { {"name", fn}, ..., {0} };
 */
#ifndef P2P_UNIT_H
#define P2P_UNIT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <jansson.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

extern int unit_failed;		/* set by a failing CHECK */

void unit_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define CHECK(c) do { if (!(c)) \
	unit_fail(__FILE__, __LINE__, "CHECK(%s)", #c); } while (0)
#define CHECK_MSG(c, ...) do { if (!(c)) \
	unit_fail(__FILE__, __LINE__, __VA_ARGS__); } while (0)
#define CHECK_INT(a, b) do { long long _a = (long long)(a), \
	_b = (long long)(b); if (_a != _b) unit_fail(__FILE__, __LINE__, \
	"%s == %lld, expected %s == %lld", #a, _a, #b, _b); } while (0)
#define CHECK_STR(a, b) do { const char *_a = (a), *_b = (b); \
	if (!_a || !_b || strcmp(_a, _b) != 0) unit_fail(__FILE__, __LINE__, \
	"%s == \"%s\", expected \"%s\"", #a, _a ? _a : "(null)", \
	_b ? _b : "(null)"); } while (0)
/* Compares n bytes at p with the hex string h (lowercase, no 0x). */
#define CHECK_HEX(p, n, h) unit_check_hex(__FILE__, __LINE__, #p, (p), (n), (h))

void unit_check_hex(const char *file, int line, const char *what,
    const uint8_t *p, size_t n, const char *hex);

/* Loads tests/vectors/<name> (dir from $P2P_VECTORS if set); aborts the
 * run if the file is missing or not JSON: a missing vector is a failure,
 * never a skip.  Caller json_decref()s. */
json_t *unit_vectors(const char *name);

/* Decodes hex (optional 0x) into a malloc'd buffer the caller frees;
 * aborts on bad hex (vectors are trusted test data). */
uint8_t *unit_unhex(const char *hex, size_t *len);

/* Reads a whole file into a malloc'd buffer; NULL if missing. */
uint8_t *unit_read_file(const char *path, size_t *len);

/* A fresh directory /tmp/p2p-<tag>.XXXXXX in dir (at least 64 bytes);
 * aborts if it cannot be made. */
void unit_mkdtemp(char *dir, size_t n, const char *tag);

/* CLOCK_MONOTONIC in milliseconds, for the tests' hang guards. */
uint64_t unit_now_ms(void);

/* Removes dir and the plain files in it (tests make nothing deeper). */
void unit_rmdir(const char *dir);

/* Both sides' RLPx secrets for rlpx-handshake.json pair i (0: auth1/ack1,
 * 1: auth2/ack2, 2: auth3/ack3); a is the initiator (test_rlpx.c). */
struct p2p_rlpx_secrets;
void unit_rlpx_pair_secrets(int i, struct p2p_rlpx_secrets *a,
    struct p2p_rlpx_secrets *b);

#endif
