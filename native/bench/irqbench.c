/*
 * irqbench: the C floor for `jahci bench irq`. The same interrupt-to-worker pipeline as the Java
 * port layer, with pthreads and an eventfd, measured the same way:
 *
 *   stimulus thread --write(eventfd)--> "interrupt" thread (epoll_wait, read)
 *        takes the ISR mutex (the interrupt lock) = ISR
 *        hands off to the worker thread (pthread cond, or a spinning worker with --spin)
 *   worker thread (= worker routine, DISPATCH)
 *        synchronized stage: takes the ISR mutex (= requestSynchronizedRoutine)
 *        hands off to the work-item thread (pthread cond; Java's work-item thread always parks)
 *   work-item thread (= Storport work item, PASSIVE)
 *
 * Stimulus: at a fixed rate (event i intended at t0 + i/rate, slept for with clock_nanosleep
 * TIMER_ABSTIME and a 1 ns timer slack), or back to back (--rate 0: event i+1 is sent once the
 * work-item stage of event i ran; its intended time is when the stimulus saw that). Warm-up events
 * run first, the pipeline drains, then the measured events run on a fresh schedule.
 *
 * Several signals may coalesce into one eventfd wake-up: each stage handles every event up to the
 * newest one the previous stage published, and stamps each with its own clock reading.
 *
 * Output (--out FILE): raw CLOCK_MONOTONIC stamps (the clock System.nanoTime uses on Linux), all
 * little-endian:
 *   char magic[8] = "JAHCIIRQ"; int32 version = 1; int32 columns = 7;
 *   int64 warmup; int64 total;       (events [0, warmup) are warm-up, [warmup, total) measured)
 *   int64 intended[total], send[total], wake[total], isr[total], worker[total],
 *         synchronized[total], workitem[total]
 * jahci records (stamp - intended) into HdrHistograms with the same code it uses for Java.
 *
 * Build: gcc -O2 -pthread -o irqbench irqbench.c
 * Usage: irqbench --out FILE [--rate N] [--warmup N] [--events N] [--warmup-ns NS] [--ns NS] [--spin]
 *   --rate 0 is back to back; --warmup-ns/--ns bound the phases in time (back to back only).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

enum { INTENDED, SEND, WAKE, ISR, WORKER, SYNC, WORKITEM, COLUMNS };

static int64_t *col[COLUMNS];
static int64_t capacity;
static int spin;
static int efd;
static atomic_int stop;

static atomic_llong sent;         /* events signalled (stimulus) */
static atomic_llong isr_upto;     /* events the ISR has seen */
static atomic_llong worker_upto;  /* events the worker stage has finished */
static atomic_llong done;         /* events the work-item stage has finished */

static pthread_mutex_t isr_lock = PTHREAD_MUTEX_INITIALIZER;      /* the interrupt lock */
static pthread_mutex_t worker_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t worker_cond = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t item_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t item_cond = PTHREAD_COND_INITIALIZER;

static int64_t now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what) {
    fprintf(stderr, "irqbench: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void sleep_until(int64_t t) {
    struct timespec ts = {.tv_sec = t / 1000000000LL, .tv_nsec = t % 1000000000LL};
    while (now() < t) {
        int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        if (rc != 0 && rc != EINTR) {
            errno = rc;
            die("clock_nanosleep");
        }
    }
}

static void *interrupt_thread(void *arg) {
    (void)arg;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = efd};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) < 0) die("epoll_ctl");
    long long seen = 0;
    for (;;) {
        struct epoll_event out;
        int n = epoll_wait(ep, &out, 1, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        int64_t wake = now();
        uint64_t count;
        if (read(efd, &count, sizeof count) != sizeof count) die("read(eventfd)");
        if (atomic_load(&stop)) break;
        pthread_mutex_lock(&isr_lock);                       /* ISR: the interrupt lock */
        long long upto = atomic_load_explicit(&sent, memory_order_acquire);
        int64_t isr = now(); /* after reading what was published: no event is stamped before it was sent */
        for (long long i = seen; i < upto; i++) {
            /* signalled while this thread was already awake: first noticed by this ISR */
            col[WAKE][i] = wake >= col[SEND][i] ? wake : isr;
            col[ISR][i] = isr;
        }
        seen = upto;
        atomic_store_explicit(&isr_upto, upto, memory_order_release);   /* request the worker routine */
        if (!spin) {
            pthread_mutex_lock(&worker_mutex);
            pthread_cond_signal(&worker_cond);
            pthread_mutex_unlock(&worker_mutex);
        }
        pthread_mutex_unlock(&isr_lock);
    }
    close(ep);
    return NULL;
}

