/* The error boundary: Swift host functions return a status, C raises the error
   once the Swift frame is gone, so longjmp never crosses Swift. */
#include "crm_internal.h"

static crm_host_dispatch host_dispatch = NULL;

void crm_set_dispatch(crm_host_dispatch dispatch) { host_dispatch = dispatch; }

static int trampoline(lua_State *L) {
    crm_lua_ctx *ctx = crm_ctx(L);
    void *owner = lua_touserdata(L, lua_upvalueindex(1));
    int function_id = (int)lua_tointeger(L, lua_upvalueindex(2));
    if (!lua_checkstack(L, 40)) return luaL_error(L, "stack overflow in a host function");
    crm_note_running(L, ctx);
    /* Host code pushes without the cap, so a push can never raise LUA_ERRMEM. */
    int enforce = ctx->enforce;
    ctx->enforce = 0;
    int results = host_dispatch(L, owner, function_id);
    ctx->enforce = enforce;
    if (results == CRM_HOST_ERROR) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
        return lua_error(L);
    }
    if (results == CRM_HOST_RAISE) return lua_error(L);
    return results;
}

void crm_push_host_function(lua_State *L, void *owner, int function_id) {
    lua_pushlightuserdata(L, owner);
    lua_pushinteger(L, function_id);
    lua_pushcclosure(L, trampoline, 2);
}
