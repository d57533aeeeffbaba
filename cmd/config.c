/*
 * config.c - the config file and node lists of p2p-serverd (config.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <p2p/enr.h>

#include "config.h"

/* Reads a whole file of at most CFG_FILE_MAX bytes.  Returns the text
 * (malloc'd, NUL-terminated, owned by the caller), or NULL with errno
 * set (EFBIG when too large). */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	if ((buf = malloc(CFG_FILE_MAX + 1)) == NULL) {
		fclose(f);
		errno = ENOMEM;
		return NULL;
	}
	n = fread(buf, 1, CFG_FILE_MAX + 1, f);
	if (ferror(f) || n > CFG_FILE_MAX) {
		int e = ferror(f) ? errno : EFBIG;

		fclose(f);
		free(buf);
		errno = e;
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static json_t *
load_json(const char *what, const char *text, size_t len, char *err,
    size_t errlen)
{
	json_error_t je;
	json_t *j;

	if (len > CFG_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %u bytes", what,
		    CFG_FILE_MAX);
		return NULL;
	}
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		snprintf(err, errlen, "%s: line %d column %d: %s", what,
		    je.line, je.column, je.text);
	return j;
}

int
cfg_nodelist_parse(const char *what, const char *text, size_t len,
    int need_endpoint, struct p2p_node **nodes, size_t *n, char *err,
    size_t errlen)
{
	json_t *j, *e;
	size_t i;

	*nodes = NULL;
	*n = 0;
	if ((j = load_json(what, text, len, err, errlen)) == NULL)
		return -1;
	if (!json_is_array(j)) {
		snprintf(err, errlen, "%s: not a JSON array of enode URLs",
		    what);
		goto fail;
	}
	if (json_array_size(j) > CFG_NODES_MAX) {
		snprintf(err, errlen, "%s: more than %u entries", what,
		    CFG_NODES_MAX);
		goto fail;
	}
	if (json_array_size(j) > 0 &&
	    (*nodes = calloc(json_array_size(j), sizeof(**nodes))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", what);
		goto fail;
	}
	json_array_foreach(j, i, e) {
		const char *s = json_string_value(e);
		int rc;

		if (s == NULL) {
			snprintf(err, errlen, "%s: entry %zu is not a string",
			    what, i + 1);
			goto fail;
		}
		rc = p2p_enr_parse_node(&(*nodes)[*n], s,
		    json_string_length(e));
		if (rc == 0 && need_endpoint && (*nodes)[*n].ip.len == 0)
			rc = P2P_EIP;
		if (rc == 0 && need_endpoint && (*nodes)[*n].tcp == 0)
			rc = P2P_EPORT;
		if (rc != 0) {
			snprintf(err, errlen, "%s: entry %zu \"%.40s%s\": %s",
			    what, i + 1, s, strlen(s) > 40 ? "..." : "",
			    rc == P2P_EIP ? "no IP address (a complete enode "
			    "URL is needed)" : rc == P2P_EPORT ?
			    "no TCP port" : p2p_strerror(rc));
			goto fail;
		}
		/* A node listed twice is one node. */
		for (size_t k = 0; k < *n; k++)
			if (memcmp(&(*nodes)[k].id, &(*nodes)[*n].id,
			    sizeof((*nodes)[k].id)) == 0) {
				(*n)--;
				break;
			}
		(*n)++;
	}
	json_decref(j);
	if (*n == 0) {
		free(*nodes);
		*nodes = NULL;
	}
	return 0;
fail:
	json_decref(j);
	free(*nodes);
	*nodes = NULL;
	*n = 0;
	return -1;
}

int
cfg_nodelist_load(const char *path, int need_endpoint,
    struct p2p_node **nodes, size_t *n, char *err, size_t errlen)
{
	size_t len;
	char *text = slurp(path, &len);
	int rc;

	*nodes = NULL;
	*n = 0;
	if (text == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, errno == EFBIG ?
		    "file too large" : strerror(errno));
		return -1;
	}
	rc = cfg_nodelist_parse(path, text, len, need_endpoint, nodes, n, err,
	    errlen);
	free(text);
	return rc;
}

int
cfg_config_parse(const char *what, const char *text, size_t len,
    cfg_option_fn *fn, void *arg, char *err, size_t errlen)
{
	json_t *j, *v, *e;
	const char *name;
	char buf[8192];
	size_t i;

	if ((j = load_json(what, text, len, err, errlen)) == NULL)
		return -1;
	if (!json_is_object(j)) {
		snprintf(err, errlen, "%s: not a JSON object", what);
		goto fail;
	}
	json_object_foreach(j, name, v) {
		size_t used = 0;
		const char *value = buf;

		buf[0] = '\0';
		switch (json_typeof(v)) {
		case JSON_STRING:
			if (json_string_length(v) >= sizeof(buf) ||
			    strlen(json_string_value(v)) !=
			    json_string_length(v))
				goto bad;
			memcpy(buf, json_string_value(v),
			    json_string_length(v) + 1);
			break;
		case JSON_INTEGER:
			if (json_integer_value(v) < 0)
				goto bad;
			snprintf(buf, sizeof(buf), "%lld",
			    (long long)json_integer_value(v));
			break;
		case JSON_TRUE:
			value = NULL;
			break;
		case JSON_FALSE:
		case JSON_NULL:
			continue;
		case JSON_ARRAY:
			json_array_foreach(v, i, e) {
				size_t l = json_string_length(e);

				if (!json_is_string(e) || used + l + 2 >
				    sizeof(buf) || strlen(json_string_value(e))
				    != l)
					goto bad;
				if (used > 0)
					buf[used++] = ',';
				memcpy(buf + used, json_string_value(e), l);
				used += l;
				buf[used] = '\0';
			}
			break;
		default:
			goto bad;
		}
		if (fn(arg, name, value, err, errlen) != 0)
			goto fail;
	}
	json_decref(j);
	return 0;
bad:
	snprintf(err, errlen, "%s: \"%.40s\": value must be a string, a "
	    "non-negative integer, a boolean or an array of strings (at "
	    "most %zu bytes)", what, name, sizeof(buf) - 1);
fail:
	json_decref(j);
	return -1;
}

int
cfg_config_load(const char *path, cfg_option_fn *fn, void *arg, char *err,
    size_t errlen)
{
	size_t len;
	char *text = slurp(path, &len);
	int rc;

	if (text == NULL) {
		snprintf(err, errlen, "%s: %s", path, errno == EFBIG ?
		    "file too large" : strerror(errno));
		return -1;
	}
	rc = cfg_config_parse(path, text, len, fn, arg, err, errlen);
	free(text);
	return rc;
}
