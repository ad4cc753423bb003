/* Caps on the string functions whose loops run in C, where the count hook
   cannot reach: string.rep's result size, and the subject and pattern sizes
   of find, match, gmatch and gsub. The bytes they scan or build are charged
   to the instruction budget, one unit per 64 bytes; the pattern functions
   are the sandbox's own matcher, which charges its steps as well. */
#include "crm_pattern.h"
#include <stdio.h>

void crm_pattern_arguments(lua_State *L, const char **subject, size_t *subject_length,
                           const char **pattern, size_t *pattern_length) {
    crm_lua_ctx *ctx = crm_ctx(L);
    *subject = luaL_checklstring(L, 1, subject_length);
    *pattern = luaL_checklstring(L, 2, pattern_length);
    if (ctx->pattern_subject_limit > 0 && (int64_t)*subject_length > ctx->pattern_subject_limit)
        luaL_error(L, "pattern subject limit exceeded: %d bytes, the limit is %d",
                   (int)*subject_length, (int)ctx->pattern_subject_limit);
    if (ctx->pattern_limit > 0 && (int64_t)*pattern_length > ctx->pattern_limit)
        luaL_error(L, "pattern size limit exceeded: %d bytes, the limit is %d",
                   (int)*pattern_length, (int)ctx->pattern_limit);
    crm_charge(L, 1.0 + (double)*subject_length / 64.0);
}

static int capped_rep(lua_State *L) {
    crm_lua_ctx *ctx = crm_ctx(L);
    size_t length = 0, separator = 0;
    luaL_checklstring(L, 1, &length);
    lua_Integer count = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &separator);
    if (count > 0 && ctx->rep_limit > 0) {
        double total = (double)count * (double)length + (double)(count - 1) * (double)separator;
        if (total > (double)ctx->rep_limit || count > ctx->rep_limit) {
            char message[120];
            snprintf(message, sizeof message, "string.rep limit exceeded: %.0f bytes, the limit is %d",
                     total > (double)count ? total : (double)count, (int)ctx->rep_limit);
            return luaL_error(L, "%s", message);
        }
        crm_charge(L, 1.0 + total / 64.0);
    }
    return crm_forward_upvalue(L);
}

static const luaL_Reg pattern_functions[] = {
    { "find", crm_string_find },
    { "match", crm_string_match },
    { "gmatch", crm_string_gmatch },
    { "gsub", crm_string_gsub },
    { NULL, NULL },
};

void crm_cap_string_library(lua_State *L, int index) {
    int table = lua_absindex(L, index);
    crm_wrap_field(L, table, "rep", capped_rep);
    static const char *const sized[] = {
        "byte", "char", "format", "lower", "upper", "reverse", "sub", "pack", "packsize", "unpack", NULL
    };
    crm_charge_by_size(L, table, sized);
    lua_pushvalue(L, table);
    luaL_setfuncs(L, pattern_functions, 0);
    lua_pop(L, 1);
    lua_pushnil(L);
    lua_setfield(L, table, "dump");
}
