/* pool.c - worker threads for parallel micro-batches: see pool.h. */
#include "pool.h"
#include "arena.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct pool_thread {
    sp_pool *pool; /* back pointer */
    int k;         /* its index (1..n-1) */
    pthread_t tid;
} pool_thread;

struct sp_pool {
    int n;                  /* threads in all, the caller included */
    pool_thread *threads;   /* n - 1 of them; owned */
    int started;            /* how many were started */
    pthread_mutex_t lock;   /* guards what follows */
    pthread_cond_t go;      /* a new job (or the end) */
    pthread_cond_t done;    /* the last thread finished the job */
    unsigned long job;      /* job number: changes when a job is posted */
    int pending;            /* threads still working on the job */
    int quit;               /* stop the threads */
    sp_pool_fn fn;          /* the job */
    void *ctx;
};

static void *pool_main(void *arg)
{
    pool_thread *t = arg;
    sp_pool *p = t->pool;
    unsigned long seen = 0;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->quit && p->job == seen)
            pthread_cond_wait(&p->go, &p->lock);
        if (p->quit)
            break;
        seen = p->job;
        sp_pool_fn fn = p->fn;
        void *ctx = p->ctx;
        pthread_mutex_unlock(&p->lock);
        fn(ctx, t->k);
        pthread_mutex_lock(&p->lock);
        if (--p->pending == 0)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

sp_pool *sp_pool_new(int n)
{
    if (n < 1)
        n = 1;
    sp_pool *p = sp_xmalloc(sizeof *p);
    p->n = n;
    p->threads = sp_xmalloc(sizeof *p->threads * (size_t)n);
    p->started = 0;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    p->job = 0;
    p->pending = 0;
    p->quit = 0;
    p->fn = NULL;
    p->ctx = NULL;
    for (int k = 1; k < n; k++) {
        pool_thread *t = &p->threads[k - 1];
        t->pool = p;
        t->k = k;
        if (pthread_create(&t->tid, NULL, pool_main, t) != 0) {
            sp_pool_free(p);
            return NULL;
        }
        p->started++;
    }
    return p;
}

int sp_pool_size(const sp_pool *p)
{
    return p->n;
}

void sp_pool_run(sp_pool *p, sp_pool_fn fn, void *ctx)
{
    if (p->n > 1) {
        pthread_mutex_lock(&p->lock);
        p->fn = fn;
        p->ctx = ctx;
        p->pending = p->n - 1;
        p->job++;
        pthread_cond_broadcast(&p->go);
        pthread_mutex_unlock(&p->lock);
    }
    fn(ctx, 0);
    if (p->n > 1) {
        pthread_mutex_lock(&p->lock);
        while (p->pending > 0)
            pthread_cond_wait(&p->done, &p->lock);
        pthread_mutex_unlock(&p->lock);
    }
}

void sp_pool_free(sp_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->quit = 1;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->started; i++)
        pthread_join(p->threads[i].tid, NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    free(p->threads);
    free(p);
}

int sp_pool_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (int)n;
}
