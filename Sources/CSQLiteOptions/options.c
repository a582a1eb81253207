// cibox — see LICENSE (MIT).

#include "cibox_sqlite_options.h"

#include <sqlite3.h>

int cibox_sqlite_keep_wal_on_close(void *database) {
    return sqlite3_db_config((sqlite3 *)database, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}
