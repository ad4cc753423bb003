/* The write-ahead log, written one commit at a time.

   SQLite writes every log frame as two calls: its 24-byte header, then its
   page. Frames are 4,096 + 24 bytes, so nearly every call covers part of a
   kernel page, and a commit of a few hundred frames is a few hundred
   system calls; on ext4 a partial write into a page now and then waits
   milliseconds for the disk, and the commit, and every event behind it,
   waits with it.

   This file system wraps the default one. A log's writes that follow one
   another are kept in a buffer and written in one call as soon as the
   commit frame (the frame whose header carries the database size) is
   complete, before SQLite publishes the commit to other connections in the
   shared index; so readers, checkpoints and crash recovery find exactly
   what SQLite wrote, in the order it wrote it. Anything that could look at
   the file meanwhile (a read, a size, a sync, a truncation, a file control,
   closing it, the shared-index barrier) writes the buffer out first. Databases and every
   other file go straight through.

   A write or a sync of a log that fails fails the commit it belongs to.
   Most steps report it to SQLite, which then rolls the transaction back;
   the barrier cannot (it returns nothing), and SQLite ignores what some file
   controls return. So a failed write also marks the log failed: its gathered
   bytes are kept, and every later write and sync of the log fails with the
   same error, so that the transaction cannot commit without them, until the
   connection gives up its write lock, the transaction over. Its bytes are
   then dropped: they belong to a transaction that did not commit, and the
   next one writes its frames over them. (A connection in exclusive locking
   mode takes no such lock, and keeps the mark until it closes; the store
   never uses that mode.) */
#include <sqlite3.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "crm_log_writer.h"

enum {
    FRAME_HEADER_BYTES = 24,
    /* Past this much a buffer is written out even before its commit frame:
       a transaction that large is no longer the small commits this is for. */
    BUFFER_LIMIT = 8 * 1024 * 1024,
    /* SQLite's unix file system writes at most 128 KiB - 1 bytes per call
       (it masks larger lengths), so a buffer goes out in pieces below that. */
    WRITE_LIMIT = 31 * 4096,
};

/* The file below is kept right after ours, aligned for it. */
#define OWN_BYTES ((sizeof(LogFile) + 7) & ~(size_t)7)

typedef struct LogFile LogFile;
struct LogFile {
    sqlite3_file base;
    sqlite3_file *real;
    /* On a database: its open log, whose frames must be out before the shared index moves. */
    LogFile *log;
    /* On a log: its database, if it was opened through this file system. */
    LogFile *database;
    int is_log;
    int commit_frame_started;
    /* The end of the frames written since the log last started over. */
    sqlite3_int64 log_end;
    unsigned char *bytes;
    sqlite3_int64 start;
    int length;
    int capacity;
    /* On a log: syncs so far, and faults a test asked for (CRM_FCNTL_FAIL_LOG_*). */
    sqlite3_int64 syncs;
    int failing_writes;
    int failing_syncs;
    /* On a log: the error of a write that failed in this write transaction, else SQLITE_OK. */
    int failed;
};

static const char vfs_name[] = "crm-log-writer";
static sqlite3_vfs *plain;
static sqlite3_vfs log_writer_vfs;
static const sqlite3_io_methods log_methods;

/* Every write of a log to the file below goes through here; one that fails
   marks the log failed. */
static int write_real(LogFile *file, const void *data, int amount, sqlite3_int64 offset) {
    int rc;
    if (file->failing_writes > 0) {
        file->failing_writes--;
        rc = SQLITE_IOERR_WRITE;
    } else {
        rc = file->real->pMethods->xWrite(file->real, data, amount, offset);
    }
    if (rc != SQLITE_OK && file->is_log) file->failed = rc;
    return rc;
}

/* Writes the gathered bytes; on failure they stay gathered, for a read or a
   retry, and the log is marked failed. */
static int write_out(LogFile *file) {
    if (file->failed != SQLITE_OK) return file->failed;
    for (int done = 0; done < file->length; done += WRITE_LIMIT) {
        int amount = file->length - done < WRITE_LIMIT ? file->length - done : WRITE_LIMIT;
        int rc = write_real(file, file->bytes + done, amount, file->start + done);
        if (rc != SQLITE_OK) return rc;
    }
    file->length = 0;
    file->commit_frame_started = 0;
    return SQLITE_OK;
}

/* The connection gave up its write lock: a failed transaction is over, and
   the bytes it gathered are not to be written. */
