// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
package import CIBoxTestResults

/// The file work of the built-in steps (checkout, caches, workspaces, artifacts, test results, `checksum`), done in
/// the job's view of the files: every path is as the job sees it (see ``SandboxView``).
///
/// Paths on the other side (cache and workspace archives, the artifact folder) are cibox's own, on this machine.
/// Safe from any thread; each call is synchronous. Errors are ``ExecutorError``s whose message names the path and
/// why; a refused path is such an error.
package protocol SandboxFiles: Sendable {
    /// What is at `path` (a link is reported as a link), or nil when nothing is.
    func kind(of path: String) -> FileKind?

    /// The SHA-256 of the file at `path` (links followed).
    /// - Throws: when it cannot be read.
    func sha256(of path: String) throws(ExecutorError) -> [UInt8]

    /// The entries under `root` that the workspace glob `pattern` matches, relative to `root` (see
    /// ``WorkspaceGlob``).
    func glob(_ pattern: String, root: String) -> [String]

    /// Writes a tar + zstd archive of `sources` (a path in the job's view, its name in the archive) to
    /// `archive`, a file of cibox's own.
    /// - Returns: the archive's size in bytes.
    func archive(_ sources: [(path: String, name: String)], to archive: String) throws(ExecutorError) -> Int64

    /// Unpacks `archive` (a file of cibox's own) into `directory` in the job's view; nothing is written outside it.
    /// - Returns: the number of entries unpacked.
    func extract(_ archive: String, into directory: String) throws(ExecutorError) -> Int

    /// Copies the file or folder at `source` (job's view) to `target`, a folder of cibox's own.
    /// - Parameter log: told about each entry refused or skipped.
    /// - Returns: the number of files copied.
    func export(_ source: String, to target: String, log: (String) -> Void) throws(ExecutorError) -> Int

    /// Reads the JUnit XML at `path` (a file, or every `*.xml` under a folder).
    func readTestResults(at path: String) -> JUnitReport

    /// Materialises `source` at `directory` (the `checkout` step) and returns a line for the step's log.
    /// - Throws: when the checkout fails; the message says why.
    func checkout(_ source: any SourceCheckout, into directory: String) throws -> String
}

/// What a path names.
package enum FileKind: Sendable, Equatable {
    case file
    case folder
    case link
    case other
}
