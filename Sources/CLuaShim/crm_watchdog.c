/* The shared watchdog: the deadline enforced from outside the script. One
   thread for the whole process watches the calls in flight (only those: a
   state between events costs it nothing). When a call's deadline passes it
   marks the call expired and signals the system thread running it; the signal
   handler, on that thread, arms the count hook of the Lua thread running there
   to fire at its next instruction, as lua.c does for SIGINT. So a single
   instruction whose work grows with a string (a comparison, a concatenation)
   cannot be repeated past the deadline between two regular hook calls, and C
   loops of the sandbox see the mark at their next charge.

   The watchdog never touches a lua_State: lua_sethook walks the thread's call
   frames, which only the system thread running them may do safely. */
#include "crm_internal.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

/* Ignored by default and unused by the host otherwise, so a late signal to a
   thread that has moved on does nothing. */
#define WATCH_SIGNAL SIGURG
/* A call still running this long after its signal is signalled again, in case
   the first one landed while its hook was being reset. */
#define RESIGNAL_NS 20000000u

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake;
static crm_lua_ctx *watched;             /* calls in flight with a deadline */
static uint64_t wake_at = UINT64_MAX;    /* when the watchdog looks next */
static int started;

/* The call in flight on this system thread, for the signal handler. */
static __thread crm_lua_ctx *volatile thread_call;
static __thread int signal_unblocked;

static void on_watch_signal(int signal) {
    (void)signal;
    int saved = errno;
    crm_lua_ctx *ctx = thread_call;
    if (ctx != NULL && crm_expired(ctx) && ctx->executing != NULL) crm_arm_hook(ctx->executing);
    errno = saved;
}

static void *watch(void *unused) {
    (void)unused;
    pthread_mutex_lock(&lock);
    for (;;) {
        uint64_t now = crm_monotonic_ns();
        uint64_t next = UINT64_MAX;
        for (crm_lua_ctx *ctx = watched; ctx != NULL; ctx = ctx->watch_next) {
            if (ctx->watch_at_ns <= now) {
                __atomic_store_n(&ctx->expired, 1, __ATOMIC_RELEASE);
                pthread_kill((pthread_t)ctx->watch_thread, WATCH_SIGNAL);
                ctx->watch_at_ns = now + RESIGNAL_NS;
            }
            if (ctx->watch_at_ns < next) next = ctx->watch_at_ns;
        }
        wake_at = next;
        if (next == UINT64_MAX) {
            pthread_cond_wait(&wake, &lock);
        } else {
            struct timespec until = { (time_t)(next / 1000000000u), (long)(next % 1000000000u) };
            pthread_cond_timedwait(&wake, &lock, &until);
        }
    }
    return NULL;
}

static void start(void) {
    struct sigaction action = { 0 };
    action.sa_handler = on_watch_signal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(WATCH_SIGNAL, &action, NULL) != 0) return;

    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    pthread_cond_init(&wake, &attributes);
    pthread_condattr_destroy(&attributes);

    /* The watchdog itself never takes the signal. */
    sigset_t blocked, previous;
    sigfillset(&blocked);
    pthread_sigmask(SIG_SETMASK, &blocked, &previous);
    pthread_attr_t thread_attributes;
    pthread_attr_init(&thread_attributes);
    pthread_attr_setdetachstate(&thread_attributes, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&thread_attributes, 64 << 10);
    pthread_t thread;
    started = pthread_create(&thread, &thread_attributes, watch, NULL) == 0;
    pthread_attr_destroy(&thread_attributes);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
}

int crm_watchdog_start(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, start);
    return started;
}

crm_lua_ctx *crm_watch_begin(crm_lua_ctx *ctx) {
    crm_lua_ctx *outer = thread_call;
    thread_call = ctx;
    if (ctx->deadline_ns == 0) return outer;
    if (!signal_unblocked) {
        /* Threads of thread pools often start with every signal blocked. */
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, WATCH_SIGNAL);
        pthread_sigmask(SIG_UNBLOCK, &set, NULL);
        signal_unblocked = 1;
    }
    ctx->watch_thread = (unsigned long)pthread_self();
    ctx->watch_at_ns = ctx->deadline_ns;
    pthread_mutex_lock(&lock);
    ctx->watch_prev = NULL;
    ctx->watch_next = watched;
    if (watched != NULL) watched->watch_prev = ctx;
    watched = ctx;
    /* The watchdog sleeps until the earliest deadline it knows; it is woken
       only when this one comes sooner, which a steady flow of calls with the
       same time limit never needs. */
    if (ctx->watch_at_ns < wake_at) {
        wake_at = ctx->watch_at_ns;
        pthread_cond_signal(&wake);
    }
    pthread_mutex_unlock(&lock);
    return outer;
}

void crm_watch_end(crm_lua_ctx *ctx, crm_lua_ctx *outer) {
    if (ctx->deadline_ns != 0) {
        pthread_mutex_lock(&lock);
        if (ctx->watch_prev != NULL) ctx->watch_prev->watch_next = ctx->watch_next;
        else watched = ctx->watch_next;
        if (ctx->watch_next != NULL) ctx->watch_next->watch_prev = ctx->watch_prev;
        ctx->watch_prev = ctx->watch_next = NULL;
        pthread_mutex_unlock(&lock);
    }
    thread_call = outer;
}
