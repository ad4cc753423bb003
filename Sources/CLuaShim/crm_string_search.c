/* string.find, string.match and string.gmatch on the budgeted matcher, with
   Lua 5.4's arguments and results: init counted from the end when negative,
   "fail" past the end, find's plain search, gmatch's init and its rule that
   an empty match right where the previous match ended does not count. */
#include "crm_pattern.h"
#include <string.h>

/* The 0-based offset where a search from Lua position `init` starts; may lie
   past the end, which finds nothing. */
static size_t start_offset(lua_Integer init, size_t length) {
    if (init > 0) return (size_t)init - 1;
    if (init == 0 || init < -(lua_Integer)length) return 0;
    return length - (size_t)(-init);
}

/* A pattern without any of these bytes can only match itself. */
static int has_specials(const char *pattern, size_t length) {
    static const char specials[] = "^$*+?.([%-";
    for (size_t i = 0; i < length; i++)
        if (pattern[i] != '\0' && strchr(specials, pattern[i])) return 1;
    return 0;
}

/* The first occurrence of `needle` in `haystack`, or NULL. Each place where
   the first byte matches costs the needle's length in steps. */
static const char *plain_search(crm_matcher *m, const char *haystack, size_t length,
                                const char *needle, size_t needle_length) {
    if (needle_length == 0) return haystack;
    if (needle_length > length) return NULL;
    const char *last = haystack + (length - needle_length);
    const char *at = haystack;
    while (at <= last && (at = memchr(at, needle[0], (size_t)(last - at) + 1)) != NULL) {
        crm_matcher_count(m, needle_length);
        if (memcmp(at + 1, needle + 1, needle_length - 1) == 0) return at;
        at++;
    }
    return NULL;
}

static int search(lua_State *L, int find) {
    const char *subject, *pattern;
    size_t length, pattern_length;
    crm_pattern_arguments(L, &subject, &length, &pattern, &pattern_length);
    size_t init = start_offset(luaL_optinteger(L, 3, 1), length);
    if (init > length) {
        luaL_pushfail(L);
        return 1;
    }
    crm_matcher m;
    if (find && (lua_toboolean(L, 4) || !has_specials(pattern, pattern_length))) {
        crm_matcher_init(&m, L, subject, length, pattern, pattern_length);
        const char *at = plain_search(&m, subject + init, length - init, pattern, pattern_length);
        crm_matcher_settle(&m);
        if (!at) {
            luaL_pushfail(L);
            return 1;
        }
        lua_pushinteger(L, (lua_Integer)(at - subject) + 1);
        lua_pushinteger(L, (lua_Integer)(at - subject) + (lua_Integer)pattern_length);
        return 2;
    }
    int anchored = pattern_length > 0 && pattern[0] == '^';
    crm_matcher_init(&m, L, subject, length, pattern, pattern_length);
    const char *from = subject + init;
    for (;;) {
        const char *end = crm_matcher_match(&m, from, pattern + anchored);
        if (end) {
            crm_matcher_settle(&m);
            if (!find) return crm_matcher_push_captures(&m, from, end);
            lua_pushinteger(L, (lua_Integer)(from - subject) + 1);
            lua_pushinteger(L, (lua_Integer)(end - subject));
            return 2 + crm_matcher_push_captures(&m, NULL, NULL);
        }
        if (anchored || from >= m.subject_end) break;
        from++;
    }
    crm_matcher_settle(&m);
    luaL_pushfail(L);
    return 1;
}

/* find(s, pattern [, init [, plain]]) */
int crm_string_find(lua_State *L) { return search(L, 1); }

/* match(s, pattern [, init]) */
int crm_string_match(lua_State *L) { return search(L, 0); }

/* Where a gmatch iteration stands, kept in a userdata beside the subject and
   the pattern, which the iterator's upvalues keep alive. */
typedef struct gmatch_state {
    size_t next;                  /* offset of the next start to try */
    const char *last_end;         /* end of the previous match, NULL before the first */
    const char *pattern;
    crm_matcher matcher;
} gmatch_state;

static int gmatch_next(lua_State *L) {
    gmatch_state *state = lua_touserdata(L, lua_upvalueindex(3));
    crm_matcher *m = &state->matcher;
    size_t length = (size_t)(m->subject_end - m->subject);
    m->L = L;
    m->steps = 0;
    for (size_t at = state->next; at <= length; at++) {
        const char *from = m->subject + at;
        const char *end = crm_matcher_match(m, from, state->pattern);
        if (end && end != state->last_end) {
            state->next = (size_t)(end - m->subject);
            state->last_end = end;
            crm_matcher_settle(m);
            return crm_matcher_push_captures(m, from, end);
        }
    }
    crm_matcher_settle(m);
    return 0;
}

/* gmatch(s, pattern [, init]): a '^' here is an ordinary byte, not an anchor. */
int crm_string_gmatch(lua_State *L) {
    const char *subject, *pattern;
    size_t length, pattern_length;
    crm_pattern_arguments(L, &subject, &length, &pattern, &pattern_length);
    size_t init = start_offset(luaL_optinteger(L, 3, 1), length);
    lua_settop(L, 2);
    gmatch_state *state = lua_newuserdatauv(L, sizeof *state, 0);
    crm_matcher_init(&state->matcher, L, subject, length, pattern, pattern_length);
    state->next = init > length ? length + 1 : init;
    state->last_end = NULL;
    state->pattern = pattern;
    lua_pushcclosure(L, gmatch_next, 3);
    return 1;
}
