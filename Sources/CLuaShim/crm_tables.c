/* The table functions whose loops run in C. Their element accesses may call C
   metamethods (`__index = table.concat`) that run no Lua instruction, so the
   count hook never sees them: each touched element is charged to the budget
   up front, and the functions whose length comes from `__len` are refused,
   since a second call of `__len` inside them could answer anything. */
#include "crm_internal.h"

/* The span [first, last] a function will walk, charged to the budget. */
static void charge_span(lua_State *L, lua_Integer first, lua_Integer last) {
    if (last >= first) crm_charge(L, (double)last - (double)first + 1.0);
}

static void refuse_len(lua_State *L, const char *function) {
    if (!lua_getmetatable(L, 1)) return;
    lua_pushliteral(L, "__len");
    int has_len = lua_rawget(L, -2) != LUA_TNIL;
    lua_pop(L, 2);
    if (has_len)
        luaL_error(L, "%s: tables with a __len metamethod are not allowed in scripts", function);
}

/* concat(list [, sep [, i [, j]]]) and unpack(list [, i [, j]]): the bounds
   are settled here, once, and passed on explicitly. */
static int settle_span(lua_State *L, int first_arg) {
    lua_Integer first = luaL_optinteger(L, first_arg, 1);
    lua_Integer last = lua_isnoneornil(L, first_arg + 1) ? luaL_len(L, 1) : luaL_checkinteger(L, first_arg + 1);
    charge_span(L, first, last);
    lua_settop(L, first_arg - 1);
    lua_pushinteger(L, first);
    lua_pushinteger(L, last);
    return 0;
}

static int charged_concat(lua_State *L) {
    luaL_checkany(L, 1);
    settle_span(L, 3);
    return crm_forward_upvalue(L);
}

static int charged_unpack(lua_State *L) {
    luaL_checkany(L, 1);
    settle_span(L, 2);
    return crm_forward_upvalue(L);
}

/* move(a1, f, e, t [, a2]) */
static int charged_move(lua_State *L) {
    charge_span(L, luaL_checkinteger(L, 2), luaL_checkinteger(L, 3));
    return crm_forward_upvalue(L);
}

static int checked_insert(lua_State *L) { refuse_len(L, "table.insert"); return crm_forward_upvalue(L); }
static int checked_remove(lua_State *L) { refuse_len(L, "table.remove"); return crm_forward_upvalue(L); }
static int checked_sort(lua_State *L) { refuse_len(L, "table.sort"); return crm_forward_upvalue(L); }

void crm_cap_table_library(lua_State *L, int index) {
    int table = lua_absindex(L, index);
    crm_wrap_field(L, table, "concat", charged_concat);
    crm_wrap_field(L, table, "unpack", charged_unpack);
    crm_wrap_field(L, table, "move", charged_move);
    crm_wrap_field(L, table, "insert", checked_insert);
    crm_wrap_field(L, table, "remove", checked_remove);
    crm_wrap_field(L, table, "sort", checked_sort);
}
