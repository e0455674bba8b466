/*
 * irqbench: the C floor for `jahci bench irq`. The same interrupt-to-worker pipeline as the Java
 * port layer, with pthreads and an eventfd, measured the same way:
 *
 *   stimulus thread --write(eventfd)--> "interrupt" thread (epoll_wait, read)
 *        takes the ISR mutex (the interrupt lock) = ISR
 *        hands off to the worker thread (pthread cond; a spinning worker polls instead, see --wait)
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
 * Waiting (--wait, the same modes as the port layer's WaitMode): the interrupt thread and the worker
 * thread either block (epoll_wait(-1), pthread_cond_wait), spin (epoll_wait(0) / polling isr_upto
 * in a loop), or spin for a window and then block (hybrid:MICROS; plain hybrid adapts the window
 * as io.jahci.ataport.Spinner does: it starts at 2 us; after a wait the spin missed, it grows to
 * twice that wait if the wait was under 50 us, else it halves, never below 2 us). A spinning thread calls sched_yield every 10 us so that a SCHED_FIFO thread of the
 * same priority on the same CPU can run. The work-item thread always blocks.
 *
 * Placement (--pin-stimulus/--pin-irq/--pin-worker/--pin-workitem CPU, --rt-priority N, --mlockall):
 * each thread applies its own settings when it starts (sched_setaffinity, sched_setscheduler
 * SCHED_FIFO), as the Java port threads do. After the measured events, while every thread still
 * runs, the stimulus reads each thread's settings back from the kernel by its tid and its CPU time
 * over the measured events, and prints one line per thread on stdout:
 *   thread ROLE tid=N policy=SCHED_X priority=N cpus=LIST cpu_ns=N
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
 * Usage: irqbench --out FILE [--rate N] [--warmup N] [--events N] [--warmup-ns NS] [--ns NS]
 *                 [--wait block|spin|hybrid[:MICROS]] [--pin-ROLE CPU]... [--rt-priority N] [--mlockall]
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
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { INTENDED, SEND, WAKE, ISR, WORKER, SYNC, WORKITEM, COLUMNS };

static int64_t *col[COLUMNS];
static int64_t capacity;
static int efd;
static atomic_int stop;

enum wait_kind { WAIT_BLOCK, WAIT_SPIN, WAIT_HYBRID };
static enum wait_kind wait_kind;
static int64_t hybrid_ns;                 /* fixed hybrid window; 0: adaptive */
#define ADAPTIVE_CAP_NS 50000LL
#define ADAPTIVE_PROBE_NS 2000LL
#define YIELD_NS 10000LL

enum role { R_STIMULUS, R_IRQ, R_WORKER, R_WORKITEM, ROLES };
static const char *role_name[ROLES] = {"stimulus", "irq", "dispatch", "workitem"};
static int pin[ROLES] = {-1, -1, -1, -1};
static int rt_priority;
static atomic_int tid[ROLES];
static pthread_t handle[ROLES];

/* One waiting thread's spin state (io.jahci.ataport.Spinner). */
struct spinner { int64_t window; int64_t started; };

static atomic_llong sent;         /* events signalled (stimulus) */
static atomic_llong isr_upto;     /* events the ISR has seen */
static atomic_llong worker_upto;  /* events the worker stage has finished */
static atomic_llong done;         /* events the work-item stage has finished */

static pthread_mutex_t isr_lock = PTHREAD_MUTEX_INITIALIZER;      /* the interrupt lock */
static pthread_mutex_t worker_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t worker_cond = PTHREAD_COND_INITIALIZER;
static int worker_waiting; /* guarded by worker_mutex: the worker is (about to be) in pthread_cond_wait */
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

/* The calling thread takes its role's CPU and SCHED_FIFO priority, and publishes its tid. */
static void apply_role(enum role r) {
    char name[16];
    snprintf(name, sizeof name, "irqbench-%s", role_name[r]);   /* /proc/PID/task/TID/comm, 15 chars */
    prctl(PR_SET_NAME, name, 0, 0, 0);
    atomic_store(&tid[r], (int)syscall(SYS_gettid));
    handle[r] = pthread_self();
    if (pin[r] >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(pin[r], &set);
        if (sched_setaffinity(0, sizeof set, &set)) die("sched_setaffinity");
    }
    if (rt_priority > 0) {
        struct sched_param p = {.sched_priority = rt_priority};
        if (sched_setscheduler(0, SCHED_FIFO, &p)) {
            if (errno == EPERM) {
                fprintf(stderr, "irqbench: sched_setscheduler(SCHED_FIFO, %d): EPERM: real-time scheduling needs "
                                "CAP_SYS_NICE or `ulimit -r %d`\n", rt_priority, rt_priority);
                exit(1);
            }
            die("sched_setscheduler");
        }
    }
}

