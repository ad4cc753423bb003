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

/* insert(list, [pos,] value) and remove(list [, pos]) shift the elements from
   `pos` to the end by one, each shift charged. */
static int charged_insert(lua_State *L) {
    refuse_len(L, "table.insert");
    luaL_checktype(L, 1, LUA_TTABLE);
    if (lua_gettop(L) == 3) {
        lua_Integer last = (lua_Integer)lua_rawlen(L, 1) + 1;
        charge_span(L, luaL_checkinteger(L, 2), last);
    }
    return crm_forward_upvalue(L);
}

static int charged_remove(lua_State *L) {
    refuse_len(L, "table.remove");
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer last = (lua_Integer)lua_rawlen(L, 1);
    charge_span(L, luaL_optinteger(L, 2, last), last);
    return crm_forward_upvalue(L);
}

/* The order sort uses: upvalue 1 (the script's comparator, or nil for `<`),
   with each comparison charged. A comparator written in C (`math.ult`,
   `rawequal`) runs no VM instruction, so without this charge a sort would be
   out of the budget's and the deadline's reach for n log n comparisons. */
static int charged_order(lua_State *L) {
    crm_charge(L, 1);
    if (lua_isnil(L, lua_upvalueindex(1))) {
        lua_pushboolean(L, lua_compare(L, 1, 2, LUA_OPLT));
        return 1;
    }
    lua_settop(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 2, 1);
    return 1;
}

static int charged_sort(lua_State *L) {
    refuse_len(L, "table.sort");
    luaL_checktype(L, 1, LUA_TTABLE);
    if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_settop(L, 2);
    lua_pushcclosure(L, charged_order, 1);
    return crm_forward_upvalue(L);
}

void crm_cap_table_library(lua_State *L, int index) {
    int table = lua_absindex(L, index);
    crm_wrap_field(L, table, "concat", charged_concat);
    crm_wrap_field(L, table, "unpack", charged_unpack);
    crm_wrap_field(L, table, "move", charged_move);
    crm_wrap_field(L, table, "insert", charged_insert);
    crm_wrap_field(L, table, "remove", charged_remove);
    crm_wrap_field(L, table, "sort", charged_sort);
    static const char *const sized[] = { "pack", NULL };
    crm_charge_by_size(L, table, sized);
}