static void *worker_thread(void *arg) {
    (void)arg;
    long long handled = 0;
    for (;;) {
        long long upto;
        if (spin) {
            while ((upto = atomic_load_explicit(&isr_upto, memory_order_acquire)) == handled && !atomic_load(&stop)) {
                __builtin_ia32_pause();
            }
        } else {
            pthread_mutex_lock(&worker_mutex);
            while ((upto = atomic_load_explicit(&isr_upto, memory_order_acquire)) == handled && !atomic_load(&stop)) {
                pthread_cond_wait(&worker_cond, &worker_mutex);
            }
            pthread_mutex_unlock(&worker_mutex);
        }
        if (upto == handled) break; /* stop */
        upto = atomic_load_explicit(&isr_upto, memory_order_acquire);
        int64_t t = now();                                     /* worker routine */
        for (long long i = handled; i < upto; i++) col[WORKER][i] = t;
        pthread_mutex_lock(&isr_lock);                         /* synchronized routine */
        int64_t s = now();
        for (long long i = handled; i < upto; i++) col[SYNC][i] = s;
        pthread_mutex_unlock(&isr_lock);
        handled = upto;
        atomic_store_explicit(&worker_upto, upto, memory_order_release);   /* queue the work item */
        pthread_mutex_lock(&item_mutex);
        pthread_cond_signal(&item_cond);
        pthread_mutex_unlock(&item_mutex);
    }
    return NULL;
}

static void *workitem_thread(void *arg) {
    (void)arg;
    long long handled = 0;
    for (;;) {
        long long upto;
        pthread_mutex_lock(&item_mutex);
        while ((upto = atomic_load_explicit(&worker_upto, memory_order_acquire)) == handled && !atomic_load(&stop)) {
            pthread_cond_wait(&item_cond, &item_mutex);
        }
        pthread_mutex_unlock(&item_mutex);
        if (upto == handled) break;
        upto = atomic_load_explicit(&worker_upto, memory_order_acquire);
        int64_t t = now();                                     /* work item */
        for (long long i = handled; i < upto; i++) col[WORKITEM][i] = t;
        handled = upto;
        atomic_store_explicit(&done, upto, memory_order_release);
    }
    return NULL;
}

static void signal_event(long long i, int64_t intended) {
    static const uint64_t one = 1;
    col[INTENDED][i] = intended;
    col[SEND][i] = now();
    atomic_store_explicit(&sent, i + 1, memory_order_release);
    if (write(efd, &one, sizeof one) != sizeof one) die("write(eventfd)");
}

static void drain(long long end) {
    struct timespec ts = {0, 100000};
    while (atomic_load_explicit(&done, memory_order_acquire) < end) nanosleep(&ts, NULL);
}

/* Runs events [start, cap) (back to back: until cap or the time bound); returns the end. */
static long long phase(long long start, long long cap, double rate, int64_t bound_ns) {
    long long i = start;
    if (rate > 0) {
        int64_t period = (int64_t)(1e9 / rate + 0.5); /* Math.round(1e9 / rate), as in Java */
        int64_t t0 = now() + period;
        for (; i < cap; i++) {
            int64_t intended = t0 + (i - start) * period;
            sleep_until(intended);
            signal_event(i, intended);
        }
    } else {
        int64_t deadline = bound_ns > 0 ? now() + bound_ns : INT64_MAX;
        for (; i < cap; i++) {
            while (atomic_load_explicit(&done, memory_order_acquire) < i) sched_yield();
            int64_t intended = now();
            if (intended >= deadline) break;
            signal_event(i, intended);
        }
    }
    drain(i);
    return i;
}

