/*
 * workers.h - a small pool of threads for CPU-bound work (the RLPx
 * handshake's elliptic-curve operations), whose completions come back on
 * the caller's libevent event_base: everything else, all I/O and all
 * state, stays on that one thread.  No libevent locking is needed: the
 * pool wakes the base through an eventfd.
 *
 * A job is the caller's memory: run(arg) is called on a worker thread,
 * then done(arg, cancelled) on the base's thread.  A job is never run
 * twice and done is always called exactly once, p2p_workers_free
 * included (queued jobs that never ran get cancelled = 1), so done is
 * where the job's memory can be released.
 */
#ifndef P2P_WORKERS_H
#define P2P_WORKERS_H

struct event_base;
struct p2p_workers;

struct p2p_job {
	void (*run)(void *arg);			/* worker thread */
	void (*done)(void *arg, int cancelled);	/* base's thread */
	void *arg;
	struct p2p_job *next;			/* the pool's */
};

#define P2P_WORKERS_MAX 64

/*
 * Starts nthreads threads (1..P2P_WORKERS_MAX).
 * Returns: 0; P2P_EINVAL; P2P_ENOMEM; P2P_EIO (no eventfd or thread).
 * Out:     *w, owned by the caller (p2p_workers_free).
 */
int p2p_workers_new(struct p2p_workers **w, struct event_base *base,
    unsigned nthreads);

/* Queues job; its done follows from the base's loop, never from inside
 * this call. */
void p2p_workers_submit(struct p2p_workers *w, struct p2p_job *job);

/* Jobs submitted and not yet done; jobs done so far. */
unsigned p2p_workers_pending(const struct p2p_workers *w);
unsigned long p2p_workers_done(const struct p2p_workers *w);

/* Waits for the running jobs, calls every outstanding done (cancelled
 * for those that never ran), stops the threads and frees the pool. */
void p2p_workers_free(struct p2p_workers *w);

#endif
