// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation

/// The standard output of a command started in the background (``CLI/start(_:)``, ``BackgroundCommand``), kept in
/// an unlinked temporary file rather than a pipe: the command never blocks on a full pipe while the test is busy
/// elsewhere, and the test, which awaits the command's end (``Process/ended()``) before reading, never blocks on a
/// pipe still open.
struct CapturedOutput {
    /// Where the command writes.
    let writer: FileHandle
    private let reader: FileHandle

    /// Makes an empty file, open for writing (for the command) and for reading (for the test).
    init() throws {
        let path = FileManager.default.temporaryDirectory.path + "/cibox-stdout-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let writer = FileHandle(forWritingAtPath: path), let reader = FileHandle(forReadingAtPath: path)
        else { throw FixtureError("cannot make the output file '\(path)'") }
        try FileManager.default.removeItem(atPath: path)
        self.writer = writer
        self.reader = reader
    }

    /// Everything written so far; read it once the command has ended.
    func contents() throws -> Data {
        try reader.seek(toOffset: 0)
        return try reader.readToEnd() ?? Data()
    }
}
