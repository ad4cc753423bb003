#ifndef CRM_LOG_WRITER_H
#define CRM_LOG_WRITER_H

/* Makes the process's default SQLite file system one that gathers each
   commit's write-ahead-log frames in memory and hands them to the kernel in
   one write when the commit frame is complete. Idempotent. Returns an SQLite
   result code. */
int crm_log_writer_install(void);

/* The name of that file system, for connections that want SQLite's plain one instead. */
const char *crm_log_writer_name(void);

#endif
