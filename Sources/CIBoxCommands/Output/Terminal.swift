// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes to the terminal's streams without buffering surprises between stdout and stderr.
///
/// Text for people is a ``TerminalString``, whose interpolated names, messages and paths cannot drive the
/// terminal; data for programs (JSON, logs, YAML, file lists) goes out unchanged.
enum Terminal {
    /// Writes `text` to standard error.
    static func error(_ text: TerminalString) {
        FileHandle.standardError.write(Data(text.text.utf8))
    }

    /// Writes `text` to standard output.
    static func output(_ text: TerminalString) {
        FileHandle.standardOutput.write(Data(text.text.utf8))
    }

    /// Writes raw bytes to standard output (a job's log, byte for byte).
    static func output(_ data: Data) {
        FileHandle.standardOutput.write(data)
    }

    /// Writes data for programs to standard output as it is (YAML, a file list, a plan as JSON).
    static func output(data text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes `value` and a line break to standard output (`--json`).
    static func output(json value: JSONValue) {
        output(data: value.rendered() + "\n")
    }

    /// Prints `error: MESSAGE` on standard error, on one line: control characters in `message` are escaped.
    static func fail(_ message: String) {
        error("error: \(message)\n")
    }

    /// Prints each diagnostic on standard error (`FILE:LINE:COLUMN: error|warning: MESSAGE`, then its hint), with
    /// the control characters of its file, message and hint escaped.
    static func print(_ diagnostics: [Diagnostic]) {
        for diagnostic in diagnostics {
            error(TerminalString(verbatim: diagnostic.formatted(showing: TerminalString.escaped)) + "\n")
        }
    }

    /// Whether standard error is a terminal.
    static var isErrorATerminal: Bool { isatty(2) == 1 }
}
