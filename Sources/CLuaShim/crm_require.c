/* The sandbox's `require`: a module is Lua text the host finds by name (the
   instance's folder, then `_shared/`), compiled as text only, run once with the
   state's globals as its environment, and cached in a registry table scripts
   cannot reach. There is no package library, no search path and no C loader. */
#include "crm_internal.h"
#include <string.h>

#define MODULE_NAME_LIMIT 128

static crm_module_source module_source = NULL;

void crm_set_module_source(crm_module_source source) { module_source = source; }

static const char MODULES_KEY = 0;   /* registry: name -> value, or LOADING while it runs */
static const char LOADING = 0;       /* its address marks a module still running */

/* Letters, digits, '_' and '-', in names separated by single dots. */
static int is_valid_name(const char *name, size_t length) {
    if (length == 0 || length > MODULE_NAME_LIMIT || name[0] == '.' || name[length - 1] == '.') return 0;
    for (size_t i = 0; i < length; i++) {
        char c = name[i];
        int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (c == '.' && name[i + 1] == '.') return 0;
        if (!plain && c != '.') return 0;
    }
    return 1;
}

static void push_modules(lua_State *L) {
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &MODULES_KEY) == LUA_TTABLE) return;
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &MODULES_KEY);
}

/* Pushes the module's code and chunk name from the host, or raises its message. */
static void find_source(lua_State *L, const char *name, size_t length) {
    crm_lua_ctx *ctx = crm_ctx(L);
    if (module_source == NULL) {
        luaL_error(L, "module '%s' not found: this state has no modules", name);
        return;
    }
    crm_note_running(L, ctx);
    int enforce = ctx->enforce;
    ctx->enforce = 0;
    int found = module_source(L, ctx->owner, name, length);
    ctx->enforce = enforce;
    if (!found) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
        lua_error(L);
    }
}

int crm_require(lua_State *L) {
    size_t length = 0;
    const char *name = luaL_checklstring(L, 1, &length);
    if (!is_valid_name(name, length))
        return luaL_error(L, "require: invalid module name '%s' (letters, digits, '_' and '-', with dots between folder names)", name);
    lua_settop(L, 1);
    push_modules(L);                                        /* 2: the cache */
    lua_pushvalue(L, 1);
    int cached = lua_rawget(L, 2);                          /* 3 */
    if (cached == LUA_TLIGHTUSERDATA && lua_touserdata(L, 3) == &LOADING)
        return luaL_error(L, "require: module '%s' requires itself while loading", name);
    if (cached != LUA_TNIL) return 1;
    lua_pop(L, 1);

    find_source(L, name, length);                           /* 3: code, 4: chunk name */
    size_t code_length = 0;
    const char *code = lua_tolstring(L, 3, &code_length);
    lua_pushfstring(L, "=%s", lua_tostring(L, 4));          /* 5 */
    crm_charge(L, (double)code_length);
    if (luaL_loadbufferx(L, code, code_length, lua_tostring(L, 5), "t") != LUA_OK)
        return lua_error(L);                                /* 6: the chunk */

    lua_pushvalue(L, 1);
    lua_pushlightuserdata(L, (void *)&LOADING);
    lua_rawset(L, 2);
    lua_pushvalue(L, 1);
    int status = lua_pcall(L, 1, 1, 0);                     /* 6: the value or the error */
    if (status != LUA_OK) {
        lua_pushvalue(L, 1);
        lua_pushnil(L);
        lua_rawset(L, 2);
        return lua_error(L);
    }
    if (lua_isnil(L, 6)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 6);
    lua_rawset(L, 2);
    return 1;
}
