#ifndef CRM_SQLITE_SETTINGS_H
#define CRM_SQLITE_SETTINGS_H

/* Applies the process-wide SQLite settings the store wants; they only take
   before SQLite is first used in the process, so this runs before the first
   connection opens. Idempotent. Returns an SQLite result code:
   SQLITE_MISUSE when SQLite was already in use, and nothing changed. */
int crm_sqlite_settings_apply(void);

#endif
