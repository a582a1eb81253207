// cibox — CI in a box. MIT licence, see LICENSE.

internal import CLibgit2
import Foundation

/// A failure of a git operation, with a message that says what failed, on what, and what to do.
package struct GitError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure, for callers that react to some of them.
    package enum Code: String, Sendable {
        /// The path is not inside a git repository.
        case notARepository
        /// A revision (branch, tag, sha or revspec) names no commit.
        case revisionNotFound
        /// A file was expected but is missing.
        case fileNotFound
        /// The repository belongs to another user and cibox does not open it.
        case notOwned
        /// Materialising a commit into a folder failed.
        case checkoutFailed
        /// The caller passed something unusable (a relative path, a non-empty folder, a bad branch name).
        case invalidArgument
        /// Any other libgit2 failure.
        case libgit2
    }

    /// The kind of failure.
    package var code: Code
    /// What failed, on what (quoting the path or revision), and what to do.
    package var message: String
    /// The libgit2 C function that failed, if one did.
    package var function: String?
    /// libgit2's error class (`git_error_t`), if libgit2 reported one.
    package var gitErrorClass: Int32?

    /// Makes an error.
    ///
    /// - Parameters:
    ///   - code: the kind of failure.
    ///   - message: the full, actionable message.
    ///   - function: the libgit2 function that failed.
    ///   - gitErrorClass: libgit2's error class.
    ///   - cause: the Swift error underneath (a file system call's), when there was one.
    package init(
        _ code: Code, _ message: String, function: String? = nil, gitErrorClass: Int32? = nil,
        cause: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.function = function
        self.gitErrorClass = gitErrorClass
        self.cause = cause
    }

    /// The Swift error underneath, when there was one (libgit2's own failures are ``function`` and
    /// ``gitErrorClass``).
    package var cause: (any Error)?

    /// The message.
    package var description: String { message }
}

/// libgit2's last error on this thread, read at once after a failing call.
struct LibgitFailure {
    /// The return code of the failing call.
    var status: Int32
    /// The C function that failed.
    var function: String
    /// libgit2's message, or a fallback naming the function and code.
    var detail: String
    /// libgit2's error class, when it set one.
    var errorClass: Int32?

    /// Reads `git_error_last()`; call it right after `function` returned `status` < 0, before any other libgit2 call.
    init(status: Int32, function: String) {
        self.status = status
        self.function = function
        if let last = git_error_last(), let text = last.pointee.message {
            detail = String(cString: text).trimmingCharacters(in: [" ", "\n", "."])
            errorClass = last.pointee.klass
        } else {
            detail = "\(function) returned \(status)"
            errorClass = nil
        }
    }

    /// Whether libgit2 said "not found".
    var isNotFound: Bool { status == GIT_ENOTFOUND.rawValue }

    /// A `GitError` with `code` whose message is `what` followed by libgit2's detail.
    func error(_ code: GitError.Code, _ what: String) -> GitError {
        GitError(code, "\(what): \(detail).", function: function, gitErrorClass: errorClass)
    }
}

/// Runs a libgit2 call; on a negative result, reads the last error at once and throws `code` with `what`.
func check(
    _ status: Int32,
    _ function: String,
    _ code: GitError.Code = .libgit2,
    _ what: @autoclosure () -> String
) throws(GitError) {
    guard status < 0 else { return }
    throw LibgitFailure(status: status, function: function).error(code, what())
}
