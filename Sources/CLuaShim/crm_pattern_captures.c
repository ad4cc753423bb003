/* What a match hands back to Lua: its captures, as strings or, for "()",
   as 1-based positions. */
#include "crm_pattern.h"

void crm_matcher_push_capture(crm_matcher *m, int index, const char *start, const char *end) {
    if (index >= m->level) {
        if (index != 0) luaL_error(m->L, "invalid capture index %%%d", index + 1);
        lua_pushlstring(m->L, start, (size_t)(end - start));
        return;
    }
    const crm_capture *capture = &m->capture[index];
    if (capture->length == CRM_CAPTURE_OPEN) luaL_error(m->L, "unfinished capture");
    if (capture->length == CRM_CAPTURE_POSITION)
        lua_pushinteger(m->L, (lua_Integer)(capture->start - m->subject) + 1);
    else
        lua_pushlstring(m->L, capture->start, (size_t)capture->length);
}

int crm_matcher_push_captures(crm_matcher *m, const char *start, const char *end) {
    int count = (m->level == 0 && start != NULL) ? 1 : m->level;
    luaL_checkstack(m->L, count, "too many captures");
    for (int i = 0; i < count; i++) crm_matcher_push_capture(m, i, start, end);
    return count;
}
