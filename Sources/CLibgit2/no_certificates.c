// cibox — see LICENSE (MIT).
//
// cibox never talks to a git remote: it reads local repositories only (an air-gapped install must never reach
// the network). Debian's libgit2 is built with mbedTLS, and git_libgit2_init parses the whole system CA
// bundle (/etc/ssl/certs/ca-certificates.crt) with mbedtls_x509_crt_parse_file, about 8 ms of CPU at every
// start, before the first repository is opened. The cibox executable exports this definition
// (Package.swift: --export-dynamic-symbol), which the dynamic loader binds libgit2's call to instead of
// mbedTLS's: it loads no certificate and reports success. An https remote would then fail to verify, and
// cibox never uses one. Programs other than cibox (the test bundles) do not export it and are unaffected.

struct mbedtls_x509_crt;

int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path);

int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path) {
    (void)chain;
    (void)path;
    return 0;
}
