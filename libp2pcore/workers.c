/*
 * workers.c - the thread pool of workers.h: a locked queue of jobs to run,
 * a locked list of jobs run, and an eventfd that tells the base's loop to
 * call their done callbacks.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <event2/event.h>

#include <p2p/p2p.h>
#include <p2p/workers.h>

struct p2p_workers {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct p2p_job *todo, **todo_tail;	/* FIFO */
	struct p2p_job *ran;			/* any order */
	unsigned pending;			/* submitted, not done */
	unsigned long ndone;
	int quit;
	int efd;
	struct event *ev;
	pthread_t th[P2P_WORKERS_MAX];
	unsigned nth;
};

static void *
worker(void *arg)
{
	struct p2p_workers *w = arg;
	struct p2p_job *j;
	uint64_t one = 1;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->todo == NULL && !w->quit)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->todo == NULL)
			break;
		j = w->todo;
		if ((w->todo = j->next) == NULL)
			w->todo_tail = &w->todo;
		pthread_mutex_unlock(&w->lock);
		j->run(j->arg);
		pthread_mutex_lock(&w->lock);
		j->next = w->ran;
		w->ran = j;
		/* The loop reads the counter down to zero whatever it holds. */
		(void)!write(w->efd, &one, sizeof(one));
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* The base's side: every job run gets its done. */
static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct p2p_workers *w = arg;
	struct p2p_job *j, *next;
	uint64_t n;

	(void)what;
	(void)!read(fd, &n, sizeof(n));
	pthread_mutex_lock(&w->lock);
	j = w->ran;
	w->ran = NULL;
	pthread_mutex_unlock(&w->lock);
	for (; j != NULL; j = next) {
		next = j->next;
		w->pending--;
		w->ndone++;
		j->done(j->arg, 0);
	}
}

int
p2p_workers_new(struct p2p_workers **out, struct event_base *base,
    unsigned nthreads)
{
	struct p2p_workers *w;

	*out = NULL;
	if (nthreads == 0 || nthreads > P2P_WORKERS_MAX)
		return P2P_EINVAL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return P2P_ENOMEM;
	w->efd = -1;
	w->todo_tail = &w->todo;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if ((w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		p2p_workers_free(w);
		return P2P_EIO;
	}
	if ((w->ev = event_new(base, w->efd, EV_READ | EV_PERSIST, wake_cb,
	    w)) == NULL || event_add(w->ev, NULL) != 0) {
		p2p_workers_free(w);
		return P2P_ENOMEM;
	}
	for (; w->nth < nthreads; w->nth++)
		if (pthread_create(&w->th[w->nth], NULL, worker, w) != 0) {
			p2p_workers_free(w);
			return P2P_EIO;
		}
	*out = w;
	return 0;
}

void
p2p_workers_submit(struct p2p_workers *w, struct p2p_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&w->lock);
	*w->todo_tail = job;
	w->todo_tail = &job->next;
	w->pending++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

unsigned
p2p_workers_pending(const struct p2p_workers *w)
{
	return w->pending;
}

unsigned long
p2p_workers_done(const struct p2p_workers *w)
{
	return w->ndone;
}

void
p2p_workers_free(struct p2p_workers *w)
{
	struct p2p_job *j, *next, *todo;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->quit = 1;
	todo = w->todo;		/* never run: cancelled */
	w->todo = NULL;
	w->todo_tail = &w->todo;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (unsigned i = 0; i < w->nth; i++)
		pthread_join(w->th[i], NULL);
	/* Threads gone: no lock needed from here on. */
	for (j = w->ran; j != NULL; j = next) {
		next = j->next;
		j->done(j->arg, 0);
	}
	for (j = todo; j != NULL; j = next) {
		next = j->next;
		j->done(j->arg, 1);
	}
	if (w->ev != NULL)
		event_free(w->ev);
	if (w->efd >= 0)
		close(w->efd);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
