/*
 * daemon.c - how scripts wait for a listening tool without sleeping: a
 * --pidfile written once the socket is bound, and --detach, which forks
 * and returns to the shell only when the child listens (as daemons that
 * fork after bind do).  Also routes libevent's own messages through our
 * own stderr format, at most a few per minute.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stddef.h>

#include <event2/event.h>

#include "cli.h"

static const char *pidfile;
static int ready_fd = -1;

void
cli_detach(void)
{
	int p[2], status;
	pid_t pid;
	char c;

	if (pipe(p) != 0 || (pid = fork()) < 0) {
		cli_warn("cannot detach: %s", strerror(errno));
		exit(CLI_FAIL);
	}
	if (pid > 0) {
		/* The parent returns once the child says it listens; a child
		 * that dies first passes its exit status on. */
		ssize_t n;

		close(p[1]);
		do
			n = read(p[0], &c, 1);
		while (n < 0 && errno == EINTR);
		if (n == 1)
			exit(CLI_OK);
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
			exit(WEXITSTATUS(status));
		exit(CLI_FAIL);
	}
	close(p[0]);
	/* Keep only stdio and the pipe: a daemon holding its caller's other
	 * descriptors (a test harness's, say) keeps them open for as long
	 * as it runs. */
	if (p[1] != 3 && dup2(p[1], 3) < 0)
		exit(CLI_FAIL);
	ready_fd = 3;
	close_range(4, ~0U, 0);
	setsid();
	/* A detached tool no longer reads the terminal. */
	if ((p[0] = open("/dev/null", O_RDONLY)) >= 0) {
		dup2(p[0], STDIN_FILENO);
		close(p[0]);
	}
}

int
cli_ready(const char *file)
{
	FILE *f;

	if (file != NULL) {
		if ((f = fopen(file, "w")) == NULL ||
		    fprintf(f, "%ld\n", (long)getpid()) < 0 ||
		    fclose(f) != 0) {
			cli_warn("cannot write pid file %s: %s", file,
			    strerror(errno));
			return -1;
		}
		pidfile = file;
	}
	if (ready_fd >= 0) {
		(void)!write(ready_fd, "", 1);
		close(ready_fd);
		ready_fd = -1;
	}
	cli_sd_notify("READY=1");
	return 0;
}

/*
 * systemd's readiness protocol (sd_notify(3)) without libsystemd: one
 * datagram to the AF_UNIX socket NOTIFY_SOCKET names ('@' for the
 * abstract namespace).  Without NOTIFY_SOCKET it does nothing.
 */
void
cli_sd_notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	size_t n;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    (n = strlen(path)) >= sizeof(sa.sun_path))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	(void)!sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
	    (struct sockaddr *)&sa,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
	close(fd);
}

void
cli_pidfile_remove(void)
{
	if (pidfile != NULL)
		unlink(pidfile);
	pidfile = NULL;
}

/* libevent's warnings ("Too many open files" on every accept, say) in
 * our words' format, and never a flood: at most 5 a minute. */
static void
event_log(int severity, const char *msg)
{
	static time_t window;
	static unsigned shown, dropped;
	time_t now = time(NULL);

	if (severity < EVENT_LOG_WARN)
		return;
	if (now - window >= 60) {
		if (dropped > 0)
			cli_warn("libevent: %u more messages not shown",
			    dropped);
		window = now;
		shown = dropped = 0;
	}
	if (shown++ >= 5) {
		dropped++;
		return;
	}
	cli_warn("libevent: %s", msg);
}

void
cli_event_log(void)
{
	event_set_log_callback(event_log);
}
