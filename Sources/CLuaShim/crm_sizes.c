/* Library functions whose work grows with the size of their arguments or of
   their results, in C loops the count hook never sees: case changes, reversal,
   sub, byte and char, format, pack and unpack, the utf8 functions, and every
   conversion of a numeric string (tonumber, math's arguments, string
   arithmetic). Each call is charged one unit, one per argument and result, and
   one per 64 bytes of the strings among them: the arguments before the call,
   the results after it. Only functions without upvalues of their own can be
   wrapped so (see crm_forward_upvalue). */
#include "crm_internal.h"

static double size_units(lua_State *L, int first, int last) {
    double units = 0;
    for (int i = first; i <= last; i++) {
        units += 1;
        if (lua_type(L, i) == LUA_TSTRING) units += (double)lua_rawlen(L, i) / 64.0;
    }
    return units;
}

static int charged_by_size(lua_State *L) {
    crm_charge(L, 1.0 + size_units(L, 1, lua_gettop(L)));
    int results = crm_forward_upvalue(L);
    int top = lua_gettop(L);
    crm_charge(L, size_units(L, top - results + 1, top));
    return results;
}

void crm_charge_by_size(lua_State *L, int index, const char *const *names) {
    int table = lua_absindex(L, index);
    for (const char *const *name = names; *name; name++) {
        lua_getfield(L, table, *name);
        int present = lua_iscfunction(L, -1);
        lua_pop(L, 1);
        if (present) crm_wrap_field(L, table, *name, charged_by_size);
    }
}
