// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics

#if canImport(Glibc)
    import Glibc
#endif

/// Whether jobs on this machine can have a mount namespace of their own (a private `/tmp`, absolute working
/// directories bound to their own folders): always as root; otherwise when the kernel lets unprivileged users make
/// user namespaces (the job agent then makes one for itself).
package enum MountNamespaces {
    /// See the type's documentation.
    package static var areAvailable: Bool {
        if geteuid() == 0 { return true }
        let allowed =
            FileReader.contents(atPath: "/proc/sys/kernel/unprivileged_userns_clone")
            .map { String(decoding: $0, as: UTF8.self).trimmed != "0" } ?? true
        let count =
            FileReader.contents(atPath: "/proc/sys/user/max_user_namespaces")
            .flatMap { Int(String(decoding: $0, as: UTF8.self).trimmed) } ?? 0
        return allowed && count > 0
    }
}
