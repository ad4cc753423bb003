/* The sandboxed library set: only base, string, table, math, utf8, coroutine and
   three os functions, each behind a read-only view. */
#include "crm_internal.h"
#include <math.h>
#include <time.h>

static const char FROZEN_MARK = 0;   /* its address marks metatables of frozen tables */

static int refuse_write(lua_State *L) {
    return luaL_error(L, "attempt to modify a read-only table (field '%s')",
                      lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?");
}

static int frozen_next(lua_State *L) {
    lua_settop(L, 2);
    if (lua_next(L, lua_upvalueindex(1)) == 0) { lua_pushnil(L); return 1; }
    return 2;
}

static int frozen_pairs(lua_State *L) {
    lua_getmetatable(L, 1);
    lua_rawgetp(L, -1, &FROZEN_MARK);       /* the hidden contents */
    lua_pushcclosure(L, frozen_next, 1);
    lua_pushnil(L);
    lua_pushnil(L);
    return 3;
}

void crm_freeze(lua_State *L, int index) {
    int table = lua_absindex(L, index);
    lua_newtable(L);                         /* hidden contents */
    int hidden = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, table) != 0) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, hidden);
    }
    lua_pushnil(L);
    while (lua_next(L, hidden) != 0) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, table);
    }
    lua_newtable(L);                         /* metatable */
    lua_pushvalue(L, hidden);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, refuse_write);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, frozen_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pushliteral(L, "read-only");
    lua_setfield(L, -2, "__metatable");
    lua_pushvalue(L, hidden);
    lua_rawsetp(L, -2, &FROZEN_MARK);
    lua_setmetatable(L, table);
    lua_pop(L, 1);
}

/* Pushes the hidden contents of the frozen table at `index`. */
static void push_frozen_contents(lua_State *L, int index) {
    lua_getmetatable(L, index);
    lua_rawgetp(L, -1, &FROZEN_MARK);
    lua_remove(L, -2);
}

static int is_frozen(lua_State *L, int index) {
    if (!lua_getmetatable(L, index)) return 0;
    int frozen = lua_rawgetp(L, -1, &FROZEN_MARK) != LUA_TNIL;
    lua_pop(L, 2);
    return frozen;
}

static int safe_rawset(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    if (is_frozen(L, 1)) return luaL_error(L, "attempt to modify a read-only table with rawset");
    return crm_forward_upvalue(L);
}

/* Lua marks an object for finalization by a raw __gc field of its metatable. */
static int safe_setmetatable(lua_State *L) {
    lua_settop(L, 2);
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "setmetatable: __gc metamethods are not allowed in scripts");
        lua_pop(L, 1);
    }
    return crm_forward_upvalue(L);
}

/* An xpcall message handler runs inside the count hook when the hook raises
   the stop, where hooks are off: a looping handler would never be stopped.
   Once the call is stopped, the script's handler is skipped. */
