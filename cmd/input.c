/*
 * input.c - a tool's targets as a stream on its event loop: the command
 * line's arguments, or stdin's lines as they arrive, handed out one at a
 * time while the tool has room for more work.  `serve | p2p-dial` dials
 * each node as serve prints it instead of waiting for an end of input
 * that never comes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include <p2p/p2p.h>

#include "cli.h"

struct cli_input {
	int argc, argi;
	char **argv;
	cli_input_fn fn;
	void (*eof)(void *);
	void *arg;
	struct evbuffer *buf;
	struct event *rd;	/* stdin readable (NULL: arguments, or a file) */
	struct event *pump;	/* hands out buffered lines */
	int paused, at_eof, eof_told, skipping, failed, broken;
	int file;		/* stdin is a regular file: read it in turns */
};

/* One stdin line (newline removed): refused, or handed to fn. */
static void
one_line(struct cli_input *in, const char *s, size_t len)
{
	if (memchr(s, '\0', len) != NULL) {
		in->failed++;
		if (cli_emit(cli_error_record(s, 0, P2P_EINVAL,
		    "line holds a NUL byte")) != 0)
			in->broken = 1;
		return;
	}
	if (!cli_input_wanted(&s, &len))
		return;
	if (in->fn(s, len, in->arg) != 0)
		in->failed++;
}

/* The next input for fn, if one is ready.  Returns 1 if one was. */
static int
next_one(struct cli_input *in)
{
	size_t n;
	char *line;

	if (in->argv != NULL) {
		if (in->argi == in->argc)
			return 0;
		if (in->fn(in->argv[in->argi], strlen(in->argv[in->argi]),
		    in->arg) != 0)
			in->failed++;
		in->argi++;
		return 1;
	}
	line = evbuffer_readln(in->buf, &n, EVBUFFER_EOL_LF);
	if (line == NULL && in->at_eof && evbuffer_get_length(in->buf) > 0) {
		/* A last line without a newline still counts. */
		n = evbuffer_get_length(in->buf);
		line = malloc(n + 1);
		if (line != NULL)
			evbuffer_remove(in->buf, line, n);
	}
	if (line == NULL)
		return 0;
	if (in->skipping)
		in->skipping = 0;	/* the rest of an over-long line */
	else
		one_line(in, line, n);
	free(line);
	return 1;
}

static int
exhausted(const struct cli_input *in)
{
	if (in->argv != NULL)
		return in->argi == in->argc;
	return in->at_eof && evbuffer_get_length(in->buf) == 0;
}

static void read_more(struct cli_input *in);

/* Hands out inputs until paused or none is ready, then tells of the end
 * once.  Runs from the loop only, never inside the tool's own calls. */
static void
pump_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cli_input *in = arg;

	(void)fd;
	(void)what;
	for (;;) {
		while (!in->paused && !in->broken && next_one(in))
			if (ferror(stdout))
				in->broken = 1;
		/* A regular file is always readable: read on when there
		 * is room, instead of waiting for an event. */
		if (!in->file || in->paused || in->at_eof || in->broken)
			break;
		read_more(in);
	}
	if ((exhausted(in) || in->broken) && !in->eof_told) {
		in->eof_told = 1;
		if (in->rd != NULL)
			event_del(in->rd);
		in->eof(in->arg);
	}
}

/* Reads what stdin has; over-long lines are refused here, before they
 * are buffered whole. */
static void
read_more(struct cli_input *in)
{
	int r = evbuffer_read(in->buf, STDIN_FILENO, 1 << 16);

	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
		in->at_eof = 1;
	if (evbuffer_search_eol(in->buf, NULL, NULL, EVBUFFER_EOL_LF).pos
	    < 0 && evbuffer_get_length(in->buf) > CLI_LINE_MAX) {
		struct evbuffer_ptr p;

		if (!in->skipping) {
			char head[64];
			size_t n = evbuffer_copyout(in->buf, head,
			    sizeof(head));

			in->failed++;
			if (cli_emit(cli_error_record(head, n, P2P_ETOOBIG,
			    "line longer than 8192 bytes")) != 0)
				in->broken = 1;
		}
		in->skipping = 1;
		p = evbuffer_search_eol(in->buf, NULL, NULL, EVBUFFER_EOL_LF);
		evbuffer_drain(in->buf, p.pos < 0 ?
		    evbuffer_get_length(in->buf) : (size_t)p.pos);
	}
}

static void
readable_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cli_input *in = arg;

	(void)fd;
	(void)what;
	read_more(in);
	/* Stop reading while paused: the pipe's own buffer then holds the
	 * writer back instead of our memory growing. */
	if (in->paused || in->at_eof)
		event_del(in->rd);
	pump_cb(-1, 0, in);
}

/* Whether fd can be watched for readability: pipes, sockets, FIFOs and
 * terminals can; files and devices such as /dev/null are always
 * readable, and epoll refuses them. */
static int
pollable(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return 0;
	return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || isatty(fd);
}

struct cli_input *
cli_input_new(struct event_base *base, int argc, char **argv,
    cli_input_fn fn, void (*eof)(void *), void *arg)
{
	struct cli_input *in = calloc(1, sizeof(*in));
	if (in == NULL)
		return NULL;
	in->fn = fn;
	in->eof = eof;
	in->arg = arg;
	if (argc > 0) {
		in->argc = argc;
		in->argv = argv;
	} else {
		fcntl(STDIN_FILENO, F_SETFL,
		    fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
		if ((in->buf = evbuffer_new()) == NULL ||
		    (in->rd = event_new(base, STDIN_FILENO, EV_READ |
		    EV_PERSIST, readable_cb, in)) == NULL) {
			cli_input_free(in);
			return NULL;
		}
		/* epoll refuses regular files and /dev/null: those are
		 * read in turns instead (asking first keeps libevent from
		 * warning about it). */
		if (!pollable(STDIN_FILENO) || event_add(in->rd, NULL) != 0) {
			event_free(in->rd);
			in->rd = NULL;
			in->file = 1;
		}
	}
	if ((in->pump = event_new(base, -1, 0, pump_cb, in)) == NULL) {
		cli_input_free(in);
		return NULL;
	}
	if (in->rd == NULL)
		event_active(in->pump, 0, 0);
	return in;
}

void
cli_input_pause(struct cli_input *in)
{
	in->paused = 1;
}

void
cli_input_resume(struct cli_input *in)
{
	if (!in->paused)
		return;
	in->paused = 0;
	if (in->rd != NULL && !in->at_eof && !in->eof_told)
		event_add(in->rd, NULL);
	event_active(in->pump, 0, 0);
}

void
cli_input_stop(struct cli_input *in)
{
	in->paused = 1;
	in->eof_told = 1;
	if (in->rd != NULL)
		event_del(in->rd);
	event_del(in->pump);
}

int
cli_input_done(const struct cli_input *in)
{
	return in->eof_told;
}

int
cli_input_failed(const struct cli_input *in)
{
	return in->failed;
}

int
cli_input_broken(const struct cli_input *in)
{
	return in->broken;
}

void
cli_input_free(struct cli_input *in)
{
	if (in == NULL)
		return;
	if (in->rd != NULL)
		event_free(in->rd);
	if (in->pump != NULL)
		event_free(in->pump);
	if (in->buf != NULL)
		evbuffer_free(in->buf);
	free(in);
}