static void write_transaction_ended(LogFile *log) {
    if (log->failed == SQLITE_OK) return;
    log->failed = SQLITE_OK;
    log->length = 0;
    log->commit_frame_started = 0;
}

static int make_room(LogFile *file, int needed) {
    if (needed <= file->capacity) return 1;
    int capacity = file->capacity ? file->capacity : 256 * 1024;
    while (capacity < needed) capacity *= 2;
    if (capacity > BUFFER_LIMIT) capacity = BUFFER_LIMIT;
    unsigned char *bytes = realloc(file->bytes, (size_t)capacity);
    if (!bytes) return 0;
    file->bytes = bytes;
    file->capacity = capacity;
    return 1;
}

static int is_commit_frame_header(const void *data, int amount) {
    if (amount != FRAME_HEADER_BYTES) return 0;
    const unsigned char *header = data;
    return (header[4] | header[5] | header[6] | header[7]) != 0;
}

static int log_write(LogFile *file, const void *data, int amount, sqlite3_int64 offset) {
    if (file->failed != SQLITE_OK) return file->failed;
    /* The log's header starts it over; frames then follow one another. */
    if (offset == 0) file->log_end = 0;
    int commit_header = is_commit_frame_header(data, amount);
    if (offset < file->log_end && commit_header) {
        /* A checksum rewrite of a frame whose page is already written: no
           page follows to mark the commit complete, so it goes out now. */
        int rc = write_out(file);
        return rc != SQLITE_OK ? rc : write_real(file, data, amount, offset);
    }
    if (offset + amount > file->log_end) file->log_end = offset + amount;
    int joins = file->length > 0 && offset >= file->start && offset <= file->start + file->length;
    if (file->length > 0 && (!joins || offset - file->start + amount > BUFFER_LIMIT)) {
        int rc = write_out(file);
        if (rc != SQLITE_OK) return rc;
    }
    if (file->length == 0) file->start = offset;
    int at = (int)(offset - file->start);
    if (at + amount > BUFFER_LIMIT || !make_room(file, at + amount)) {
        int rc = write_out(file);
        if (rc == SQLITE_OK) rc = write_real(file, data, amount, offset);
        if (rc == SQLITE_OK && commit_header) file->commit_frame_started = 1;
        return rc;
    }
    memcpy(file->bytes + at, data, (size_t)amount);
    if (at + amount > file->length) file->length = at + amount;
    if (commit_header) {
        file->commit_frame_started = 1;
    } else if (file->commit_frame_started) {
        return write_out(file);
    }
    return SQLITE_OK;
}

static int overlaps(const LogFile *file, sqlite3_int64 offset, int amount) {
    return file->length > 0 && offset < file->start + file->length && offset + amount > file->start;
}

static int method_close(sqlite3_file *handle) {
    LogFile *file = (LogFile *)handle;
    write_transaction_ended(file);
    int rc = write_out(file);
    if (file->database && file->database->log == file) file->database->log = NULL;
    if (file->log && file->log->database == file) file->log->database = NULL;
    free(file->bytes);
    file->bytes = NULL;
    int closed = file->real->pMethods->xClose(file->real);
    return rc != SQLITE_OK ? rc : closed;
}

static int method_read(sqlite3_file *handle, void *data, int amount, sqlite3_int64 offset) {
    LogFile *file = (LogFile *)handle;
    if (overlaps(file, offset, amount)) {
        if (file->failed != SQLITE_OK) {
            /* Served from what is gathered: the file below may not hold it. */
            sqlite3_int64 end = file->start + file->length;
            if (offset < file->start || offset + amount > end) return file->failed;
            memcpy(data, file->bytes + (offset - file->start), (size_t)amount);
            return SQLITE_OK;
        }
        int rc = write_out(file);
        if (rc != SQLITE_OK) return rc;
    }
    return file->real->pMethods->xRead(file->real, data, amount, offset);
}

static int method_write(sqlite3_file *handle, const void *data, int amount, sqlite3_int64 offset) {
    LogFile *file = (LogFile *)handle;
    if (file->is_log) return log_write(file, data, amount, offset);
    return file->real->pMethods->xWrite(file->real, data, amount, offset);
}

