// cibox — see LICENSE (MIT).
// Calls into a shared library that is loaded on first use instead of at start.
//
// Why: linking libgit2 and libarchive made every cibox start map about 25 libraries (krb5, OpenSSL's
// libcrypto, ssh2, mbedtls, libxml2, ICU, …) that most commands never call, several milliseconds before
// main. A target that includes this header defines each function it forwards with the library's own
// prototype (so the compiler checks the signature against the library's header) as a call through a pointer
// resolved with dlopen/dlsym on first use.
#ifndef CIBOX_LAZY_LIBRARY_H
#define CIBOX_LAZY_LIBRARY_H

/// The symbol `name` of the shared library `library` (a soname such as "libgit2.so.1.5"), loading it on first
/// use. A library or symbol that cannot be loaded cannot be recovered from: cibox prints what to install
/// (`package`, a Debian package) and exits with status 70, as the loader would have at start.
void *cibox_lazy_symbol(const char *library, const char *package, const char *name);

/// Defines `result name parameters` as a call of `name` in `library` (a soname), from Debian's `package`.
#define CIBOX_LAZY_FORWARD(library, package, result, name, parameters, arguments)                        \
    result name parameters {                                                                          \
        static result(*pointer) parameters;                                                           \
        result(*function) parameters = __atomic_load_n(&pointer, __ATOMIC_ACQUIRE);                      \
        if (function == 0) {                                                                          \
            function = (result(*) parameters)cibox_lazy_symbol(library, package, #name);              \
            __atomic_store_n(&pointer, function, __ATOMIC_RELEASE);                                    \
        }                                                                                             \
        return function arguments;                                                                    \
    }

/// ``CIBOX_LAZY_FORWARD`` for a function that returns nothing.
#define CIBOX_LAZY_FORWARD_VOID(library, package, name, parameters, arguments)                           \
    void name parameters {                                                                            \
        static void(*pointer) parameters;                                                             \
        void(*function) parameters = __atomic_load_n(&pointer, __ATOMIC_ACQUIRE);                        \
        if (function == 0) {                                                                          \
            function = (void(*) parameters)cibox_lazy_symbol(library, package, #name);                \
            __atomic_store_n(&pointer, function, __ATOMIC_RELEASE);                                    \
        }                                                                                             \
        function arguments;                                                                           \
    }

#endif
