#ifndef CRM_LUA_H
#define CRM_LUA_H

#include <stddef.h>
#include <stdint.h>
#include <lua5.4/lua.h>

/// Why a call into a state was stopped by the host rather than by the script.
enum crm_lua_stop {
    CRM_STOP_NONE = 0,
    CRM_STOP_INSTRUCTIONS = 1,
    CRM_STOP_DEADLINE = 2,
    CRM_STOP_MEMORY = 3,
};

/// Per-state bookkeeping shared by the allocator, the count hook and the
/// host-function trampoline. One lives beside each lua_State, owned by Swift.
typedef struct crm_lua_ctx {
    /* memory */
    size_t memory_used;
    size_t memory_limit;          /* bytes; 0 = unlimited */
    size_t memory_peak;
    int enforce;                  /* the cap applies only while script code runs */
    void *refused_block;          /* the last growth refused: Lua retries it once after */
    size_t refused_size;          /*   an emergency collection; a second refusal is final */

    /* budget of the call in flight */
    int64_t instruction_limit;    /* 0 = unlimited */
    int64_t instructions_left;
    uint64_t deadline_ns;         /* CLOCK_MONOTONIC; 0 = none */
    int stop;                     /* enum crm_lua_stop, sticky until the next call */
    char stop_where[160];         /* "chunk:line" where the stop was noticed */

    /* caps on string functions that loop in C, out of the hook's reach */
    int64_t rep_limit;            /* bytes of a string.rep result */
    int64_t pattern_subject_limit;/* bytes of a subject given to find/match/gmatch/gsub */
    int64_t pattern_limit;        /* bytes of a pattern */

    /* the clock scripts see through os.time/os.date; 0 = the real clock */
    double fixed_now;

    /* warnings from lua_warning, rate-limited by the host */
    char warning[512];
    size_t warning_len;

    lua_State *running;           /* thread last seen by the hook, for positions; kept
                                     alive by the registry so it is never dangling */
    void *owner;                  /* the Swift object that owns this state */

    lua_State *main;              /* the state's main thread */
    lua_State *executing;         /* the thread running script code now: the main thread,
                                     or the coroutine the sandbox resumed or is closing */
    int64_t host_units;           /* work a host function reports, charged once it returns */

    /* the shared watchdog's view of the call in flight (crm_watchdog.c) */
    int expired;                  /* set by the watchdog once the deadline passed */
    uint64_t watch_at_ns;         /* when the watchdog signals (again) */
    unsigned long watch_thread;   /* the system thread running the call */
    struct crm_lua_ctx *watch_prev, *watch_next;
} crm_lua_ctx;

/// A host function: reads its arguments with non-raising API calls, pushes its
/// results, and returns how many. Returns CRM_HOST_ERROR (message on top,
/// position added) or CRM_HOST_RAISE (value on top raised as is) to fail; C
/// raises the error after the Swift frame has returned.
typedef int (*crm_host_dispatch)(lua_State *L, void *owner, int function_id);
#define CRM_HOST_ERROR (-1)
#define CRM_HOST_RAISE (-2)
/* The arguments or the results would pass the state's memory cap: the call
   stops with "memory limit exceeded", like an allocation the cap refused. */
#define CRM_HOST_MEMORY (-3)

/// What a script wrote to the log: a warning (`warn`) or a line of `print`.
enum crm_log_kind {
    CRM_LOG_WARNING = 0,
    CRM_LOG_PRINT = 1,
};

/// Called with each complete warning message (lua_warning's pieces joined) and
/// each line of `print`. It must not call into Lua.
typedef void (*crm_warning_sink)(void *owner, int kind, const char *message, size_t length);

/// Finds the text of a module for `require`: pushes its code and its chunk name
/// and returns 1, or pushes a message naming the places searched and returns 0.
/// Runs with the memory cap off and must push exactly what it says.
typedef int (*crm_module_source)(lua_State *L, void *owner, const char *name, size_t length);

void crm_set_dispatch(crm_host_dispatch dispatch);
void crm_set_warning_sink(crm_warning_sink sink);
void crm_set_module_source(crm_module_source source);

/// A new state whose allocations are accounted in ctx and capped while scripts run.
/// NULL when the state or the shared watchdog cannot be created.
lua_State *crm_newstate(crm_lua_ctx *ctx);

/// Arms the budget for the next call: instructions, an optional deadline, which
/// the shared watchdog enforces from outside while the call runs.
void crm_begin_call(lua_State *L, int64_t instructions, uint64_t deadline_ns);

/// lua_pcall with a traceback handler, under the memory cap. The handler never
/// runs metamethods, so a hostile error object cannot loop in it.
int crm_pcall(lua_State *L, int nargs, int nresults);

/// luaL_loadbufferx in text mode only, under the memory cap.
int crm_load(lua_State *L, const char *code, size_t length, const char *chunkname);

/// Pushes a C closure that forwards to the dispatch function with (owner, id).
void crm_push_host_function(lua_State *L, void *owner, int function_id);

/// Turns the state's globals into the sandbox: an empty table whose __index
/// reaches a frozen set of libraries: base (without dofile, loadfile, collectgarbage but
/// "count"; print goes to the warning sink), string (capped, without dump), table, math,
/// utf8, coroutine, and os with time, date and clock only. The string metatable is
/// locked and setmetatable refuses __gc. `load` is text-only.
/// Leaves the stack as it found it.
void crm_open_sandbox(lua_State *L);

/// Makes the table on top of the stack read-only in place: its contents move to
/// a hidden table reached through __index; writes and rawset raise errors.
void crm_freeze(lua_State *L, int index);

uint64_t crm_monotonic_ns(void);

/// lua_gc is variadic, which Swift cannot call.
void crm_collect_garbage(lua_State *L);
size_t crm_memory_in_use(lua_State *L);

/// Macros of lua.h that Swift cannot import.
static inline int crm_registry_index(void) { return LUA_REGISTRYINDEX; }
static inline int crm_upvalue_index(int i) { return lua_upvalueindex(i); }
static inline int crm_pop(lua_State *L, int n) { lua_settop(L, -(n) - 1); return 0; }

#endif
