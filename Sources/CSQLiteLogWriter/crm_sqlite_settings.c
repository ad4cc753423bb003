/* Process-wide SQLite settings.

   Memory statistics off. SQLite counts every allocation it makes in
   process-wide totals (for sqlite3_memory_used and the soft heap limit)
   unless built without them, and this build keeps them: each malloc and
   free then takes one global mutex. The pipeline's writer allocates for
   every bound text, every record it builds and every statement it resets,
   so the counting cost it a few percent of its time, for totals nothing here
   reads. sqlite3_config only takes effect before SQLite initializes, which
   the first connection, VFS lookup or registration does. */
#include <sqlite3.h>
#include <pthread.h>
#include "crm_sqlite_settings.h"

static pthread_once_t applied = PTHREAD_ONCE_INIT;
static int apply_result = SQLITE_MISUSE;

static void apply(void) {
    apply_result = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int crm_sqlite_settings_apply(void) {
    pthread_once(&applied, apply);
    return apply_result;
}
