/*
 * cli.c - the helpers every p2pcore tool shares (see cli.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>

#include <p2p/enode.h>
#include <p2p/keyfile.h>

#include "cli.h"

static const char *prog = "p2p";

void
cli_init(const char *name)
{
	prog = name;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s\nTry '%s --help' for more.\n", usage,
	    prog);
	exit(CLI_USAGE);
}

void
cli_help(const char *usage, const char *options)
{
	printf("usage: %s\n\n%s", usage, options);
	exit(CLI_OK);
}

void
cli_version(void)
{
	printf("%s p2pcore %s\n", prog, P2P_VERSION_STRING);
	exit(CLI_OK);
}

json_t *
cli_record(const char *type)
{
	json_t *o = json_object();

	if (o == NULL) {
		cli_warn("out of memory");
		exit(CLI_FAIL);
	}
	json_object_set_new(o, "type", json_string(type));
	return o;
}

json_t *
cli_json_text(const char *s, size_t len)
{
	json_t *j = json_stringn(s, len);
	char *copy;

	if (j != NULL)
		return j;
	/* Not UTF-8: replace every non-ASCII byte so the input stays
	 * recognisable in the record. */
	if ((copy = malloc(len * 3 + 1)) == NULL)
		return json_string("");
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80 && c != 0) {
			copy[n++] = (char)c;
		} else {
			memcpy(copy + n, "\xef\xbf\xbd", 3);
			n += 3;
		}
	}
	j = json_stringn(copy, n);
	free(copy);
	return j;
}

json_t *
cli_error_record(const char *input, size_t inputlen, int err,
    const char *detail)
{
	json_t *o = cli_record("error");

	json_object_set_new(o, "input", cli_json_text(input, inputlen));
	json_object_set_new(o, "error", json_string(p2p_errname(err)));
	json_object_set_new(o, "detail",
	    json_string(detail ? detail : p2p_strerror(err)));
	return o;
}

int
cli_emit(json_t *o)
{
	int rc = json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII |
	    JSON_REAL_PRECISION(10));

	json_decref(o);
	if (rc != 0 || fputc('\n', stdout) == EOF || fflush(stdout) != 0)
		return -1;
	return 0;
}

