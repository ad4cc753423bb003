/* The sandbox's matcher for Lua 5.4 string patterns (reference manual
   §6.4.1). Lua's own matcher runs in C out of the count hook's sight, so a
   backtracking pattern could hold the host for hours; this one follows the
   same rules but counts its steps and charges them to the call's instruction
   budget as it goes, so such a pattern stops at the budget like a loop does. */
#ifndef CRM_PATTERN_H
#define CRM_PATTERN_H

#include "crm_internal.h"

/* Lua's own bounds: captures per pattern, and nested matcher calls before a
   pattern is refused as "pattern too complex". */
#define CRM_PATTERN_MAX_CAPTURES 32
#define CRM_PATTERN_MAX_DEPTH 200

/* Matcher steps per instruction unit. A step is one attempt to match one
   subject byte (a set counts a step per byte of its text), one backtrack,
   or one byte a %b or back-reference scans. At 16 per unit the default
   budget of 10 million instructions lets a call take 160 million steps,
   about half a second of matching in an optimised build: generous for any
   real pattern, and well inside the time limit. */
#define CRM_PATTERN_STEPS_PER_UNIT 16

/* The length a capture has while it is still open, and the one marking a
   position capture "()". */
#define CRM_CAPTURE_OPEN (-1)
#define CRM_CAPTURE_POSITION (-2)

typedef struct crm_capture {
    const char *start;
    ptrdiff_t length;             /* bytes, or CRM_CAPTURE_OPEN / _POSITION */
} crm_capture;

/* One subject and one pattern being matched. It lives on the C stack of the
   library function (or in the userdata of a gmatch iterator) and owns no
   memory, so the budget's stop may unwind through it at any step. */
typedef struct crm_matcher {
    lua_State *L;                 /* errors and charges go to this thread */
    const char *subject;
    const char *subject_end;
    const char *pattern_end;
    int depth_left;               /* nested matcher calls still allowed */
    int level;                    /* captures opened */
    crm_capture capture[CRM_PATTERN_MAX_CAPTURES];
    size_t steps;                 /* counted but not yet charged */
} crm_matcher;

void crm_matcher_init(crm_matcher *m, lua_State *L, const char *subject, size_t subject_length,
                      const char *pattern, size_t pattern_length);

/* One attempt to match `pattern` (already past any leading '^') at `at`:
   the end of the match, or NULL. Captures are left in the matcher. */
const char *crm_matcher_match(crm_matcher *m, const char *at, const char *pattern);

/* Steps counted before they are charged: a batch is worth 1,000 units, the
   count hook's own interval, so each charge also checks the deadline. */
#define CRM_PATTERN_STEPS_PER_BATCH (CRM_PATTERN_STEPS_PER_UNIT * 1000)

/* Charges the whole units counted so far; may raise the budget's stop. */
void crm_matcher_charge(crm_matcher *m);

/* Counts `steps` more, charging the budget whenever a batch is complete. */
static inline void crm_matcher_count(crm_matcher *m, size_t steps) {
    m->steps += steps;
    if (m->steps >= CRM_PATTERN_STEPS_PER_BATCH) crm_matcher_charge(m);
}

/* Charges the whole units of the steps not yet charged, at the end of a call. */
void crm_matcher_settle(crm_matcher *m);

/* Pushes capture `index` of the last match [start, end): its text, or its
   position for "()"; with no captures at all, index 0 is the whole match. */
void crm_matcher_push_capture(crm_matcher *m, int index, const char *start, const char *end);

/* Pushes every capture of the last match, or the whole match when there are
   none and `start` is not NULL; returns how many values it pushed. */
int crm_matcher_push_captures(crm_matcher *m, const char *start, const char *end);

/* Character classes and sets, as the manual defines them for the C locale. */
int crm_pattern_class_matches(int c, int class_letter);
int crm_pattern_set_matches(int c, const char *open, const char *close);

/* The end of the single-character item at `item` (a byte, '.', %x or a set),
   raising Lua's "malformed pattern" errors. */
const char *crm_pattern_item_end(crm_matcher *m, const char *item);

/* Reads the subject and pattern arguments of find, match, gmatch and gsub,
   refusing them over the sandbox's size caps and charging the subject's
   scan to the budget. */
void crm_pattern_arguments(lua_State *L, const char **subject, size_t *subject_length,
                           const char **pattern, size_t *pattern_length);

/* The library functions built on the matcher. */
int crm_string_find(lua_State *L);
int crm_string_match(lua_State *L);
int crm_string_gmatch(lua_State *L);
int crm_string_gsub(lua_State *L);

#endif
