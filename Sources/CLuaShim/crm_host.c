/* The error boundary: Swift host functions return a status, C raises the error
   once the Swift frame is gone, so longjmp never crosses Swift. */
#include "crm_internal.h"

static crm_host_dispatch host_dispatch = NULL;

void crm_set_dispatch(crm_host_dispatch dispatch) { host_dispatch = dispatch; }

/* Stops the call at the memory cap from outside the allocator: the results
   (or whatever the host left) are dropped and collected first, so the state
   is back within its cap when the stop unwinds. */
static int stop_at_memory_cap(lua_State *L, crm_lua_ctx *ctx) {
    lua_settop(L, 0);
    lua_gc(L, LUA_GCCOLLECT);
    if (ctx->stop == CRM_STOP_NONE) {
        ctx->stop = CRM_STOP_MEMORY;
        crm_record_where(L, ctx->stop_where, sizeof ctx->stop_where);
    }
    return crm_raise_stop(L);
}

/* Host code pushes its results with the cap off, since a refused allocation
   there would longjmp through Swift; they count against it here instead,
   after a full collection when they do not fit at first (Lua itself collects
   before it gives up on an allocation). That collection is charged by the
   heap it walks. */
static int fits_memory_cap(lua_State *L, crm_lua_ctx *ctx) {
    if (ctx->memory_limit == 0 || ctx->memory_used <= ctx->memory_limit) return 1;
    crm_charge(L, (double)ctx->memory_used / 64.0);
    lua_gc(L, LUA_GCCOLLECT);
    return ctx->memory_used <= ctx->memory_limit;
}

static int trampoline(lua_State *L) {
    crm_lua_ctx *ctx = crm_ctx(L);
    void *owner = lua_touserdata(L, lua_upvalueindex(1));
    int function_id = (int)lua_tointeger(L, lua_upvalueindex(2));
    if (!lua_checkstack(L, 40)) return luaL_error(L, "stack overflow in a host function");
    crm_note_running(L, ctx);
    /* Host code pushes without the cap, so a push can never raise LUA_ERRMEM. */
    int enforce = ctx->enforce;
    ctx->enforce = 0;
    ctx->host_units = 0;
    int results = host_dispatch(L, owner, function_id);
    ctx->enforce = enforce;
    if (results == CRM_HOST_MEMORY) return stop_at_memory_cap(L, ctx);
    /* The host's own work (the bytes it copied out) is charged like a C loop. */
    if (ctx->host_units > 0) crm_charge(L, (double)ctx->host_units);
    if (results == CRM_HOST_ERROR) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
        return lua_error(L);
    }
    if (results == CRM_HOST_RAISE) return lua_error(L);
    if (enforce && !fits_memory_cap(L, ctx)) return stop_at_memory_cap(L, ctx);
    return results;
}

void crm_push_host_function(lua_State *L, void *owner, int function_id) {
    lua_pushlightuserdata(L, owner);
    lua_pushinteger(L, function_id);
    lua_pushcclosure(L, trampoline, 2);
}
