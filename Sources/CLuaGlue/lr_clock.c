/* See lr_clock.h. One record per thread that ever ran Lua: its timer, and the context its
 * signal watches. The record is found through a thread-local pointer (initial-exec TLS: safe
 * to read in a signal handler) and freed by a pthread key destructor when the thread exits
 * (tests make and drop many event loop groups). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lr_clock.h"
#include "lr_state.h"

typedef struct lr_thread_clock {
    timer_t timer;
    struct lr_ctx *volatile watched;
    struct lr_thread_clock *next, *prev;     /* every live record, for lr_clock_describe_running */
} lr_thread_clock;

static __thread lr_thread_clock *lr_this_thread __attribute__((tls_model("initial-exec")));
static __thread int lr_start_error __attribute__((tls_model("initial-exec")));

static pthread_once_t lr_clock_once = PTHREAD_ONCE_INIT;
static pthread_key_t lr_clock_key;
static int lr_signal;                        /* 0: no free signal, the limits cannot be enforced */
static pthread_mutex_t lr_records_lock = PTHREAD_MUTEX_INITIALIZER;
static lr_thread_clock *lr_records;

static void lr_clock_tick(int sig, siginfo_t *info, void *context) {
    (void)sig; (void)info; (void)context;
    lr_thread_clock *t = lr_this_thread;
    if (!t) return;
    struct lr_ctx *c = t->watched;
    if (!c) return;
    int saved = errno;
    lr_limits_tick(c);
    errno = saved;
}

static void lr_clock_thread_end(void *value) {
    lr_thread_clock *t = value;
    lr_this_thread = NULL;                   /* first: a tick now finds nothing */
    timer_delete(t->timer);
    pthread_mutex_lock(&lr_records_lock);
    if (t->prev) t->prev->next = t->next; else lr_records = t->next;
    if (t->next) t->next->prev = t->prev;
    pthread_mutex_unlock(&lr_records_lock);
    free(t);
}

/* The first real-time signal from SIGRTMIN+4 up that nobody handles yet (glibc keeps the ones
 * below SIGRTMIN for itself; valgrind takes the top ones; NIO, Dispatch and the Swift runtime
 * use none of them). */
static void lr_clock_install(void) {
    if (pthread_key_create(&lr_clock_key, lr_clock_thread_end) != 0) return;
    for (int s = SIGRTMIN + 4; s <= SIGRTMAX - 4; s++) {
        struct sigaction old;
        if (sigaction(s, NULL, &old) != 0) continue;
        if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL) continue;
        struct sigaction action;
        memset(&action, 0, sizeof action);
        sigemptyset(&action.sa_mask);
        action.sa_sigaction = lr_clock_tick;
        action.sa_flags = SA_SIGINFO | SA_RESTART;
        if (sigaction(s, &action, NULL) == 0) {
            lr_signal = s;
            return;
        }
    }
}

int lr_clock_signal(void) {
    pthread_once(&lr_clock_once, lr_clock_install);
    return lr_signal;
}

int lr_clock_thread_start(void) {
    if (lr_this_thread) return 0;
    int sig = lr_clock_signal();
    if (!sig) return EAGAIN;
    lr_thread_clock *t = calloc(1, sizeof *t);
    if (!t) return ENOMEM;
    struct sigevent event;
    memset(&event, 0, sizeof event);
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = sig;
    event._sigev_un._tid = gettid();
    if (timer_create(CLOCK_THREAD_CPUTIME_ID, &event, &t->timer) != 0) {
        int error = errno;
        free(t);
        return error;
    }
    /* Threads of libdispatch's pool block most signals: this one must get through. */
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, sig);
    pthread_sigmask(SIG_UNBLOCK, &only, NULL);
    pthread_mutex_lock(&lr_records_lock);
    t->next = lr_records;
    if (lr_records) lr_records->prev = t;
    lr_records = t;
    pthread_mutex_unlock(&lr_records_lock);
    pthread_setspecific(lr_clock_key, t);
    lr_this_thread = t;
    struct itimerspec every = {
        .it_interval = {.tv_sec = 0, .tv_nsec = LR_CLOCK_TICK_NS},
        .it_value = {.tv_sec = 0, .tv_nsec = LR_CLOCK_TICK_NS},
    };
    if (timer_settime(t->timer, 0, &every, NULL) != 0) return errno;
    return 0;
}

struct lr_ctx *lr_clock_watch(struct lr_ctx *ctx) {
    lr_thread_clock *t = lr_this_thread;
    if (!t) {
        if (!ctx || lr_start_error) return NULL;     /* a failed thread tries once only */
        lr_start_error = lr_clock_thread_start();
        t = lr_this_thread;
        if (!t) return NULL;
    }
    struct lr_ctx *before = t->watched;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);     /* ctx is fully set up before a tick can see it */
    t->watched = ctx;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    return before;
}

int lr_clock_describe_running(char *buf, size_t cap) {
    int count = 0;
    size_t used = 0;
    if (cap) buf[0] = '\0';
    pthread_mutex_lock(&lr_records_lock);
    for (lr_thread_clock *t = lr_records; t; t = t->next) {
        struct lr_ctx *c = t->watched;
        if (!c) continue;
        const char *label = c->label ? c->label : "(module scope or config)";
        size_t need = strlen(label) + (count ? 2 : 0);
        if (used + need + 1 <= cap) {
            if (count) memcpy(buf + used, ", ", 2);
            memcpy(buf + used + (count ? 2 : 0), label, strlen(label) + 1);
            used += need;
        }
        count++;
    }
    pthread_mutex_unlock(&lr_records_lock);
    return count;
}

typedef struct lr_label { struct lr_label *next; char name[]; } lr_label;
static lr_label *lr_labels;

const char *lr_clock_intern(const char *name) {
    pthread_mutex_lock(&lr_records_lock);
    lr_label *l = lr_labels;
    while (l && strcmp(l->name, name) != 0) l = l->next;
    if (!l) {
        size_t len = strlen(name);
        l = malloc(sizeof *l + len + 1);
        if (l) {
            memcpy(l->name, name, len + 1);
            l->next = lr_labels;
            lr_labels = l;
        }
    }
    pthread_mutex_unlock(&lr_records_lock);
    return l ? l->name : NULL;
}
