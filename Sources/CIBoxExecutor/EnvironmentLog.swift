// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The job's environment log (`logs/<job>/environment.log`), one line at a time: what happened before its first
/// step (the pulls of its images), and to its environment meanwhile (a `machine:` job's Docker engine, started on
/// its first use).
package struct EnvironmentLog: Sendable {
    let path: String
    let secrets: [String]

    /// The log at `path`, with `secrets` masked.
    package init(path: String, secrets: [String]) {
        self.path = path
        self.secrets = secrets
    }

    /// Appends `line` (masked).
    package func append(_ line: String) {
        try? Folders.make(Paths.parent(path))
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array((SecretMasker.mask(line, secrets: secrets) + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
