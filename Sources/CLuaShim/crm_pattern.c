/* The backtracking matcher. It recurses where Lua's own matcher recurses (for
   captures, '?', and the rest of the pattern after '*', '+' and '-') and
   loops everywhere else, so it finds the same matches, raises the same errors
   at the same moments and refuses the same nesting as "pattern too complex".
   Every step is counted and charged to the budget in batches. */
#include "crm_pattern.h"

void crm_matcher_init(crm_matcher *m, lua_State *L, const char *subject, size_t subject_length,
                      const char *pattern, size_t pattern_length) {
    m->L = L;
    m->subject = subject;
    m->subject_end = subject + subject_length;
    m->pattern_end = pattern + pattern_length;
    m->depth_left = CRM_PATTERN_MAX_DEPTH;
    m->level = 0;
    m->steps = 0;
}

/* The charge may raise the stop, which unwinds the matcher: nothing here
   needs cleaning up, and the steps are taken off before the charge. */
void crm_matcher_charge(crm_matcher *m) {
    size_t units = m->steps / CRM_PATTERN_STEPS_PER_UNIT;
    m->steps -= units * CRM_PATTERN_STEPS_PER_UNIT;
    crm_charge(m->L, (double)units);
}

void crm_matcher_settle(crm_matcher *m) {
    if (m->steps >= CRM_PATTERN_STEPS_PER_UNIT) crm_matcher_charge(m);
    m->steps = 0;
}

static const char *match(crm_matcher *m, const char *s, const char *p);

/* Whether the item [p, ep) matches the byte at `s`. A set costs a step per
   byte of its text, since that is what deciding it may read. */
static int single(crm_matcher *m, const char *s, const char *p, const char *ep) {
    crm_matcher_count(m, *p == '[' ? (size_t)(ep - p) : 1);
    if (s >= m->subject_end) return 0;
    int c = (unsigned char)*s;
    switch (*p) {
    case '.': return 1;
    case '%': return crm_pattern_class_matches(c, (unsigned char)p[1]);
    case '[': return crm_pattern_set_matches(c, p, ep - 1);
    default: return (unsigned char)*p == c;
    }
}

/* item* and item+: take as many as possible, then give them back one by one
   until the rest of the pattern matches. */
static const char *longest(crm_matcher *m, const char *s, const char *p, const char *ep) {
    ptrdiff_t count = 0;
    while (single(m, s + count, p, ep)) count++;
    for (; count >= 0; count--) {
        const char *end = match(m, s + count, ep + 1);
        if (end) return end;
    }
    return NULL;
}

/* item-: take as few as possible, one more each time the rest fails. */
static const char *shortest(crm_matcher *m, const char *s, const char *p, const char *ep) {
    for (;;) {
        const char *end = match(m, s, ep + 1);
        if (end) return end;
        if (!single(m, s, p, ep)) return NULL;
        s++;
    }
}

static const char *open_capture(crm_matcher *m, const char *s, const char *p, ptrdiff_t kind) {
    if (m->level >= CRM_PATTERN_MAX_CAPTURES) luaL_error(m->L, "too many captures");
    m->capture[m->level].start = s;
    m->capture[m->level].length = kind;
    m->level++;
    const char *end = match(m, s, p);
    if (!end) m->level--;
    return end;
}

/* ')' closes the innermost capture still open. */
static const char *close_capture(crm_matcher *m, const char *s, const char *p) {
    int index = m->level - 1;
    while (index >= 0 && m->capture[index].length != CRM_CAPTURE_OPEN) index--;
    if (index < 0) luaL_error(m->L, "invalid pattern capture");
    m->capture[index].length = s - m->capture[index].start;
    const char *end = match(m, s, p);
    if (!end) m->capture[index].length = CRM_CAPTURE_OPEN;
    return end;
}

/* %bxy at `s`: from an x to the y that balances it. */
static const char *balance(crm_matcher *m, const char *s, const char *xy) {
    if (xy + 1 >= m->pattern_end) luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
    if (s >= m->subject_end || *s != xy[0]) return NULL;
    int open = 1;
    const char *scan = s;
    while (++scan < m->subject_end) {
        if (*scan == xy[1]) {
            if (--open == 0) break;
        } else if (*scan == xy[0]) {
            open++;
        }
    }
    crm_matcher_count(m, (size_t)(scan - s));
    return scan < m->subject_end ? scan + 1 : NULL;
}

