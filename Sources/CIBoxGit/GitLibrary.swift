// cibox — CI in a box. MIT licence, see LICENSE.

internal import CLibgit2
import Foundation

/// The process-wide libgit2 set-up.
package enum GitLibrary {
    /// Initialises libgit2 once per process; safe to call from any thread, any number of times.
    ///
    /// Besides `git_libgit2_init`, it declares the `worktreeconfig` extension, which libgit2 1.5 otherwise
    /// refuses (repositories with `extensions.worktreeConfig` would not open; see PLATFORM.md). Owner
    /// validation stays on: cibox does not open repositories owned by another user.
    package static func initialize() {
        _ = initialized
    }

    /// Swift runs a static's initializer exactly once, thread-safely (`swift_once`).
    private static let initialized: Bool = {
        guard git_libgit2_init() > 0 else { return false }
        let names = ["worktreeconfig"]
        let copies = names.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        var pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        _ = pointers.withUnsafeMutableBufferPointer { buffer in
            cibox_git_set_extensions(buffer.baseAddress, buffer.count)
        }
        return true
    }()
}
