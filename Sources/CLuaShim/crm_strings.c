/* Caps on the string functions whose loops run in C, where the count hook
   cannot reach: string.rep's result size, and the subject, pattern and
   worst-case work of find, match, gmatch and gsub. The bytes they scan or
   build are charged to the instruction budget, one unit per 64 bytes. */
#include "crm_internal.h"
#include <stdio.h>
#include <string.h>

/* Worst-case matcher steps: each repeated item (*, +, -, %b, back-reference) may
   try every position of the subject, each ? doubles the tries, and an
   unanchored pattern is tried at every start. */
static double pattern_work(const char *p, size_t plen, size_t subject) {
    double positions = (double)subject + 1.0;
    double work = (double)plen + 1.0;
    size_t i = 0;
    int anchored = plen > 0 && p[0] == '^';
    if (anchored) i = 1;
    while (i < plen) {
        size_t end = i + 1;
        char c = p[i];
        if (c == '(' || c == ')') { i++; continue; }
        if (c == '%' && i + 1 < plen) {
            char k = p[i + 1];
            if (k == 'b') { work *= positions; i += 4; continue; }
            if (k >= '0' && k <= '9') { work *= positions; i += 2; continue; }
            if (k == 'f') { i += 2; if (i >= plen || p[i] != '[') continue; c = '['; }
            else end = i + 2;
        }
        if (c == '[') {
            size_t j = i + 1;
            if (j < plen && p[j] == '^') j++;
            do { j += (j < plen && p[j] == '%') ? 2 : 1; } while (j < plen && p[j] != ']');
            end = j + 1;
            if (i >= 2 && p[i - 2] == '%' && p[i - 1] == 'f') { i = end; continue; }
        } else if (c != '%') {
            end = i + 1;
        }
        if (end < plen) {
            char q = p[end];
            if (q == '*' || q == '+' || q == '-') { work *= positions; end++; }
            else if (q == '?') { work *= 2.0; end++; }
        }
        i = end;
    }
    return anchored ? work : work * positions;
}

static int check_pattern_call(lua_State *L, int allow_plain) {
    crm_lua_ctx *ctx = crm_ctx(L);
    size_t subject = 0, plen = 0;
    luaL_checklstring(L, 1, &subject);
    const char *pattern = luaL_checklstring(L, 2, &plen);
    if (ctx->pattern_subject_limit > 0 && (int64_t)subject > ctx->pattern_subject_limit)
        return luaL_error(L, "pattern subject limit exceeded: %d bytes, the limit is %d",
                          (int)subject, (int)ctx->pattern_subject_limit);
    if (ctx->pattern_limit > 0 && (int64_t)plen > ctx->pattern_limit)
        return luaL_error(L, "pattern size limit exceeded: %d bytes, the limit is %d",
                          (int)plen, (int)ctx->pattern_limit);
    crm_charge(L, 1.0 + (double)subject / 64.0);
    if (allow_plain && lua_toboolean(L, 4)) return 0;
    double work = pattern_work(pattern, plen, subject);
    if (ctx->pattern_work_limit > 0 && work > ctx->pattern_work_limit) {
        char message[200];
        snprintf(message, sizeof message, "pattern complexity limit exceeded: '%s' may take %.3g steps on %d bytes, the limit is %.3g",
                 plen > 40 ? "(long pattern)" : pattern, work, (int)subject, ctx->pattern_work_limit);
        return luaL_error(L, "%s", message);
    }
    return 0;
}

static int capped_find(lua_State *L) { check_pattern_call(L, 1); return crm_forward_upvalue(L); }
static int capped_match(lua_State *L) { check_pattern_call(L, 0); return crm_forward_upvalue(L); }

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

static void wrap(lua_State *L, int table, const char *name, lua_CFunction wrapper) {
    lua_getfield(L, table, name);
    lua_pushcclosure(L, wrapper, 1);
    lua_setfield(L, table, name);
}

void crm_cap_string_library(lua_State *L, int index) {
    int table = lua_absindex(L, index);
    wrap(L, table, "rep", capped_rep);
    wrap(L, table, "find", capped_find);
    wrap(L, table, "match", capped_match);
    wrap(L, table, "gmatch", capped_match);
    wrap(L, table, "gsub", capped_match);
    lua_pushnil(L);
    lua_setfield(L, table, "dump");
}
