/*
 * test_workers.c - the thread pool: every job runs once on a worker and
 * is done once on the base's thread; freeing the pool cancels what never
 * ran and still calls every done.
 */
#include <pthread.h>
#include <stdlib.h>

#include <event2/event.h>

#include <p2p/p2p.h>
#include <p2p/workers.h>

#include "unit.h"

#define NJOBS 200

struct job {
	struct p2p_job j;
	pthread_t ran_on;
	int ran, done, cancelled;
	unsigned *ndone;
};

static pthread_t main_thread;
static int done_off_main;

static void
run(void *arg)
{
	struct job *j = arg;

	j->ran_on = pthread_self();
	j->ran++;
}

static void
done(void *arg, int cancelled)
{
	struct job *j = arg;

	if (!pthread_equal(pthread_self(), main_thread))
		done_off_main = 1;
	j->done++;
	j->cancelled = cancelled;
	(*j->ndone)++;
}

static void
test_all_done(void)
{
	struct event_base *base = event_base_new();
	struct p2p_workers *w;
	struct job *jobs = calloc(NJOBS, sizeof(*jobs));
	unsigned ndone = 0;
	uint64_t end = unit_now_ms() + 60000;	/* a hang guard only */

	main_thread = pthread_self();
	CHECK_INT(p2p_workers_new(&w, base, 0), P2P_EINVAL);
	CHECK_INT(p2p_workers_new(&w, base, P2P_WORKERS_MAX + 1), P2P_EINVAL);
	CHECK_INT(p2p_workers_new(&w, base, 3), 0);
	for (int i = 0; i < NJOBS; i++) {
		jobs[i].j = (struct p2p_job){ .run = run, .done = done,
		    .arg = &jobs[i] };
		jobs[i].ndone = &ndone;
		p2p_workers_submit(w, &jobs[i].j);
	}
	/* Never from inside submit. */
	CHECK_INT(ndone, 0);
	while (ndone < NJOBS && unit_now_ms() < end)
		event_base_loop(base, EVLOOP_ONCE);
	CHECK_INT(ndone, NJOBS);
	CHECK_INT(p2p_workers_pending(w), 0);
	for (int i = 0; i < NJOBS; i++) {
		CHECK_INT(jobs[i].ran, 1);
		CHECK_INT(jobs[i].done, 1);
		CHECK(!pthread_equal(jobs[i].ran_on, main_thread));
	}
	CHECK(!done_off_main);
	p2p_workers_free(w);
	free(jobs);
	event_base_free(base);
}

static void
test_free_cancels(void)
{
	struct event_base *base = event_base_new();
	struct p2p_workers *w;
	struct job *jobs = calloc(NJOBS, sizeof(*jobs));
	unsigned ndone = 0, cancelled = 0, ran = 0;

	main_thread = pthread_self();
	CHECK_INT(p2p_workers_new(&w, base, 1), 0);
	for (int i = 0; i < NJOBS; i++) {
		jobs[i].j = (struct p2p_job){ .run = run, .done = done,
		    .arg = &jobs[i] };
		jobs[i].ndone = &ndone;
		p2p_workers_submit(w, &jobs[i].j);
	}
	/* No loop turn: whatever ran or not, free calls every done once. */
	p2p_workers_free(w);
	CHECK_INT(ndone, NJOBS);
	for (int i = 0; i < NJOBS; i++) {
		CHECK_INT(jobs[i].done, 1);
		CHECK_INT(jobs[i].ran + jobs[i].cancelled, 1);
		cancelled += (unsigned)jobs[i].cancelled;
		ran += (unsigned)jobs[i].ran;
	}
	CHECK_INT(cancelled + ran, NJOBS);
	CHECK(!done_off_main);
	free(jobs);
	event_base_free(base);
}

const struct unit_test unit_workers[] = {
	{ "all_done", test_all_done },
	{ "free_cancels", test_free_cancels },
	{ NULL, NULL },
};