int main(int argc, char **argv) {
    const char *out = NULL;
    double rate = 10000;
    long long warmup = 10000, events = 10000;
    int64_t warmup_ns = 0, run_ns = 0;
    for (int a = 1; a < argc; a++) {
        const char *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (!strcmp(argv[a], "--spin")) { spin = 1; continue; }
        if (!v) { fprintf(stderr, "irqbench: %s needs a value\n", argv[a]); return 2; }
        if (!strcmp(argv[a], "--out")) out = v;
        else if (!strcmp(argv[a], "--rate")) rate = atof(v);
        else if (!strcmp(argv[a], "--warmup")) warmup = atoll(v);
        else if (!strcmp(argv[a], "--events")) events = atoll(v);
        else if (!strcmp(argv[a], "--warmup-ns")) warmup_ns = atoll(v);
        else if (!strcmp(argv[a], "--ns")) run_ns = atoll(v);
        else { fprintf(stderr, "irqbench: unknown option %s\n", argv[a]); return 2; }
        a++;
    }
    if (!out || warmup < 0 || events < 1 || rate < 0) {
        fprintf(stderr, "usage: irqbench --out FILE [--rate N (0: back to back)] [--warmup N] [--events N] "
                        "[--warmup-ns NS] [--ns NS] [--spin]\n");
        return 2;
    }
    capacity = warmup + events;
    for (int c = 0; c < COLUMNS; c++) {
        col[c] = calloc((size_t)capacity, sizeof(int64_t));
        if (!col[c]) die("calloc");
        memset(col[c], 0, (size_t)capacity * sizeof(int64_t)); /* touch every page before measuring */
    }
    efd = eventfd(0, EFD_CLOEXEC);
    if (efd < 0) die("eventfd");
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* the stimulus (this thread) sleeps with 1 ns slack */

    pthread_t irq, worker, item;
    if (pthread_create(&irq, NULL, interrupt_thread, NULL)) die("pthread_create");
    if (pthread_create(&worker, NULL, worker_thread, NULL)) die("pthread_create");
    if (pthread_create(&item, NULL, workitem_thread, NULL)) die("pthread_create");

    int64_t began = now();
    long long w = phase(0, warmup, rate, warmup_ns);
    long long total = phase(w, w + events, rate, run_ns);
    int64_t elapsed = now() - began;

    atomic_store(&stop, 1);
    static const uint64_t one = 1;
    if (write(efd, &one, sizeof one) != sizeof one) die("write(eventfd)");
    pthread_mutex_lock(&worker_mutex);
    pthread_cond_broadcast(&worker_cond);
    pthread_mutex_unlock(&worker_mutex);
    pthread_mutex_lock(&item_mutex);
    pthread_cond_broadcast(&item_cond);
    pthread_mutex_unlock(&item_mutex);
    pthread_join(irq, NULL);
    pthread_join(worker, NULL);
    pthread_join(item, NULL);

    FILE *f = fopen(out, "wb");
    if (!f) die(out);
    int32_t version = 1, columns = COLUMNS;
    int64_t hdr[2] = {w, total};
    fwrite("JAHCIIRQ", 1, 8, f);
    fwrite(&version, sizeof version, 1, f);
    fwrite(&columns, sizeof columns, 1, f);
    fwrite(hdr, sizeof hdr[0], 2, f);
    for (int c = 0; c < COLUMNS; c++) {
        if (fwrite(col[c], sizeof(int64_t), (size_t)total, f) != (size_t)total) die("fwrite");
    }
    if (fclose(f)) die("fclose");
    printf("irqbench: %lld warm-up + %lld measured events in %.3f s (%s workers, rate %s)\n", w, total - w,
           elapsed / 1e9, spin ? "spinning" : "parked", rate > 0 ? "fixed" : "back to back");
    return 0;
}