static int guarded_handler(lua_State *L) {
    if (crm_ctx(L)->stop != CRM_STOP_NONE) {
        lua_settop(L, 1);
        return 1;
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int safe_xpcall(lua_State *L) {
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, guarded_handler, 1);
    lua_replace(L, 2);
    return crm_forward_upvalue(L);
}

/* load(chunk [, name [, mode [, env]]]): text only, whatever mode says, and
   only from a string: the parser runs in C, so its input is charged to the
   budget byte by byte, which a reader function would hide. */
static int text_load(lua_State *L) {
    size_t length = 0;
    if (lua_type(L, 1) != LUA_TSTRING)
        return luaL_error(L, "load: only a string of Lua text can be loaded in scripts (got %s)", luaL_typename(L, 1));
    lua_tolstring(L, 1, &length);
    crm_charge(L, (double)length);
    int with_env = !lua_isnone(L, 4);
    lua_settop(L, 4);
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    if (!with_env) lua_settop(L, 3);
    return crm_forward_upvalue(L);
}

/* print: the arguments as tostring shows them, tab-separated, to the log. */
static int log_print(lua_State *L) {
    int count = lua_gettop(L);
    double bytes = 0;
    for (int i = 1; i <= count; i++) bytes += lua_type(L, i) == LUA_TSTRING ? (double)lua_rawlen(L, i) : 0;
    crm_charge(L, 1.0 + count + bytes / 64.0);
    luaL_Buffer line;
    luaL_buffinit(L, &line);
    for (int i = 1; i <= count; i++) {
        if (i > 1) luaL_addchar(&line, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&line);
    }
    luaL_pushresult(&line);
    size_t length = 0;
    const char *text = lua_tolstring(L, -1, &length);
    crm_emit_log(L, CRM_LOG_PRINT, text, length);
    return 0;
}

static int count_only_collectgarbage(lua_State *L) {
    const char *option = luaL_optstring(L, 1, "collect");
    if (option[0] != 'c' || option[1] != 'o' || option[2] != 'u' || option[3] != 'n' || option[4] != 't' || option[5])
        return luaL_error(L, "collectgarbage: only \"count\" is allowed in scripts");
    lua_pushnumber(L, (lua_Number)lua_gc(L, LUA_GCCOUNT, 0) + (lua_Number)lua_gc(L, LUA_GCCOUNTB, 0) / 1024.0);
    return 1;
}

static lua_Integer script_now(lua_State *L) {
    crm_lua_ctx *ctx = crm_ctx(L);
    if (ctx->fixed_now != 0) return (lua_Integer)floor(ctx->fixed_now);
    return (lua_Integer)time(NULL);
}

static int clock_time(lua_State *L) {
    if (lua_isnoneornil(L, 1)) { lua_pushinteger(L, script_now(L)); return 1; }
    return crm_forward_upvalue(L);
}

static int clock_date(lua_State *L) {
    if (lua_isnoneornil(L, 2)) {
        lua_settop(L, 1);
        if (lua_isnil(L, 1)) { lua_pop(L, 1); lua_pushliteral(L, "%c"); }
        lua_pushinteger(L, script_now(L));
    }
    return crm_forward_upvalue(L);
}

static void copy_field(lua_State *L, int from, int to, const char *name) {
    from = lua_absindex(L, from);
    to = lua_absindex(L, to);
    lua_getfield(L, from, name);
    lua_setfield(L, to, name);
}

static void copy_wrapped(lua_State *L, int from, int to, const char *name, lua_CFunction wrapper) {
    from = lua_absindex(L, from);
    to = lua_absindex(L, to);
    lua_getfield(L, from, name);
    lua_pushcclosure(L, wrapper, 1);
    lua_setfield(L, to, name);
}

static void open_library(lua_State *L, const char *name, lua_CFunction opener, int env) {
    luaL_requiref(L, name, opener, 0);
    lua_setfield(L, env, name);
}

void crm_open_sandbox(lua_State *L) {
    static const char *const base_names[] = {
        "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall",
        "rawequal", "rawget", "rawlen", "select", "tonumber", "tostring", "type",
        "_VERSION", "warn", NULL
    };
    lua_pushglobaltable(L);
    int globals = lua_gettop(L);
    luaL_requiref(L, "_G", luaopen_base, 0);
    lua_pop(L, 1);

    lua_newtable(L);
    int env = lua_gettop(L);
    for (const char *const *name = base_names; *name; name++) copy_field(L, globals, env, *name);
    copy_wrapped(L, globals, env, "rawset", safe_rawset);
    copy_wrapped(L, globals, env, "setmetatable", safe_setmetatable);
    copy_wrapped(L, globals, env, "load", text_load);
    copy_wrapped(L, globals, env, "xpcall", safe_xpcall);
    lua_pushcfunction(L, count_only_collectgarbage);
    lua_setfield(L, env, "collectgarbage");
    lua_pushcfunction(L, log_print);
    lua_setfield(L, env, "print");
    lua_pushcfunction(L, crm_require);
    lua_setfield(L, env, "require");

    open_library(L, LUA_STRLIBNAME, luaopen_string, env);
    open_library(L, LUA_TABLIBNAME, luaopen_table, env);
    open_library(L, LUA_MATHLIBNAME, luaopen_math, env);
    open_library(L, LUA_UTF8LIBNAME, luaopen_utf8, env);
    open_library(L, LUA_COLIBNAME, luaopen_coroutine, env);

    lua_getfield(L, env, LUA_STRLIBNAME);
    crm_cap_string_library(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, env, LUA_TABLIBNAME);
    crm_cap_table_library(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, env, LUA_COLIBNAME);
    crm_cap_coroutine_library(L, -1);
    lua_pop(L, 1);

    /* Functions whose work grows with the strings they are given or make.
       math.random and randomseed keep their generator in an upvalue, and are
       constant time anyway. */
    static const char *const sized_base[] = {
        "error", "rawequal", "rawget", "select", "tonumber", "tostring", "warn", NULL
    };
    crm_charge_by_size(L, env, sized_base);
    static const char *const sized_math[] = {
        "abs", "acos", "asin", "atan", "ceil", "cos", "deg", "exp", "floor", "fmod", "log", "max",
        "min", "modf", "rad", "sin", "sqrt", "tan", "tointeger", "type", "ult", NULL
    };
    lua_getfield(L, env, LUA_MATHLIBNAME);
    crm_charge_by_size(L, -1, sized_math);
    lua_pop(L, 1);
    static const char *const sized_utf8[] = { "char", "codepoint", "len", "offset", NULL };
    lua_getfield(L, env, LUA_UTF8LIBNAME);
    crm_charge_by_size(L, -1, sized_utf8);
    lua_pop(L, 1);

    /* os: time, date and clock only; time and date follow the host's clock. */
    luaopen_os(L);
    int full_os = lua_gettop(L);
    lua_createtable(L, 0, 3);
    copy_wrapped(L, full_os, -1, "time", clock_time);
    copy_wrapped(L, full_os, -1, "date", clock_date);
    copy_field(L, full_os, -1, "clock");
    lua_setfield(L, env, "os");
    lua_pop(L, 1);

    /* Forget the unsandboxed originals: clear the real globals and the loaded table. */
    lua_pushnil(L);
    while (lua_next(L, globals) != 0) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, globals);
    }
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);

    static const char *const libraries[] = { "string", "table", "math", "utf8", "coroutine", "os", NULL };
    for (const char *const *name = libraries; *name; name++) {
        lua_getfield(L, env, *name);
        crm_freeze(L, -1);
        lua_pop(L, 1);
    }

    /* The string metatable's __index is the frozen string table's contents, one
       lookup away for every method call; the metatable is locked, so scripts
       never reach the contents themselves. */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_getfield(L, env, LUA_STRLIBNAME);
    push_frozen_contents(L, -1);
    lua_setfield(L, -3, "__index");
    lua_pop(L, 1);
    /* Arithmetic on strings converts them in these metamethods. */
    static const char *const string_arithmetic[] = {
        "__add", "__sub", "__mul", "__mod", "__pow", "__div", "__idiv", "__unm", NULL
    };
    crm_charge_by_size(L, -1, string_arithmetic);
    lua_pushliteral(L, "locked");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);

    /* The state's own globals reach the frozen library set through __index,
       straight to its contents (the globals' metatable is locked too). */
    crm_freeze(L, env);
    lua_createtable(L, 0, 2);
    push_frozen_contents(L, env);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "globals");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, globals);
    lua_pushvalue(L, globals);
    lua_setfield(L, globals, "_G");
    lua_settop(L, globals - 1);
}
