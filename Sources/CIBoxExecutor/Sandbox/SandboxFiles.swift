// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
package import CIBoxTestResults

/// The file work of the built-in steps (checkout, caches, workspaces, artifacts, test results, `checksum`), done with
/// the job's rights in the job's view of the files: every path is as the job sees it (see ``SandboxView``), and is
/// opened as the job's user, so a built-in step can do nothing the job's own `run:` step could not do.
///
/// Paths on the other side (cache and workspace archives, the artifact folder) are cibox's own, on this machine.
/// Safe from any task. Errors are ``ExecutorError``s whose message names the path and why; a refused path is such an
/// error. Cancelling the calling task stops the work.
package protocol SandboxFiles: Sendable {
    /// What is at `path` (a link is reported as a link), or nil when nothing is (or the job may not look).
    func kind(of path: String) async -> FileKind?

    /// The SHA-256 of the file at `path` (links followed).
    /// - Throws: when the job cannot read it.
    func sha256(of path: String) async throws(ExecutorError) -> [UInt8]

    /// The entries under `root` that the workspace glob `pattern` matches, relative to `root` (see
    /// ``WorkspaceGlob``).
    /// - Throws: `refused` when the job's user may not list `root`.
    func glob(_ pattern: String, root: String) async throws(ExecutorError) -> [String]

    /// Writes a tar + zstd archive of `sources` (a path in the job's view, its name in the archive) to `archive`, a
    /// file of cibox's own; a missing source is skipped and noted.
    func archive(_ sources: [(path: String, name: String)], to archive: String, note: (String) -> Void)
        async throws(ExecutorError)

    /// Unpacks `archive` (a file of cibox's own) into `directory` in the job's view; nothing is written outside it.
    /// - Returns: the number of entries unpacked.
    func extract(_ archive: String, into directory: String) async throws(ExecutorError) -> Int

    /// How much `export` would store of `source`.
    func measure(_ source: String) async throws(ExecutorError) -> ExportSize

    /// Copies the file or folder at `source` (job's view) to `target`, a path of cibox's own (sparse files stay
    /// sparse).
    /// - Parameter note: told about each entry refused or skipped.
    /// - Returns: the number of entries stored.
    func export(_ source: String, to target: String, note: (String) -> Void) async throws(ExecutorError) -> Int

    /// Reads the JUnit XML at `path` (a file, or every `*.xml` under a folder); what is missing or malformed is a
    /// warning of the report.
    /// - Throws: `refused` when the job's user may not read `path`.
    func readTestResults(at path: String) async throws(ExecutorError) -> JUnitReport

    /// Materialises `source` at `directory` (the `checkout` step) and returns a line for the step's log.
    /// - Throws: when the checkout fails; the message says why.
    func checkout(_ source: any SourceCheckout, into directory: String) async throws -> String
}

/// What a path names.
package enum FileKind: Sendable, Equatable {
    case file
    case folder
    case link
    case other
}
