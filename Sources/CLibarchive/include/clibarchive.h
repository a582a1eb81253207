// cibox — see LICENSE (MIT).
// libarchive for CIBoxExecutor (cache, workspace and artifact archives: tar + zstd), loaded when first used.
//
// Why and how: see CLazyLibrary's cibox_lazy_library.h. loader.c defines each libarchive function cibox calls.
#ifndef CIBOX_CLIBARCHIVE_H
#define CIBOX_CLIBARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

#endif
