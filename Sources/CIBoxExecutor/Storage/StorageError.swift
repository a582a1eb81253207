// cibox — CI in a box. MIT licence, see LICENSE.

/// A fault while storing or restoring caches, workspace layers or artifacts under `$CIBOX_HOME`.
///
/// A user's mistake inside a job (a missing path, an escaping destination) is not an error of this kind: the
/// step logs it and fails or succeeds as CircleCI would. This error is for archives that cannot be written or
/// read, and for archive entries refused as unsafe.
package struct StorageError: Error, CustomStringConvertible, Sendable {
    /// What kind of fault.
    package enum Code: String, Sendable {
        /// libarchive reported a failure.
        case archive
        /// An archive entry would be written outside its target folder.
        case unsafeEntry
        /// A file or folder of the store could not be read or written.
        case io
        /// A cache key template could not be rendered.
        case template
    }

    /// The kind of fault.
    package var code: Code
    /// What failed, on what path, and what to do.
    package var message: String

    /// Makes an error.
    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    package var description: String { message }
}
