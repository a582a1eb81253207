// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension CocoaError {
    /// The failure of a system call on `path`, read from `errno` at once: the path and the system's reason.
    static func lastSystemError(path: String) -> CocoaError {
        CocoaError(
            .fileWriteUnknown,
            userInfo: [
                NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "\(path): \(String(cString: strerror(errno)))",
            ]
        )
    }
}
