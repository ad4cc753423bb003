/* resume, wrap and close of the sandbox. They keep ctx->executing on the Lua
   thread that runs, for the watchdog's signal, and they never run code on a
   coroutine the budget stopped: Lua leaves such a coroutine with hooks off
   (crm_internal.h), so a __close handler it ran would loop with no budget and
   no deadline. While the call is stopped they raise the stop again in the
   resumer; in later calls, the to-be-closed variables of a stopped coroutine
   stay unclosed and closing it reports so. The other coroutine functions
   (create, yield, status, running, isyieldable) are Lua's own. */
#include "crm_internal.h"

/* Runs `co` on `L`'s behalf, with `co` as the executing thread meanwhile. */
static int resume_on(lua_State *L, lua_State *co, int nargs, int *nresults) {
    crm_lua_ctx *ctx = crm_ctx(L);
    lua_State *resumer = ctx->executing;
    ctx->executing = co;
    int status = lua_resume(co, L, nargs, nresults);
    ctx->executing = resumer;
    return status;
}

/* Resumes `co` with the `nargs` values on top of L. Moves its results (and
   returns their count) or its error object (and returns -1) onto L. */
static int resume_with(lua_State *L, lua_State *co, int nargs) {
    if (lua_status(co) == LUA_OK && lua_gettop(co) == 0) {
        lua_pushliteral(L, "cannot resume dead coroutine");
        return -1;
    }
    if (!lua_checkstack(co, nargs)) {
        lua_pushliteral(L, "too many arguments to resume");
        return -1;
    }
    lua_xmove(L, co, nargs);
    int nresults = 0;
    int status = resume_on(L, co, nargs, &nresults);
    if (status != LUA_OK && status != LUA_YIELD) {
        lua_xmove(co, L, 1);
        return -1;
    }
    if (!lua_checkstack(L, nresults + 1)) {
        lua_pop(co, nresults);
        lua_pushliteral(L, "too many results to resume");
        return -1;
    }
    lua_xmove(co, L, nresults);
    return nresults;
}

static lua_State *check_coroutine(lua_State *L, int arg) {
    lua_State *co = lua_tothread(L, arg);
    luaL_argexpected(L, co != NULL, arg, "coroutine");
    return co;
}

static int sandbox_resume(lua_State *L) {
    lua_State *co = check_coroutine(L, 1);
    int count = resume_with(L, co, lua_gettop(L) - 1);
    if (crm_ctx(L)->stop != CRM_STOP_NONE) return crm_raise_stop(L);
    if (count < 0) {
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2;
    }
    lua_pushboolean(L, 1);
    lua_insert(L, -(count + 1));
    return count + 1;
}

/* Runs the pending to-be-closed variables of `co`: status and, on failure,
   the error object on top of L. */
static int close_variables(lua_State *L, lua_State *co) {
    crm_lua_ctx *ctx = crm_ctx(L);
    lua_State *closer = ctx->executing;
    ctx->executing = co;
#if LUA_VERSION_RELEASE_NUM >= 50406
    int status = lua_closethread(co, L);
#else
    int status = lua_resetthread(co);
#endif
    ctx->executing = closer;
    if (status != LUA_OK) lua_xmove(co, L, 1);
    return status;
}

static int wrapped_call(lua_State *L) {
    lua_State *co = lua_tothread(L, lua_upvalueindex(1));
    int count = resume_with(L, co, lua_gettop(L));
    crm_lua_ctx *ctx = crm_ctx(L);
    if (ctx->stop != CRM_STOP_NONE) return crm_raise_stop(L);
    if (count >= 0) return count;
    int status = lua_status(co);
    if (status != LUA_OK && status != LUA_YIELD && !crm_is_hookless(co)) {
        /* Dead by an error: its variables close now, as Lua's wrap does; the
           error object they end with replaces the one the resume gave. */
        status = close_variables(L, co);
        if (ctx->stop != CRM_STOP_NONE) return crm_raise_stop(L);
        if (status != LUA_OK) lua_remove(L, -2);
    }
    if (status != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    return lua_error(L);
}

static int sandbox_wrap(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_State *co = lua_newthread(L);
    lua_pushvalue(L, 1);
    lua_xmove(L, co, 1);
    lua_pushcclosure(L, wrapped_call, 1);
    return 1;
}

/* A coroutine can be closed when suspended or dead: not while it runs, nor
   while it waits for one it resumed. */
static int is_closable(lua_State *L, lua_State *co) {
    if (co == L) return 0;
    if (lua_status(co) != LUA_OK) return 1;
    lua_Debug frame;
    return lua_getstack(co, 0, &frame) == 0;
}

static int sandbox_close(lua_State *L) {
    lua_State *co = check_coroutine(L, 1);
    crm_lua_ctx *ctx = crm_ctx(L);
    if (ctx->stop != CRM_STOP_NONE) return crm_raise_stop(L);
    if (!is_closable(L, co))
        return luaL_error(L, "cannot close a %s coroutine", co == L ? "running" : "normal");
    lua_pushboolean(L, 0);
    if (crm_is_hookless(co)) {
        lua_pushliteral(L, "coroutine stopped by a limit: its to-be-closed variables are not closed");
        return 2;
    }
    int status = close_variables(L, co);
    if (ctx->stop != CRM_STOP_NONE) return crm_raise_stop(L);
    if (status != LUA_OK) return 2;
    lua_pushboolean(L, 1);
    return 1;
}

void crm_cap_coroutine_library(lua_State *L, int index) {
    int table = lua_absindex(L, index);
    static const luaL_Reg functions[] = {
        { "resume", sandbox_resume },
        { "wrap", sandbox_wrap },
        { "close", sandbox_close },
        { NULL, NULL },
    };
    lua_pushvalue(L, table);
    luaL_setfuncs(L, functions, 0);
    lua_pop(L, 1);
}