static int method_truncate(sqlite3_file *handle, sqlite3_int64 size) {
    LogFile *file = (LogFile *)handle;
    int rc = write_out(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xTruncate(file->real, size);
}

static int method_sync(sqlite3_file *handle, int flags) {
    LogFile *file = (LogFile *)handle;
    int rc = write_out(file);
    if (rc != SQLITE_OK) return rc;
    if (!file->is_log) return file->real->pMethods->xSync(file->real, flags);
    file->syncs++;
    if (file->failing_syncs > 0) {
        file->failing_syncs--;
        rc = SQLITE_IOERR_FSYNC;
    } else {
        rc = file->real->pMethods->xSync(file->real, flags);
    }
    /* After a failed sync the kernel may have dropped the pages it could not
       write: nothing of this transaction may commit. */
    if (rc != SQLITE_OK) file->failed = rc;
    return rc;
}

static int method_file_size(sqlite3_file *handle, sqlite3_int64 *size) {
    LogFile *file = (LogFile *)handle;
    int rc = write_out(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xFileSize(file->real, size);
}

static int method_lock(sqlite3_file *handle, int level) {
    LogFile *file = (LogFile *)handle;
    return file->real->pMethods->xLock(file->real, level);
}

static int method_unlock(sqlite3_file *handle, int level) {
    LogFile *file = (LogFile *)handle;
    return file->real->pMethods->xUnlock(file->real, level);
}

static int method_check_reserved_lock(sqlite3_file *handle, int *reserved) {
    LogFile *file = (LogFile *)handle;
    return file->real->pMethods->xCheckReservedLock(file->real, reserved);
}

/* The file controls of crm_log_writer.h, asked of a database about its log. */
static int log_file_control(LogFile *file, int op, void *argument) {
    LogFile *log = file->log;
    if (!log) return SQLITE_NOTFOUND;
    switch (op) {
    case CRM_FCNTL_LOG_SYNCS: *(sqlite3_int64 *)argument = log->syncs; return SQLITE_OK;
    case CRM_FCNTL_FAIL_LOG_WRITES: log->failing_writes = *(int *)argument; return SQLITE_OK;
    case CRM_FCNTL_FAIL_LOG_SYNCS: log->failing_syncs = *(int *)argument; return SQLITE_OK;
    default: return SQLITE_NOTFOUND;
    }
}

static int method_file_control(sqlite3_file *handle, int op, void *argument) {
    LogFile *file = (LogFile *)handle;
    if (op == CRM_FCNTL_LOG_SYNCS || op == CRM_FCNTL_FAIL_LOG_WRITES || op == CRM_FCNTL_FAIL_LOG_SYNCS) {
        return log_file_control(file, op, argument);
    }
    int rc = write_out(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xFileControl(file->real, op, argument);
}

static int method_sector_size(sqlite3_file *handle) {
    LogFile *file = (LogFile *)handle;
    return file->real->pMethods->xSectorSize(file->real);
}

static int method_device_characteristics(sqlite3_file *handle) {
    LogFile *file = (LogFile *)handle;
    return file->real->pMethods->xDeviceCharacteristics(file->real);
}

static int method_shm_map(sqlite3_file *handle, int page, int page_size, int extend, void volatile **mapped) {
    LogFile *file = (LogFile *)handle;
    return file->real->pMethods->xShmMap(file->real, page, page_size, extend, mapped);
}

/* The shared index's lock 0 is the write lock of a log in WAL mode. */
enum { WRITE_LOCK = 0 };

static int method_shm_lock(sqlite3_file *handle, int offset, int count, int flags) {
    LogFile *file = (LogFile *)handle;
    int rc = file->real->pMethods->xShmLock(file->real, offset, count, flags);
    int unlocks_write = offset == WRITE_LOCK && (flags & SQLITE_SHM_UNLOCK) && (flags & SQLITE_SHM_EXCLUSIVE);
    if (rc == SQLITE_OK && unlocks_write && file->log) write_transaction_ended(file->log);
    return rc;
}

/* SQLite calls this between the two copies of the shared index's header as
   it publishes a commit: the log's frames must be in the file before then.
   They already are once the commit frame is complete; this catches any frame
   written after it. A failure here cannot be returned: write_out marks the
   log failed instead, and the transaction's commit fails. */
static void method_shm_barrier(sqlite3_file *handle) {
    LogFile *file = (LogFile *)handle;
    if (file->log) (void)write_out(file->log);
    file->real->pMethods->xShmBarrier(file->real);
}

static int method_shm_unmap(sqlite3_file *handle, int delete_flag) {
    LogFile *file = (LogFile *)handle;
    return file->real->pMethods->xShmUnmap(file->real, delete_flag);
}

static int method_fetch(sqlite3_file *handle, sqlite3_int64 offset, int amount, void **pages) {
    LogFile *file = (LogFile *)handle;
    return file->real->pMethods->xFetch(file->real, offset, amount, pages);
}

static int method_unfetch(sqlite3_file *handle, sqlite3_int64 offset, void *pages) {
    LogFile *file = (LogFile *)handle;
    return file->real->pMethods->xUnfetch(file->real, offset, pages);
}

static const sqlite3_io_methods log_methods = {
    3,
    method_close, method_read, method_write, method_truncate, method_sync, method_file_size,
    method_lock, method_unlock, method_check_reserved_lock, method_file_control,
    method_sector_size, method_device_characteristics,
    method_shm_map, method_shm_lock, method_shm_barrier, method_shm_unmap,
    method_fetch, method_unfetch,
};

static int vfs_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *handle, int flags, int *out_flags) {
    (void)vfs;
    LogFile *file = (LogFile *)handle;
    memset(file, 0, sizeof(*file));
    file->real = (sqlite3_file *)((char *)file + OWN_BYTES);
    int rc = plain->xOpen(plain, name, file->real, flags, out_flags);
    if (rc != SQLITE_OK) {
        if (file->real->pMethods) file->real->pMethods->xClose(file->real);
        return rc;
    }
    if (!file->real->pMethods || file->real->pMethods->iVersion < 3) {
        /* Nothing below to forward shared memory to: refuse rather than guess. */
        if (file->real->pMethods) file->real->pMethods->xClose(file->real);
        return SQLITE_CANTOPEN;
    }
    file->base.pMethods = &log_methods;
    if (flags & SQLITE_OPEN_WAL) {
        file->is_log = 1;
        sqlite3_file *database = name ? sqlite3_database_file_object(name) : NULL;
        if (database && database->pMethods == &log_methods) {
            file->database = (LogFile *)database;
            file->database->log = file;
        }
    }
    return SQLITE_OK;
}

static int vfs_delete(sqlite3_vfs *vfs, const char *name, int sync_directory) {
    (void)vfs;
    return plain->xDelete(plain, name, sync_directory);
}

static int vfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *result) {
    (void)vfs;
    return plain->xAccess(plain, name, flags, result);
}

static int vfs_full_pathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    return plain->xFullPathname(plain, name, size, out);
}

