/*
 * main.c - runs every module's unit tests and prints TAP, so `make check`
 * counts them with the bats and fuzz-replay results.  Arguments, if any,
 * select modules by name ("rlp", "enr", ...).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <p2p/hex.h>

#include "unit.h"

#define MODULES(X) X(hex) X(rlp) X(keccak) X(secp) X(enode) X(enr) \
	X(ecies) X(rlpx) X(frame) X(proto) X(discv4) X(conn) \
	X(json) X(keyfile) X(misc) X(table) X(nodedb) X(disc) X(netutil) \
	X(server) X(dial) X(workers) X(iptrack)

#define DECLARE(m) extern const struct unit_test unit_##m[];
MODULES(DECLARE)

static const struct {
	const char *name;
	const struct unit_test *tests;
} modules[] = {
#define ENTRY(m) { #m, unit_##m },
	MODULES(ENTRY)
};

int unit_failed;

uint64_t
unit_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("#   %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	unit_failed = 1;
}

void
unit_check_hex(const char *file, int line, const char *what,
    const uint8_t *p, size_t n, const char *hex)
{
	char *got = malloc(2 * n + 1);

	if (got == NULL)
		abort();
	p2p_hex_encode(got, p, n);
	if (strcmp(got, hex) != 0)
		unit_fail(file, line, "%s == %s, expected %s", what, got, hex);
	free(got);
}

void
unit_mkdtemp(char *dir, size_t n, const char *tag)
{
	if ((size_t)snprintf(dir, n, "/tmp/p2p-%s.XXXXXX", tag) >= n ||
	    mkdtemp(dir) == NULL)
		abort();
}

void
unit_rmdir(const char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

uint8_t *
unit_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	*len = n;
	return buf;
}

json_t *
unit_vectors(const char *name)
{
	const char *dir = getenv("P2P_VECTORS");
	char path[4096];
	json_error_t err;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/vectors",
	    name);
	j = json_load_file(path, JSON_ALLOW_NUL, &err);
	if (j == NULL) {
		printf("Bail out! cannot load %s: %s\n", path, err.text);
		exit(1);
	}
	return j;
}

uint8_t *
unit_unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2 + 1;
	uint8_t *buf = malloc(n);

	if (buf == NULL || p2p_hex_decode(buf, &n, hex, strlen(hex)) != 0) {
		printf("Bail out! bad hex in test data: %.60s\n", hex);
		exit(1);
	}
	*len = n;
	return buf;
}

static int
selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	int n = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t m = 0; m < sizeof(modules) / sizeof(modules[0]); m++) {
		if (!selected(modules[m].name, argc, argv))
			continue;
		for (const struct unit_test *t = modules[m].tests; t->name;
		    t++) {
			uint64_t t0 = unit_now_ms(), took;

			unit_failed = 0;
			t->fn();
			n++;
			failed += unit_failed;
			printf("%s %d - %s/%s\n", unit_failed ? "not ok" : "ok",
			    n, modules[m].name, t->name);
			/* Where the time goes (make check shows the
			 * slowest), as the bats suites' --timing. */
			if ((took = unit_now_ms() - t0) >= 1000)
				printf("# %s/%s took %llu ms\n",
				    modules[m].name, t->name,
				    (unsigned long long)took);
		}
	}
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
