// cibox — see LICENSE (MIT).
// Imports libarchive for CIBoxExecutor (cache and workspace archives: tar + zstd).
// Only includes live here: every libarchive function cibox calls imports into Swift as is.
#ifndef CIBOX_CLIBARCHIVE_SHIM_H
#define CIBOX_CLIBARCHIVE_SHIM_H

#include <archive.h>
#include <archive_entry.h>

#endif
