/* The per-call budget: instruction count and deadline through a count hook that
   stays armed once it fires, so a script's pcall cannot swallow the stop. The
   hook also reads the shared watchdog's mark, which the watchdog sets at the
   deadline while arming the hook to fire at once (crm_watchdog.c). */
#include "crm_internal.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

#define HOOK_INTERVAL 1000

uint64_t crm_monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

void crm_record_where(lua_State *L, char *out, size_t size) {
    lua_Debug ar;
    for (int level = 0; lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
            snprintf(out, size, "%s:%d", ar.short_src, ar.currentline);
            return;
        }
    }
    out[0] = '\0';
}

static const char *stop_message(crm_lua_ctx *ctx) {
    switch (ctx->stop) {
    case CRM_STOP_INSTRUCTIONS: return "instruction limit exceeded";
    case CRM_STOP_DEADLINE: return "time limit exceeded";
    case CRM_STOP_MEMORY: return "memory limit exceeded";
    default: return "stopped";
    }
}

static void count_hook(lua_State *L, lua_Debug *ar);

const char crm_hookless_mark = 0;

void crm_arm_hook(lua_State *L) { lua_sethook(L, count_hook, LUA_MASKCOUNT, 1); }

/* Raises the sticky stop as an error "chunk:line: <limit> exceeded". The
   message is pushed with the cap off so it arrives whole even at the memory
   limit, and the hook fires again on this thread's next instruction, so a
   pcall, an xpcall handler or a __close that catches it stops again at once. */
static int raise_stop(lua_State *L, crm_lua_ctx *ctx) {
    if (ctx->stop_where[0] == '\0') crm_record_where(L, ctx->stop_where, sizeof ctx->stop_where);
    crm_arm_hook(L);
    int enforce = ctx->enforce;
    ctx->enforce = 0;
    if (ctx->stop_where[0]) lua_pushfstring(L, "%s: %s", ctx->stop_where, stop_message(ctx));
    else lua_pushstring(L, stop_message(ctx));
    ctx->enforce = enforce;
    return lua_error(L);
}

int crm_raise_stop(lua_State *L) { return raise_stop(L, crm_ctx(L)); }

/* Takes `units` from the budget; sets the stop when the budget is exhausted or
   the deadline passed: as the watchdog marked it, or for large charges, as the
   clock says (should the watchdog be late). Returns whether the call must stop. */
static int spend(lua_State *L, crm_lua_ctx *ctx, int64_t units) {
    if (ctx->stop != CRM_STOP_NONE) return 1;
    ctx->instructions_left -= units;
    if (ctx->instruction_limit > 0 && ctx->instructions_left <= 0)
        ctx->stop = CRM_STOP_INSTRUCTIONS;
    else if (crm_expired(ctx)
             || (units >= HOOK_INTERVAL && ctx->deadline_ns != 0 && crm_monotonic_ns() > ctx->deadline_ns))
        ctx->stop = CRM_STOP_DEADLINE;
    else
        return 0;
    crm_record_where(L, ctx->stop_where, sizeof ctx->stop_where);
    return 1;
}

static void count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    crm_lua_ctx *ctx = crm_ctx(L);
    crm_note_running(L, ctx);
    if (ctx->stop == CRM_STOP_NONE && lua_gethookcount(L) != HOOK_INTERVAL) {
        /* Armed by an earlier stop, or by the watchdog's signal: back to the
           normal pace unless the deadline passed. The mark is read after the
           reset, since the signal may have landed inside it. */
        lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_INTERVAL);
        if (!crm_expired(ctx)) return;
    }
    if (spend(L, ctx, HOOK_INTERVAL)) {
        /* The longjmp out of this hook leaves hooks off on L for good, which
           only a protected call on L itself undoes: the main thread always
           has one (crm_pcall), a coroutine is marked. */
        if (L != ctx->main) crm_mark_hookless(L);
        raise_stop(L, ctx);
    }
}

void crm_charge(lua_State *L, double units) {
    crm_lua_ctx *ctx = crm_ctx(L);
    int64_t whole = units >= 9e18 ? INT64_MAX : (int64_t)units;
    if (whole < 1) whole = 1;
    if (spend(L, ctx, whole)) raise_stop(L, ctx);
}

void crm_begin_call(lua_State *L, int64_t instructions, uint64_t deadline_ns) {
    crm_lua_ctx *ctx = crm_ctx(L);
    ctx->instruction_limit = instructions;
    ctx->instructions_left = instructions;
    ctx->deadline_ns = deadline_ns;
    ctx->stop = CRM_STOP_NONE;
    ctx->stop_where[0] = '\0';
    ctx->refused_size = 0;
    ctx->host_units = 0;
    __atomic_store_n(&ctx->expired, 0, __ATOMIC_RELEASE);
    crm_note_running(L, ctx);
    lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_INTERVAL);
}

/* Message handler: adds a traceback to the message; never calls __tostring.
   An error object that is not a string gets the position of the innermost Lua
   function, which Lua itself only adds to strings. */
static int traceback_handler(lua_State *L) {
    crm_lua_ctx *ctx = crm_ctx(L);
    int enforce = ctx->enforce;
    ctx->enforce = 0;
    const char *message;
    int type = lua_type(L, 1);
    if (type == LUA_TSTRING || type == LUA_TNUMBER) {
        message = lua_tostring(L, 1);
    } else {
        char where[sizeof ctx->stop_where];
        crm_record_where(L, where, sizeof where);
        const char *what = type == LUA_TNIL ? "nil error" : lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
        message = where[0] ? lua_pushfstring(L, "%s: %s", where, what) : what;
    }
    luaL_traceback(L, L, message, 1);
    ctx->enforce = enforce;
    return 1;
}

int crm_pcall(lua_State *L, int nargs, int nresults) {
    crm_lua_ctx *ctx = crm_ctx(L);
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, base);
    crm_lua_ctx *outer = crm_watch_begin(ctx);
    lua_State *outer_executing = ctx->executing;
    ctx->executing = L;
    ctx->enforce = 1;
    int status = lua_pcall(L, nargs, nresults, base);
    ctx->enforce = 0;
    ctx->executing = outer_executing;
    crm_watch_end(ctx, outer);
    lua_remove(L, base);
    if (status == LUA_OK && ctx->stop != CRM_STOP_NONE) {
        /* The script caught the stop with pcall and returned: still a failure. */
        lua_settop(L, base - 1);
        lua_pushstring(L, stop_message(ctx));
        status = LUA_ERRRUN;
    }
    return status;
}

int crm_load(lua_State *L, const char *code, size_t length, const char *chunkname) {
    crm_lua_ctx *ctx = crm_ctx(L);
    ctx->enforce = 1;
    int status = luaL_loadbufferx(L, code, length, chunkname, "t");
    ctx->enforce = 0;
    return status;
}

void crm_collect_garbage(lua_State *L) { lua_gc(L, LUA_GCCOLLECT); }

size_t crm_memory_in_use(lua_State *L) {
    return (size_t)lua_gc(L, LUA_GCCOUNT) * 1024u + (size_t)lua_gc(L, LUA_GCCOUNTB);
}
