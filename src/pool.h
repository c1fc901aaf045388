/* pool.h - a fixed pool of worker threads that run one job at a time.
 *
 * sp_pool_run(pool, fn, ctx) calls fn(ctx, k) for every k in [0, n): k = 0
 * on the calling thread, the others on the pool's threads, and returns when
 * all are done.  No allocation and no lock per job item: one mutex and two
 * condition variables per job (a batch, in the runtime). */
#ifndef SP_POOL_H
#define SP_POOL_H

typedef struct sp_pool sp_pool;

/* The work of one thread: k is its index, from 0. */
typedef void (*sp_pool_fn)(void *ctx, int k);

/* A pool of n threads in all (the caller counts as one: n - 1 are started).
 * Returns NULL when a thread cannot be started. */
sp_pool *sp_pool_new(int n);
/* How many threads run a job (n above). */
int sp_pool_size(const sp_pool *p);
/* Runs fn(ctx, k) for k in [0, n) in parallel and waits for all of them. */
void sp_pool_run(sp_pool *p, sp_pool_fn fn, void *ctx);
/* Stops the threads and frees the pool.  Accepts NULL. */
void sp_pool_free(sp_pool *p);

/* The number of online cores (at least 1). */
int sp_pool_cores(void);

#endif
