// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// The last lines of a log file, read from its end so that huge logs cost nothing.
enum LogTail {
    /// The last `count` lines of the file at `path` (decoded leniently), or none when it cannot be read.
    static func lines(_ count: Int, of path: String) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let window: UInt64 = 64 * 1024
        try? handle.seek(toOffset: size > window ? size - window : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        var lines = split(String(decoding: data, as: UTF8.self))
        if lines.last == "" { lines.removeLast() }
        guard !lines.isEmpty else { return [] }
        if size > window, lines.count > 1 { lines.removeFirst() }
        return Array(lines.suffix(count))
    }

    /// `text` cut into lines at each line feed, a CR LF counting as one line break (its carriage return is not
    /// part of the line). A lone carriage return stays in its line.
    ///
    /// Splits on Unicode scalars: Swift's `Character` holds CR LF as one grapheme, which `split(separator: "\n")`
    /// would never cut.
    static func split(_ text: String) -> [String] {
        text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { scalars in
            var line = String.UnicodeScalarView(scalars)
            if line.last == "\r" { line.removeLast() }
            return String(line)
        }
    }
}
