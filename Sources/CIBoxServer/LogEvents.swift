// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import CIBoxPresentation
import CIBoxStore
import Foundation
import NIOCore

/// The Server-Sent Events of `GET /api/v1/jobs/ID/log/stream`: a job run's output from its start, then live as it is
/// written, then an `end` event with the job's status.
///
/// The output is what `cibox logs --follow` prints: the image pulls under `==> Spin up environment` when there were
/// any, then each step's output under `==> step N: NAME` once the step starts. Each `log` event's data is one JSON
/// string of the next bytes (invalid UTF-8 as U+FFFD; `GET …/log` has the raw bytes), its `id` the count of bytes
/// sent so far, so a client that reconnects with `Last-Event-ID` gets only what it lacks. A comment line keeps
/// quiet connections open through proxies.
struct LogEvents: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let store: PipelineStore
    let jobID: Int64
    /// Bytes the client already has (its `Last-Event-ID`).
    let resumeAt: Int
    /// How often the files and the job's status are looked at.
    var interval: Duration = .milliseconds(100)
    /// How long a quiet stream waits before a keep-alive comment.
    var keepAlive: Duration = .seconds(15)

    func makeAsyncIterator() -> Iterator {
        Iterator(events: self)
    }

    /// Where the stream is: the part being read (the environment log, then each step) and how much of it was read.
    struct Iterator: AsyncIteratorProtocol {
        let events: LogEvents
        /// -1: the environment log; 0…: steps, in order of their index.
        var part = -1
        var offset: UInt64 = 0
        var headerSent = false
        /// Bytes of output made so far (sent, or skipped for a resumed client).
        var position = 0
        var ended = false
        var quietSince = ContinuousClock.now
        /// Read but not sent: the start of a character whose other bytes are not written yet.
        var pending = Data()

        init(events: LogEvents) {
            self.events = events
        }

        mutating func next() async throws -> ByteBuffer? {
            while !ended {
                let (output, status) = try await Blocking.run { [self] in try self.poll() }
                // State moves as `poll` read; it runs on the pool, so its results come back here.
                part = output.part
                offset = output.offset
                headerSent = output.headerSent
                pending.append(output.bytes)
                let ready = status == nil ? Self.wholeCharacters(pending) : pending.count
                let start = position
                position += ready
                let unsent = pending.prefix(ready).dropFirst(Swift.max(0, events.resumeAt - start))
                pending = Data(pending.dropFirst(ready))
                if !unsent.isEmpty {
                    quietSince = .now
                    return Self.event(
                        "log", id: position, data: .string(String(decoding: unsent, as: UTF8.self)))
                }
                if let status {
                    ended = true
                    return Self.event("end", id: nil, data: .object([("status", .string(status.rawValue))]))
                }
                if ContinuousClock.now - quietSince >= events.keepAlive {
                    quietSince = .now
                    return ByteBuffer(string: ": keep-alive\n\n")
                }
                try await Task.sleep(for: events.interval)
            }
            return nil
        }

        /// What one look found: the new bytes and where reading stands; the job's status once it ended and every
        /// part was read to its end.
        func poll() throws -> (output: (bytes: Data, part: Int, offset: UInt64, headerSent: Bool), status: JobStatus?) {
            let store = events.store
            guard let detail = try store.history.jobDetail(id: events.jobID) else {
                return ((Data(), part, offset, headerSent), .canceled)
            }
            // Read after looking at the status: a job or step seen ended has written all its output.
            let jobEnded = detail.job.status.isFinal
            let steps = detail.steps.sorted { $0.index < $1.index }
            var (bytes, part, offset, headerSent) = (Data(), self.part, self.offset, self.headerSent)
            while true {
                if part == -1 {
                    let path = store.environmentLogPath(jobID: events.jobID)
                    let data = JobLog.read(path, from: offset)
                    if !data.isEmpty {
                        if offset == 0 { bytes.append(Data("==> Spin up environment\n".utf8)) }
                        bytes.append(data)
                        offset += UInt64(data.count)
                    }
                    guard jobEnded || steps.contains(where: { $0.status != .queued }) else { break }
                    if offset > 0, Self.endsWithoutNewline(path, size: offset) { bytes.append(UInt8(ascii: "\n")) }
                    (part, offset, headerSent) = (0, 0, false)
                    continue
                }
                guard part < steps.count else { break }
                let step = steps[part]
                let stepEnded = jobEnded || (step.status != .queued && step.status != .running)
                guard stepEnded || step.status == .running else { break }
                if !headerSent {
                    let name = step.name.split(separator: "\n").first.map(String.init) ?? step.name
                    bytes.append(Data("==> step \(step.index): \(name)\n".utf8))
                    headerSent = true
                }
                let path = store.logPath(jobID: events.jobID, step: step.index)
                let data = JobLog.read(path, from: offset)
                bytes.append(data)
                offset += UInt64(data.count)
                guard stepEnded else { break }
                if offset > 0, Self.endsWithoutNewline(path, size: offset) { bytes.append(UInt8(ascii: "\n")) }
                (part, offset, headerSent) = (part + 1, 0, false)
            }
            let done = jobEnded && part >= steps.count
            return ((bytes, part, offset, headerSent), done ? detail.job.status : nil)
        }

        /// How many bytes of `bytes` end on a character's boundary: all but an unfinished UTF-8 sequence at the end.
        static func wholeCharacters(_ bytes: Data) -> Int {
            let count = bytes.count
            var index = count - 1
            var continuations = 0
            // Back over at most three continuation bytes (10xxxxxx) to the sequence's lead byte.
            while index >= 0, continuations < 3, bytes[bytes.startIndex + index] & 0xC0 == 0x80 {
                index -= 1
                continuations += 1
            }
            guard index >= 0 else { return count }
            let lead = bytes[bytes.startIndex + index]
            let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
            return continuations + 1 < length ? index : count
        }

        /// Whether the first `size` bytes of `path` end without a newline.
        static func endsWithoutNewline(_ path: String, size: UInt64) -> Bool {
            JobLog.read(path, from: size - 1).first != UInt8(ascii: "\n")
        }

        /// One event: `event: NAME`, `id: ID` when given, and `data` as one line of JSON.
        static func event(_ name: String, id: Int?, data: JSONValue) -> ByteBuffer {
            var text = "event: \(name)\n"
            if let id { text += "id: \(id)\n" }
            text += "data: \(data.rendered(pretty: false))\n\n"
            return ByteBuffer(string: text)
        }
    }
}
