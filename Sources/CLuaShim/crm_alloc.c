/* The capped allocator, the state's birth, and the log channel. */
#include "crm_internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char crm_running_key = 0;

static crm_warning_sink warning_sink = NULL;

void crm_set_warning_sink(crm_warning_sink sink) { warning_sink = sink; }

#define LOG_LINE_LIMIT 4096

void crm_emit_log(lua_State *L, int kind, const char *text, size_t length) {
    crm_lua_ctx *ctx = crm_ctx(L);
    if (length > LOG_LINE_LIMIT) length = LOG_LINE_LIMIT;
    if (warning_sink) warning_sink(ctx->owner, kind, text, length);
}

/* A refused growth is final only when Lua's retry after its emergency
   collection is refused too; then the call stops for good. */
static void refuse(crm_lua_ctx *ctx, void *ptr, size_t nsize) {
    int retried = ctx->refused_size == nsize && ctx->refused_block == ptr;
    ctx->refused_block = ptr;
    ctx->refused_size = nsize;
    if (ctx->stop != CRM_STOP_NONE) return;
#if LUA_VERSION_RELEASE_NUM < 50405
    /* Up to 5.4.4 the stack is consistent while Lua allocates, so the running
       thread (anchored in the registry, never freed) can be walked. The place
       is kept even for a first refusal: buffers of the auxiliary library fail
       at once with "not enough memory", without Lua's retry. */
    if (ctx->running) crm_record_where(ctx->running, ctx->stop_where, sizeof ctx->stop_where);
#endif
    if (retried) ctx->stop = CRM_STOP_MEMORY;
}

/* When ptr is NULL, osize is a type tag rather than a size: nothing is freed. */
static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    crm_lua_ctx *ctx = (crm_lua_ctx *)ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        ctx->memory_used -= old;
        return NULL;
    }
    if (nsize > old && ctx->enforce && ctx->memory_limit > 0
        && ctx->memory_used - old + nsize > ctx->memory_limit) {
        refuse(ctx, ptr, nsize);
        return NULL;
    }
    void *block = realloc(ptr, nsize);
    if (block == NULL) {
        if (!ctx->enforce) {
            /* Host code is pushing values: a failure here would longjmp through a
               Swift frame. The system itself is out of memory; stop cleanly. */
            fputs("crm-host: the system is out of memory while the host pushes into Lua\n", stderr);
            abort();
        }
        return NULL;
    }
    if (nsize > old) ctx->refused_size = 0;
    ctx->memory_used = ctx->memory_used - old + nsize;
    if (ctx->memory_used > ctx->memory_peak) ctx->memory_peak = ctx->memory_used;
    return block;
}

static int panic(lua_State *L) {
    const char *message = lua_tostring(L, -1);
    fprintf(stderr, "crm-host: unprotected Lua error: %s\n", message ? message : "(not a string)");
    abort();
}

/* lua_warning arrives in pieces; "@" control messages are ignored. */
static void collect_warning(void *ud, const char *piece, int tocont) {
    crm_lua_ctx *ctx = (crm_lua_ctx *)ud;
    if (ctx->warning_len == 0 && !tocont && piece[0] == '@') return;
    size_t room = sizeof ctx->warning - 1 - ctx->warning_len;
    size_t length = strlen(piece);
    if (length > room) length = room;
    memcpy(ctx->warning + ctx->warning_len, piece, length);
    ctx->warning_len += length;
    ctx->warning[ctx->warning_len] = '\0';
    if (!tocont) {
        if (warning_sink) warning_sink(ctx->owner, CRM_LOG_WARNING, ctx->warning, ctx->warning_len);
        ctx->warning_len = 0;
    }
}

lua_State *crm_newstate(crm_lua_ctx *ctx) {
    if (!crm_watchdog_start()) return NULL;
    lua_State *L = lua_newstate(capped_alloc, ctx);
    if (L == NULL) return NULL;
    ctx->main = L;
    ctx->executing = L;
    lua_atpanic(L, panic);
    lua_setwarnf(L, collect_warning, ctx);
    /* Events leave short-lived garbage (the event table, its strings); the
       generational collector sweeps it young instead of tracing every state's
       whole heap in increments. */
    lua_gc(L, LUA_GCGEN, 0, 0);
    lua_pushthread(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &crm_running_key);
    ctx->running = L;
    return L;
}
