// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes to the terminal's streams without buffering surprises between stdout and stderr.
enum Terminal {
    /// Writes `text` to standard error.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Writes `text` to standard output.
    static func output(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes raw bytes to standard output.
    static func output(_ data: Data) {
        FileHandle.standardOutput.write(data)
    }

    /// Prints `error: MESSAGE` on standard error.
    static func fail(_ message: String) {
        error("error: \(message)\n")
    }

    /// Whether standard error is a terminal.
    static var isErrorATerminal: Bool { isatty(2) == 1 }
}
