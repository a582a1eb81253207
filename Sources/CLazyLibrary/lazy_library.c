// cibox — see LICENSE (MIT).

#include "cibox_lazy_library.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

void *cibox_lazy_symbol(const char *library, const char *package, const char *name) {
    // dlopen counts and locks by itself: a second call returns the same handle.
    // RTLD_LAZY: functions resolve when first called; binding all of libgit2's dependencies (krb5, OpenSSL,
    // ssh2) at once cost about a millisecond.
    void *handle = dlopen(library, RTLD_LAZY | RTLD_GLOBAL);
    void *symbol = handle ? dlsym(handle, name) : NULL;
    if (symbol == NULL) {
        fprintf(stderr, "cibox: cannot load %s from %s: %s. Install Debian's %s (apt-get install %s).\n", name,
                library, dlerror(), package, package);
        exit(70);
    }
    return symbol;
}
