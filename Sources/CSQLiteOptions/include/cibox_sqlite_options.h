// cibox — see LICENSE (MIT).
// SQLite settings Swift cannot make itself: sqlite3_db_config is variadic.
#ifndef CIBOX_SQLITE_OPTIONS_H
#define CIBOX_SQLITE_OPTIONS_H

/// Stops the connection `database` (a `sqlite3 *`) from checkpointing the WAL when it is closed.
///
/// Why: the last connection to close checkpoints and fsyncs the database file. A short-lived cibox process (the
/// pre-push hook, `cibox run`) then waited for the disk at every exit, tens of milliseconds here. The WAL is
/// checkpointed as it grows (SQLite's automatic checkpoint) and by long-lived processes instead; readers and
/// crash recovery handle a WAL left behind.
/// Returns SQLite's result code.
int cibox_sqlite_keep_wal_on_close(void *database);

#endif