static struct spinner new_spinner(void) {
    struct spinner s = {0, 0};
    switch (wait_kind) {
    case WAIT_BLOCK: s.window = 0; break;
    case WAIT_SPIN: s.window = INT64_MAX; break;
    default: s.window = hybrid_ns > 0 ? hybrid_ns : ADAPTIVE_PROBE_NS; break;
    }
    return s;
}

static int64_t now(void);

/* Polls ready(arg) for the spinner's window; returns 1 if it came true (else the caller blocks,
 * then calls spin_woke). */
static int spin(struct spinner *s, int (*ready)(void *), void *arg) {
    int64_t window = s->window;
    int64_t t = now();
    s->started = t;
    if (window == 0) return 0;
    int64_t last_yield = t;
    for (;;) {
        if (ready(arg)) return 1;
        __builtin_ia32_pause();
        t = now();
        if (t - s->started >= window) return 0;
        if (t - last_yield >= YIELD_NS) {
            sched_yield();
            last_yield = t;
        }
    }
}

/* The caller blocked after spin returned 0 and was woken: adapt the window (adaptive hybrid only). */
static void spin_woke(struct spinner *s) {
    if (wait_kind != WAIT_HYBRID || hybrid_ns > 0) return;
    int64_t waited = now() - s->started;
    if (waited <= ADAPTIVE_CAP_NS) {
        int64_t grown = 2 * waited > s->window ? 2 * waited : s->window;
        s->window = grown < ADAPTIVE_CAP_NS ? grown : ADAPTIVE_CAP_NS;
    } else {
        s->window = s->window / 2 > ADAPTIVE_PROBE_NS ? s->window / 2 : ADAPTIVE_PROBE_NS;
    }
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

struct poll_state { int ep; struct epoll_event out; int n; };

static int poll_once(void *arg) {
    struct poll_state *p = arg;
    p->n = epoll_wait(p->ep, &p->out, 1, 0);
    return p->n != 0; /* an event, or an error for the caller to see */
}

static void *interrupt_thread(void *arg) {
    (void)arg;
    apply_role(R_IRQ);
    struct spinner spinner = new_spinner();
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = efd};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) < 0) die("epoll_ctl");
    long long seen = 0;
    struct poll_state poll = {.ep = ep};
    for (;;) {
        int n;
        if (spin(&spinner, poll_once, &poll)) {
            n = poll.n;
        } else {
            n = epoll_wait(ep, &poll.out, 1, -1);
            spin_woke(&spinner);
        }
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
        if (wait_kind != WAIT_SPIN) {   /* a spinning worker never waits: nothing to wake */
            pthread_mutex_lock(&worker_mutex);
            if (worker_waiting) pthread_cond_signal(&worker_cond);
            pthread_mutex_unlock(&worker_mutex);
        }
        pthread_mutex_unlock(&isr_lock);
    }
    close(ep);
    return NULL;
}

static int isr_moved(void *handled) {
    return atomic_load_explicit(&isr_upto, memory_order_acquire) != *(long long *)handled || atomic_load(&stop);
}

