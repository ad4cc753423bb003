/* string.gsub on the budgeted matcher, with Lua 5.4's replacements: a string
   with %0-%9 and %%, a table indexed by the first capture, or a function
   called with the captures; false or nil keeps the matched text. The result
   grows in a luaL_Buffer, which Lua owns, so a stop raised by the budget, the
   memory cap or a callback's error leaks nothing. */
#include "crm_pattern.h"
#include <string.h>

/* Appends the replacement string (argument 3) for the match [start, end). */
static void add_template(crm_matcher *m, luaL_Buffer *out, const char *start, const char *end) {
    size_t length = 0;
    const char *text = lua_tolstring(m->L, 3, &length);
    const char *text_end = text + length;
    const char *escape;
    while ((escape = memchr(text, '%', (size_t)(text_end - text))) != NULL) {
        luaL_addlstring(out, text, (size_t)(escape - text));
        char what = escape + 1 < text_end ? escape[1] : '\0';
        if (what == '%') {
            luaL_addchar(out, '%');
        } else if (what == '0') {
            luaL_addlstring(out, start, (size_t)(end - start));
        } else if (what >= '1' && what <= '9') {
            crm_matcher_push_capture(m, what - '1', start, end);
            luaL_addvalue(out);   /* a position capture is added as its number */
        } else {
            luaL_error(m->L, "invalid use of '%%' in replacement string");
        }
        text = escape + 2;
    }
    luaL_addlstring(out, text, (size_t)(text_end - text));
}

/* Appends what replaces the match [start, end), by the kind of argument 3. */
static void add_replacement(crm_matcher *m, luaL_Buffer *out, const char *start, const char *end, int kind) {
    lua_State *L = m->L;
    if (kind == LUA_TSTRING || kind == LUA_TNUMBER) {
        add_template(m, out, start, end);
        return;
    }
    if (kind == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        int count = crm_matcher_push_captures(m, start, end);
        lua_call(L, count, 1);
    } else {
        crm_matcher_push_capture(m, 0, start, end);
        lua_gettable(L, 3);
    }
    if (!lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        luaL_addlstring(out, start, (size_t)(end - start));
    } else if (!lua_isstring(L, -1)) {
        luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    } else {
        luaL_addvalue(out);
    }
}

/* gsub(s, pattern, replacement [, n]) */
int crm_string_gsub(lua_State *L) {
    const char *subject, *pattern;
    size_t length, pattern_length;
    crm_pattern_arguments(L, &subject, &length, &pattern, &pattern_length);
    int kind = lua_type(L, 3);
    lua_Integer most = luaL_optinteger(L, 4, (lua_Integer)length + 1);
    luaL_argexpected(L, kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION || kind == LUA_TTABLE,
                     3, "string/function/table");
    int anchored = pattern_length > 0 && pattern[0] == '^';
    crm_matcher m;
    crm_matcher_init(&m, L, subject, length, pattern, pattern_length);
    luaL_Buffer out;
    luaL_buffinit(L, &out);
    const char *from = subject;
    const char *last_end = NULL;
    lua_Integer count = 0;
    while (count < most) {
        const char *end = crm_matcher_match(&m, from, pattern + anchored);
        if (end && end != last_end) {
            count++;
            add_replacement(&m, &out, from, end, kind);
            from = last_end = end;
        } else if (from < m.subject_end) {
            luaL_addchar(&out, *from++);
        } else {
            break;
        }
        if (anchored) break;
    }
    luaL_addlstring(&out, from, (size_t)(m.subject_end - from));
    crm_matcher_settle(&m);
    /* The result is built in C too: charged like the subject, per 64 bytes. */
    if (luaL_bufflen(&out) >= 64) crm_charge(L, (double)luaL_bufflen(&out) / 64.0);
    luaL_pushresult(&out);
    lua_pushinteger(L, count);
    return 2;
}
