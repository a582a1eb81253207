// cibox — CI in a box. MIT licence, see LICENSE.

/// Faults while storing or restoring caches, workspace layers or artifacts are ``ExecutorError``s (the module
/// has one error type); this name keeps the storage code readable.
///
/// A user's mistake inside a job (a missing path, an escaping destination) is not an error of this kind: the
/// step logs it and fails or succeeds as CircleCI would. These errors are for archives that cannot be written
/// or read, and for archive entries refused as unsafe.
package typealias StorageError = ExecutorError