static void *vfs_dl_open(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return plain->xDlOpen(plain, name);
}

static void vfs_dl_error(sqlite3_vfs *vfs, int size, char *message) {
    (void)vfs;
    plain->xDlError(plain, size, message);
}

static void (*vfs_dl_sym(sqlite3_vfs *vfs, void *library, const char *symbol))(void) {
    (void)vfs;
    return plain->xDlSym(plain, library, symbol);
}

static void vfs_dl_close(sqlite3_vfs *vfs, void *library) {
    (void)vfs;
    plain->xDlClose(plain, library);
}

static int vfs_randomness(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return plain->xRandomness(plain, size, out);
}

static int vfs_sleep(sqlite3_vfs *vfs, int microseconds) {
    (void)vfs;
    return plain->xSleep(plain, microseconds);
}

static int vfs_current_time(sqlite3_vfs *vfs, double *now) {
    (void)vfs;
    return plain->xCurrentTime(plain, now);
}

static int vfs_get_last_error(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return plain->xGetLastError ? plain->xGetLastError(plain, size, out) : 0;
}

static int vfs_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *now) {
    (void)vfs;
    return plain->xCurrentTimeInt64(plain, now);
}

static int install_result = SQLITE_ERROR;
static pthread_once_t installed = PTHREAD_ONCE_INIT;

static void install(void) {
    plain = sqlite3_vfs_find(NULL);
    if (!plain || plain->iVersion < 2) return;
    log_writer_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)OWN_BYTES + plain->szOsFile,
        .mxPathname = plain->mxPathname,
        .zName = vfs_name,
        .xOpen = vfs_open,
        .xDelete = vfs_delete,
        .xAccess = vfs_access,
        .xFullPathname = vfs_full_pathname,
        .xDlOpen = vfs_dl_open,
        .xDlError = vfs_dl_error,
        .xDlSym = vfs_dl_sym,
        .xDlClose = vfs_dl_close,
        .xRandomness = vfs_randomness,
        .xSleep = vfs_sleep,
        .xCurrentTime = vfs_current_time,
        .xGetLastError = vfs_get_last_error,
        .xCurrentTimeInt64 = vfs_current_time_int64,
    };
    install_result = sqlite3_vfs_register(&log_writer_vfs, 1);
}

int crm_log_writer_install(void) {
    pthread_once(&installed, install);
    return install_result;
}

const char *crm_log_writer_name(void) { return vfs_name; }
