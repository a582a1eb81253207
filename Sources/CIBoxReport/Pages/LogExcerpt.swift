// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// The part of a step's log a job page shows: all of it, or its first and last part when it is long.
struct LogExcerpt: Equatable {
    /// The whole log, or its first part.
    var head: [UInt8]
    /// The last part, when the log was cut.
    var tail: [UInt8]?
    /// Bytes left out between `head` and `tail`.
    var omittedBytes: Int64
    /// The whole raw log (the static report's copy, the server's API), when the log was cut.
    var rawLink: PageTarget?

    /// The whole log's size in bytes.
    var totalBytes: Int64 { Int64(head.count + (tail?.count ?? 0)) + omittedBytes }

    /// The excerpt of the file at `path`: whole up to `2 × limit` bytes, else about `limit` bytes from each end,
    /// cut at line ends where there is one nearby. A missing file is an empty log.
    static func read(path: String, limit: Int) -> LogExcerpt {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return LogExcerpt(head: [], tail: nil, omittedBytes: 0)
        }
        defer { try? handle.close() }
        let size = Int64((try? handle.seekToEnd()) ?? 0)
        try? handle.seek(toOffset: 0)
        if size <= Int64(limit) * 2 {
            return LogExcerpt(head: Array((try? handle.readToEnd()) ?? Data()), tail: nil, omittedBytes: 0)
        }
        var head = Array((try? handle.read(upToCount: limit)) ?? Data())
        if let lastNewline = head.lastIndex(of: 0x0A), lastNewline > limit / 2 {
            head.removeSubrange((lastNewline + 1)...)
        }
        try? handle.seek(toOffset: UInt64(size - Int64(limit)))
        var tail = Array((try? handle.readToEnd()) ?? Data())
        if let firstNewline = tail.firstIndex(of: 0x0A), firstNewline < limit / 2 {
            tail.removeSubrange(...firstNewline)
        }
        return LogExcerpt(head: head, tail: tail, omittedBytes: size - Int64(head.count) - Int64(tail.count))
    }
}