/* %1 to %9 at `s`: the text of a closed capture again. A position capture
   never matches, and %0 or a capture still open is an error. */
static const char *back_reference(crm_matcher *m, const char *s, int digit) {
    int index = digit - '1';
    if (index < 0 || index >= m->level || m->capture[index].length == CRM_CAPTURE_OPEN)
        luaL_error(m->L, "invalid capture index %%%d", index + 1);
    ptrdiff_t length = m->capture[index].length;
    if (length == CRM_CAPTURE_POSITION || m->subject_end - s < length) return NULL;
    const char *text = m->capture[index].start;
    ptrdiff_t same = 0;
    while (same < length && text[same] == s[same]) same++;
    crm_matcher_count(m, 1 + (size_t)same);
    return same == length ? s + length : NULL;
}

/* %f[set] at `s`: whether the byte before is outside the set and the byte at
   `s` inside it, the subject's two ends counting as '\0'. Returns the pattern
   after the set, or NULL. */
static const char *frontier(crm_matcher *m, const char *s, const char *set) {
    if (set >= m->pattern_end || *set != '[') luaL_error(m->L, "missing '[' after '%%f' in pattern");
    const char *after = crm_pattern_item_end(m, set);
    int before = s == m->subject ? 0 : (unsigned char)s[-1];
    int here = s < m->subject_end ? (unsigned char)*s : 0;
    crm_matcher_count(m, 1 + (size_t)(after - set));
    if (crm_pattern_set_matches(before, set, after - 1) || !crm_pattern_set_matches(here, set, after - 1))
        return NULL;
    return after;
}

/* The rest of the pattern from `p` at `s`: the end of the match, or NULL.
   Items that need no backtracking loop here instead of recursing. */
static const char *match_rest(crm_matcher *m, const char *s, const char *p) {
    const char *end = m->pattern_end;
    while (p < end) {
        switch (*p) {
        case '(':
            if (p + 1 < end && p[1] == ')') return open_capture(m, s, p + 2, CRM_CAPTURE_POSITION);
            return open_capture(m, s, p + 1, CRM_CAPTURE_OPEN);
        case ')':
            return close_capture(m, s, p + 1);
        case '$':
            if (p + 1 == end) return s == m->subject_end ? s : NULL;
            break;
        case '%':
            if (p + 1 >= end) break;
            if (p[1] == 'b') {
                s = balance(m, s, p + 2);
                if (!s) return NULL;
                p += 4;
                continue;
            }
            if (p[1] == 'f') {
                p = frontier(m, s, p + 2);
                if (!p) return NULL;
                continue;
            }
            if (p[1] >= '0' && p[1] <= '9') {
                s = back_reference(m, s, p[1]);
                if (!s) return NULL;
                p += 2;
                continue;
            }
            break;
        }
        const char *ep = (*p == '%' || *p == '[') ? crm_pattern_item_end(m, p) : p + 1;
        char quantifier = ep < end ? *ep : '\0';
        if (!single(m, s, p, ep)) {
            if (quantifier != '*' && quantifier != '?' && quantifier != '-') return NULL;
            p = ep + 1;
            continue;
        }
        switch (quantifier) {
        case '?': {
            const char *with = match(m, s + 1, ep + 1);
            if (with) return with;
            p = ep + 1;
            continue;
        }
        case '+': return longest(m, s + 1, p, ep);
        case '*': return longest(m, s, p, ep);
        case '-': return shortest(m, s, p, ep);
        default:
            s++;
            p = ep;
            continue;
        }
    }
    return s;
}

static const char *match(crm_matcher *m, const char *s, const char *p) {
    if (m->depth_left-- == 0) luaL_error(m->L, "pattern too complex");
    crm_matcher_count(m, 1);
    const char *end = match_rest(m, s, p);
    m->depth_left++;
    return end;
}

const char *crm_matcher_match(crm_matcher *m, const char *at, const char *pattern) {
    m->level = 0;
    m->depth_left = CRM_PATTERN_MAX_DEPTH;
    return match(m, at, pattern);
}