static void *worker_thread(void *arg) {
    (void)arg;
    apply_role(R_WORKER);
    struct spinner spinner = new_spinner();
    long long handled = 0;
    for (;;) {
        long long upto;
        if (!spin(&spinner, isr_moved, &handled)) {
            pthread_mutex_lock(&worker_mutex);
            worker_waiting = 1;
            while ((upto = atomic_load_explicit(&isr_upto, memory_order_acquire)) == handled && !atomic_load(&stop)) {
                pthread_cond_wait(&worker_cond, &worker_mutex);
            }
            worker_waiting = 0;
            pthread_mutex_unlock(&worker_mutex);
            spin_woke(&spinner);
        }
        upto = atomic_load_explicit(&isr_upto, memory_order_acquire);
        if (upto == handled) break; /* stop */
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
    apply_role(R_WORKITEM);
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

static int64_t thread_cpu_ns(enum role r) {
    clockid_t clock;
    struct timespec ts;
    if (pthread_getcpuclockid(handle[r], &clock) || clock_gettime(clock, &ts)) die("thread CPU clock");
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static const char *policy_name(int policy) {
    switch (policy) {
    case SCHED_OTHER: return "SCHED_OTHER";
    case SCHED_FIFO: return "SCHED_FIFO";
    case SCHED_RR: return "SCHED_RR";
    case SCHED_BATCH: return "SCHED_BATCH";
    case SCHED_IDLE: return "SCHED_IDLE";
    default: return "SCHED_unknown";
    }
}

/* One line per thread: its settings read back from the kernel by tid, and its CPU time since cpu0. */
static void print_threads(const int64_t *cpu0) {
    for (int r = 0; r < ROLES; r++) {
        int t = atomic_load(&tid[r]);
        cpu_set_t set;
        struct sched_param p;
        int policy = sched_getscheduler(t);
        if (policy < 0 || sched_getparam(t, &p) || sched_getaffinity(t, sizeof set, &set)) die("read back scheduling");
        char cpus[256] = "";
        size_t len = 0;
        for (int c = 0; c < CPU_SETSIZE && len < sizeof cpus - 16; c++) {
            if (!CPU_ISSET(c, &set)) continue;
            int last = c;
            while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, &set)) last++;
            len += (size_t)snprintf(cpus + len, sizeof cpus - len, last > c ? "%s%d-%d" : "%s%d", len ? "," : "", c, last);
            c = last;
        }
        printf("thread %s tid=%d policy=%s priority=%d cpus=%s cpu_ns=%lld\n", role_name[r], t, policy_name(policy),
               p.sched_priority, cpus, (long long)(thread_cpu_ns((enum role)r) - cpu0[r]));
    }
}

static int parse_wait(const char *v) {
    if (!strcmp(v, "block")) wait_kind = WAIT_BLOCK;
    else if (!strcmp(v, "spin")) wait_kind = WAIT_SPIN;
    else if (!strcmp(v, "hybrid")) wait_kind = WAIT_HYBRID;
    else if (!strncmp(v, "hybrid:", 7) && atoll(v + 7) > 0) { wait_kind = WAIT_HYBRID; hybrid_ns = atoll(v + 7) * 1000; }
    else return -1;
    return 0;
}

int main(int argc, char **argv) {
    const char *out = NULL;
    int lock_memory = 0;
    double rate = 10000;
    long long warmup = 10000, events = 10000;
    int64_t warmup_ns = 0, run_ns = 0;
    for (int a = 1; a < argc; a++) {
        const char *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (!strcmp(argv[a], "--mlockall")) { lock_memory = 1; continue; }
        if (!v) { fprintf(stderr, "irqbench: %s needs a value\n", argv[a]); return 2; }
        if (!strcmp(argv[a], "--out")) out = v;
        else if (!strcmp(argv[a], "--rate")) rate = atof(v);
        else if (!strcmp(argv[a], "--warmup")) warmup = atoll(v);
        else if (!strcmp(argv[a], "--events")) events = atoll(v);
        else if (!strcmp(argv[a], "--warmup-ns")) warmup_ns = atoll(v);
        else if (!strcmp(argv[a], "--ns")) run_ns = atoll(v);
        else if (!strcmp(argv[a], "--wait")) { if (parse_wait(v)) { fprintf(stderr, "irqbench: --wait %s\n", v); return 2; } }
        else if (!strcmp(argv[a], "--rt-priority")) rt_priority = atoi(v);
        else if (!strcmp(argv[a], "--pin-stimulus")) pin[R_STIMULUS] = atoi(v);
        else if (!strcmp(argv[a], "--pin-irq")) pin[R_IRQ] = atoi(v);
        else if (!strcmp(argv[a], "--pin-dispatch")) pin[R_WORKER] = atoi(v);
        else if (!strcmp(argv[a], "--pin-workitem")) pin[R_WORKITEM] = atoi(v);
        else { fprintf(stderr, "irqbench: unknown option %s\n", argv[a]); return 2; }
        a++;
    }
    if (!out || warmup < 0 || events < 1 || rate < 0) {
        fprintf(stderr, "usage: irqbench --out FILE [--rate N (0: back to back)] [--warmup N] [--events N] "
                        "[--warmup-ns NS] [--ns NS] [--wait block|spin|hybrid[:MICROS]] [--pin-stimulus|--pin-irq|"
                        "--pin-dispatch|--pin-workitem CPU] [--rt-priority N] [--mlockall]\n");
        return 2;
    }
    if (lock_memory && mlockall(MCL_CURRENT | MCL_FUTURE)) die("mlockall");
    apply_role(R_STIMULUS);
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
    int64_t cpu0[ROLES];
    for (int r = 0; r < ROLES; r++) cpu0[r] = thread_cpu_ns((enum role)r);
    long long total = phase(w, w + events, rate, run_ns);
    int64_t elapsed = now() - began;
    print_threads(cpu0);

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
    static const char *kinds[] = {"block", "spin", "hybrid"};
    printf("irqbench: %lld warm-up + %lld measured events in %.3f s (wait %s, rate %s)\n", w, total - w,
           elapsed / 1e9, kinds[wait_kind], rate > 0 ? "fixed" : "back to back");
    return 0;
}
