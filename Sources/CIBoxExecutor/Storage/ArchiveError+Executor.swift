// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxArchives

extension ExecutorError {
    /// The executor's error for an archive's: the same code and message, the archive's error as the cause.
    init(_ error: ArchiveError) {
        let code: Code =
            switch error.code {
            case .archive: .archive
            case .unsafeEntry: .unsafeEntry
            case .io: .io
            }
        self.init(code, error.message, cause: error)
    }
}

/// Runs `body`, turning an archive's error into the executor's.
func archiving<T>(_ body: () throws(ArchiveError) -> T) throws(ExecutorError) -> T {
    do {
        return try body()
    } catch {
        throw ExecutorError(error)
    }
}
