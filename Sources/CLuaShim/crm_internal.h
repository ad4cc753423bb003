#ifndef CRM_INTERNAL_H
#define CRM_INTERNAL_H

#include "crm_lua.h"
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>

static inline crm_lua_ctx *crm_ctx(lua_State *L) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return (crm_lua_ctx *)ud;
}

/* The registry key that keeps ctx->running alive. */
extern const char crm_running_key;

/* Remembers `L` as the running thread, anchoring it so a later walk of its
   stack never reads a collected thread. Needs one free stack slot. */
static inline void crm_note_running(lua_State *L, crm_lua_ctx *ctx) {
    if (ctx->running == L) return;
    lua_pushthread(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &crm_running_key);
    ctx->running = L;
}

/* Passes a warning or a line of print to the host's sink, cut to a sane length. */
void crm_emit_log(lua_State *L, int kind, const char *text, size_t length);

/* Records "chunk:line" of the innermost Lua function of `L` into `out`. */
void crm_record_where(lua_State *L, char *out, size_t size);

/* Runs upvalue 1 (the wrapped library function) in the wrapper's own frame,
   on the same arguments, so its errors carry the script's position and the
   function's name ("bad argument #1 to 'find'"), as if it had been called
   directly. Library functions of the sandbox use no upvalues of their own. */
static inline int crm_forward_upvalue(lua_State *L) {
    return lua_tocfunction(L, lua_upvalueindex(1))(L);
}

/* Replaces the function `name` of the table at absolute index `table` by
   `wrapper`, which reaches the original as upvalue 1 (see crm_forward_upvalue). */
static inline void crm_wrap_field(lua_State *L, int table, const char *name, lua_CFunction wrapper) {
    lua_getfield(L, table, name);
    lua_pushcclosure(L, wrapper, 1);
    lua_setfield(L, table, name);
}

/* Charges work a C function does in a loop, out of the count hook's sight, to
   the call's instruction budget; raises the stop when the budget (or, for
   large charges, the time) runs out. Only from C functions called by Lua. */
void crm_charge(lua_State *L, double units);

/* Raises the call's sticky stop (ctx->stop is set) as "chunk:line: <limit>
   exceeded", and arms this thread's hook to raise it again at its next
   instruction, so no handler that catches it can go on. */
int crm_raise_stop(lua_State *L);

/* Arms the count hook of `L` to fire at its next instruction. Safe inside a
   signal handler on the system thread running `L`, as lua.c's SIGINT handler. */
void crm_arm_hook(lua_State *L);

/* Lua turns hooks off while one runs and the stop's longjmp out of the count
   hook skips turning them back on; lua_resume and closing a coroutine never
   do it either. A coroutine the hook stopped is therefore marked, in the
   per-thread extra space Lua copies to new threads from the main thread only
   (never marked), and none of its code runs again: see crm_coroutines.c. */
extern const char crm_hookless_mark;
static inline void crm_mark_hookless(lua_State *L) {
    *(const void **)lua_getextraspace(L) = &crm_hookless_mark;
}
static inline int crm_is_hookless(lua_State *L) {
    return *(const void **)lua_getextraspace(L) == &crm_hookless_mark;
}

/* Whether the shared watchdog found the call's deadline passed. */
static inline int crm_expired(crm_lua_ctx *ctx) {
    return __atomic_load_n(&ctx->expired, __ATOMIC_ACQUIRE);
}

/* Starts the shared watchdog once per process; 0 when it cannot run. */
int crm_watchdog_start(void);

/* Puts the call of `ctx` in flight on this system thread under the
   watchdog's eye until crm_watch_end; returns the call it nests in, if any. */
crm_lua_ctx *crm_watch_begin(crm_lua_ctx *ctx);
void crm_watch_end(crm_lua_ctx *ctx, crm_lua_ctx *outer);

/* Replaces resume, wrap and close of the coroutine library at `index` by
   versions that track the running thread and never run code on a coroutine
   the budget stopped. */
void crm_cap_coroutine_library(lua_State *L, int index);

/* Wraps the functions `names` of the table at `index` so each call is charged
   by the size of its arguments and results (see crm_sizes.c). */
void crm_charge_by_size(lua_State *L, int index, const char *const *names);

/* Installs the capped string functions, and find, match, gmatch and gsub on
   the budgeted matcher, into the string table at `index`. */
void crm_cap_string_library(lua_State *L, int index);

/* Installs the charged table functions into the table library at `index`. */
void crm_cap_table_library(lua_State *L, int index);

/* The sandbox's `require`: modules come as text from the host's module source. */
int crm_require(lua_State *L);

#endif
