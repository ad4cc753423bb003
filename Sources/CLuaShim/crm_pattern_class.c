/* Single-character items of a pattern: the classes %a, %d, ... and the sets
   [...]. Classes are decided on ASCII alone, as Lua decides them in the C
   locale, so a script matches the same way whatever locale the host runs in. */
#include "crm_pattern.h"

static int is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static int is_lower(int c) { return c >= 'a' && c <= 'z'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return is_upper(c) || is_lower(c); }
static int is_alnum(int c) { return is_alpha(c) || is_digit(c); }
static int is_graph(int c) { return c > ' ' && c < 127; }

static int is_hex(int c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Whether byte `c` belongs to the class named by the letter after '%'. An
   upper-case class letter is its lower-case class's complement; any other
   byte after '%' stands for itself ("%." is a dot). */
int crm_pattern_class_matches(int c, int class_letter) {
    int in;
    switch (is_upper(class_letter) ? class_letter + ('a' - 'A') : class_letter) {
    case 'a': in = is_alpha(c); break;
    case 'c': in = c < ' ' || c == 127; break;
    case 'd': in = is_digit(c); break;
    case 'g': in = is_graph(c); break;
    case 'l': in = is_lower(c); break;
    case 'p': in = is_graph(c) && !is_alnum(c); break;
    case 's': in = c == ' ' || (c >= '\t' && c <= '\r'); break;
    case 'u': in = is_upper(c); break;
    case 'w': in = is_alnum(c); break;
    case 'x': in = is_hex(c); break;
    case 'z': in = c == 0; break;   /* kept by Lua 5.4 though no longer documented */
    default: return class_letter == c;
    }
    return is_upper(class_letter) ? !in : in;
}

/* Whether byte `c` is in the set whose '[' is at `open` and whose closing ']'
   is at `close`: members are bytes, ranges "x-y" and classes "%x"; a leading
   '^' takes the complement. */
int crm_pattern_set_matches(int c, const char *open, const char *close) {
    const char *p = open + 1;
    int inside = 1;
    if (*p == '^') {
        inside = 0;
        p++;
    }
    for (; p < close; p++) {
        if (*p == '%') {
            p++;
            if (crm_pattern_class_matches(c, (unsigned char)*p)) return inside;
        } else if (p[1] == '-' && p + 2 < close) {
            if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2]) return inside;
            p += 2;
        } else if ((unsigned char)*p == c) {
            return inside;
        }
    }
    return !inside;
}

const char *crm_pattern_item_end(crm_matcher *m, const char *item) {
    const char *end = m->pattern_end;
    const char *p = item + 1;
    if (*item == '%') {
        if (p >= end) luaL_error(m->L, "malformed pattern (ends with '%%')");
        return p + 1;
    }
    if (*item != '[') return p;
    if (p < end && *p == '^') p++;
    /* The first member is taken whatever it is, so "[]]" and "[^]]" are sets
       of ']'; after it, the first unescaped ']' closes the set. */
    do {
        if (p >= end) luaL_error(m->L, "malformed pattern (missing ']')");
        if (*p++ == '%' && p < end) p++;
    } while (p >= end || *p != ']');
    return p + 1;
}
