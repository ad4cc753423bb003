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

/* Pushes "chunk:line: " of the innermost Lua function, or "" when there is none:
   the script line behind an error raised from C, even when a library function
   (pcall, table.insert...) stands between. */
void crm_push_where(lua_State *L);

/* Runs upvalue 1, the wrapped library function, in the wrapper's own frame:
   its errors then carry the script's position and the name it was called by. */
static inline int crm_forward_upvalue(lua_State *L) {
    lua_CFunction original = lua_tocfunction(L, lua_upvalueindex(1));
    return original(L);
}

/* Installs the capped string functions into the string table at `index`. */
void crm_cap_string_library(lua_State *L, int index);

#endif