int
cli_parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		uint64_t d = (uint64_t)(*s - '0');

		if (*s < '0' || *s > '9' || x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

int
cli_parse_port(const char *s, uint16_t *port)
{
	uint64_t v;

	if (cli_parse_u64(s, &v) != 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int
cli_parse_hostport(const char *s, struct p2p_ip *ip, uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	char host[64];
	size_t n;

	if (colon == NULL)
		return -1;
	n = (size_t)(colon - s);
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0)
		strcpy(host, "0.0.0.0");
	else if (n < sizeof(host))
		memcpy(host, s, n);
	else
		return -1;
	if (n > 0)
		host[n] = '\0';
	if (p2p_ip_parse(ip, host, strlen(host)) != 0)
		return -1;
	return cli_parse_port(colon + 1, port);
}

void
cli_pick_extip(struct p2p_ip *ext)
{
	struct ifaddrs *ifa, *i;
	char text[64];

	memset(ext, 0, sizeof(*ext));
	if (getifaddrs(&ifa) == 0) {
		for (i = ifa; i != NULL; i = i->ifa_next) {
			struct sockaddr_in *sin = (void *)i->ifa_addr;

			if (sin == NULL || sin->sin_family != AF_INET ||
			    (ntohl(sin->sin_addr.s_addr) >> 24) == 127)
				continue;
			ext->len = 4;
			memcpy(ext->b, &sin->sin_addr, 4);
			break;
		}
		freeifaddrs(ifa);
	}
	if (ext->len == 0) {
		ext->len = 4;
		memcpy(ext->b, "\177\0\0\1", 4);
	}
	p2p_ip_format(text, ext);
	cli_warn("warning: bound to every interface; announcing %s (give "
	    "--extip to choose)", text);
}

/* Milliseconds in one unit, or 0 for an unknown unit. */
static uint64_t
unit_ms(const char *u, size_t n)
{
	static const struct { const char *name; uint64_t ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == n && memcmp(u, units[i].name, n) == 0)
			return units[i].ms;
	return 0;
}

int
cli_parse_duration(const char *s, uint64_t *ms)
{
	const char *start = s;
	double total = 0;

	if (*s == '\0')
		return -1;
	while (*s) {
		const char *num = s, *u;
		char *end;
		double v;
		uint64_t mult;

		while ((*s >= '0' && *s <= '9') || *s == '.')
			s++;
		if (s == num)
			return -1;
		errno = 0;
		v = strtod(num, &end);
		if (end != s || errno != 0)
			return -1;
		for (u = s; *s >= 'a' && *s <= 'z'; s++)
			;
		if (u == s) {
			/* A bare number is seconds, but only on its own. */
			if (num != start || *s != '\0')
				return -1;
			total = v * 1000;
			break;
		}
		if ((mult = unit_ms(u, (size_t)(s - u))) == 0)
			return -1;
		total += v * (double)mult;
	}
	if (total > 1e15)
		return -1;
	*ms = (uint64_t)(total + 0.5);
	return 0;
}

int
cli_load_key(struct p2p_privkey *key, const char *file, const char *hex)
{
	unsigned mode = 0;
	int rc;

	if (hex != NULL) {
		rc = p2p_keyfile_parse(key, hex, strlen(hex));
		if (rc != 0)
			cli_warn("--nodekeyhex: %s", p2p_strerror(rc));
		return rc ? -1 : 0;
	}
	rc = p2p_keyfile_load(key, file, &mode);
	if (rc == P2P_EIO) {
		cli_warn("cannot read key file '%s': %s", file,
		    strerror(errno));
		return -1;
	}
	if (rc != 0) {
		cli_warn("key file '%s': %s", file, p2p_strerror(rc));
		return -1;
	}
	if (mode & 077)
		cli_warn("warning: key file '%s' is accessible by others "
		    "(mode %04o); run: chmod 600 '%s'", file, mode, file);
	return 0;
}

int
cli_input_wanted(const char **s, size_t *len)
{
	while (*len > 0 && strchr(" \t\r\n", (*s)[0]) != NULL) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && strchr(" \t\r\n", (*s)[*len - 1]) != NULL)
		(*len)--;
	return *len > 0 && (*s)[0] != '#';
}

/* Reads one line into buf (at most CLI_LINE_MAX + 1 bytes kept).
 * Returns the line length, or -1 at EOF; *over set if it was longer. */
static long
read_line(char *buf, int *over, int *nul)
{
	size_t n = 0;
	int c;

	*over = *nul = 0;
	while ((c = getchar()) != EOF && c != '\n') {
		if (c == 0)
			*nul = 1;
		if (n < CLI_LINE_MAX)
			buf[n++] = (char)c;
		else
			*over = 1;
	}
	if (c == EOF && n == 0 && !*over)
		return -1;
	buf[n] = '\0';
	return (long)n;
}

static int
stdin_inputs(cli_input_fn fn, void *arg)
{
	static char buf[CLI_LINE_MAX + 1];
	int failed = 0, over, nul;
	long n;

	while ((n = read_line(buf, &over, &nul)) >= 0) {
		const char *s = buf;
		size_t len = (size_t)n;

		if (over || nul) {
			if (cli_emit(cli_error_record(s, len < 64 ? len : 64,
			    over ? P2P_ETOOBIG : P2P_EINVAL, over ?
			    "line longer than 8192 bytes" :
			    "line holds a NUL byte")) != 0)
				return -1;
			failed++;
			continue;
		}
		if (cli_input_wanted(&s, &len) && fn(s, len, arg) != 0)
			failed++;
		if (ferror(stdout))
			return -1;
	}
	return failed;
}

int
cli_input_member(const char *in, size_t len, const char *const *names,
    const char **s, size_t *slen, json_t **hold)
{
	json_t *j, *e = NULL;

	*hold = NULL;
	if (len == 0 || in[0] != '{') {
		*s = in;
		*slen = len;
		return 1;
	}
	j = json_loadb(in, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return P2P_EFIELD;
	}
	for (; *names != NULL && (e == NULL || json_is_null(e)); names++)
		e = json_object_get(j, *names);
	if (e == NULL || json_is_null(e)) {
		json_decref(j);
		return 0;
	}
	if (!json_is_string(e)) {
		json_decref(j);
		return P2P_EFIELD;
	}
	*s = json_string_value(e);
	*slen = json_string_length(e);
	*hold = j;
	return 1;
}

int
cli_input_enode(const char *in, size_t len, const char **s, size_t *slen,
    json_t **hold)
{
	static const char *const names[] = { "enode", NULL };

	return cli_input_member(in, len, names, s, slen, hold);
}

int
cli_node_key(struct p2p_privkey *key, const char *file, const char *hex,
    int create)
{
	if (file != NULL && create && access(file, F_OK) != 0) {
		int rc = p2p_secp_keygen(key);

		if (rc == 0)
			rc = p2p_keyfile_save(file, key, 0);
		if (rc != 0) {
			cli_warn("cannot create key file %s: %s", file,
			    rc == P2P_EIO || rc == P2P_EEXIST ? strerror(errno) :
			    p2p_strerror(rc));
			return -1;
		}
		return 0;
	}
	if (file != NULL || hex != NULL)
		return cli_load_key(key, file, hex);
	if (p2p_secp_keygen(key) != 0) {
		cli_warn("cannot generate a key");
		return -1;
	}
	return 0;
}

int
cli_each_input(int argc, char **argv, cli_input_fn fn, void *arg)
{
	int failed = 0;

	if (argc == 0)
		return stdin_inputs(fn, arg);
	for (int i = 0; i < argc; i++) {
		if (fn(argv[i], strlen(argv[i]), arg) != 0)
			failed++;
		if (ferror(stdout))
			return -1;
	}
	return failed;
}

void
cli_bad_value(const char *usage, const char *name, const char *arg)
{
	/* Echo enough to recognise the value, never a whole 70 KB one. */
	cli_usage_error(usage, "invalid value '%.64s%s' for --%s", arg,
	    strlen(arg) > 64 ? "..." : "", name);
}

static unsigned long long nofile_limit;

void
cli_raise_nofile(void)
{
	struct rlimit rl;

	/* As go-ethereum does: the soft limit (1,024 on most systems) is
	 * far below what a node with many peers needs. */
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	nofile_limit = (unsigned long long)rl.rlim_cur;
}

unsigned long long
cli_nofile_limit(void)
{
	struct rlimit rl;

	if (nofile_limit == 0 && getrlimit(RLIMIT_NOFILE, &rl) == 0)
		nofile_limit = (unsigned long long)rl.rlim_cur;
	return nofile_limit;
}
