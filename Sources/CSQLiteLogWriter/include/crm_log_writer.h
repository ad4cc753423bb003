#ifndef CRM_LOG_WRITER_H
#define CRM_LOG_WRITER_H

/* Makes the process's default SQLite file system one that gathers each
   commit's write-ahead-log frames in memory and hands them to the kernel in
   one write when the commit frame is complete. Idempotent. Returns an SQLite
   result code. */
int crm_log_writer_install(void);

/* The name of that file system, for connections that want SQLite's plain one instead. */
const char *crm_log_writer_name(void);

/* File controls this file system answers for a connection's log, asked of
   its database: sqlite3_file_control(db, "main", op, argument). Each is
   SQLITE_NOTFOUND until the connection has opened its log (its first read). */

/* How many times the log was synced: argument points to an sqlite3_int64. */
#define CRM_FCNTL_LOG_SYNCS 0x43524d01
/* Fault injection for tests: argument points to an int N; the log's next N
   writes to the file below fail as an I/O error would (SQLITE_IOERR_WRITE). */
#define CRM_FCNTL_FAIL_LOG_WRITES 0x43524d02
/* Fault injection for tests: the log's next N syncs fail (SQLITE_IOERR_FSYNC). */
#define CRM_FCNTL_FAIL_LOG_SYNCS 0x43524d03

#endif
