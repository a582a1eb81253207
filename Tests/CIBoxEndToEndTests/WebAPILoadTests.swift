// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Many clients at once: every read answered, and the pipeline running meanwhile not held up by them.
@Suite(.serialized, .machineSlot) struct WebAPILoadTests {
    /// One client: a keep-alive connection sending `requests` reads in turn (HTTP/1.1), each answer checked.
    final class Client {
        let fd: Int32
        var buffered: [UInt8] = []

        init(port: UInt16) throws {
            guard let fd = LoopbackSocket.connect(port: port) else {
                throw FixtureError("cannot connect to port \(port): errno \(errno)")
            }
            self.fd = fd
        }

        deinit { close(fd) }

        /// `GET path`: the status and the body.
        func get(_ path: String) throws -> (Int, [UInt8]) {
            let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
            guard write(fd, request, request.count) == request.count else { throw FixtureError("cannot send") }
            let head = try readUntilBlankLine()
            let lines = head.components(separatedBy: "\r\n")
            let status = Int(lines[0].split(separator: " ").dropFirst().first ?? "") ?? 0
            let length =
                lines.first { $0.lowercased().hasPrefix("content-length:") }.flatMap {
                    Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces))
                } ?? 0
            return (status, try read(length))
        }

        private func fill() throws {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = Glibc.read(fd, &chunk, chunk.count)
            guard count > 0 else { throw FixtureError("the server closed the connection") }
            buffered += chunk[0..<count]
        }

        private func readUntilBlankLine() throws -> String {
            let blank: [UInt8] = [13, 10, 13, 10]
            while true {
                if let end = (0..<max(0, buffered.count - 3)).first(where: { Array(buffered[$0..<$0 + 4]) == blank }) {
                    let head = String(decoding: buffered[0..<end], as: UTF8.self)
                    buffered.removeFirst(end + 4)
                    return head
                }
                try fill()
            }
        }

        private func read(_ count: Int) throws -> [UInt8] {
            while buffered.count < count { try fill() }
            let body = Array(buffered[0..<count])
            buffered.removeFirst(count)
            return body
        }
    }

    @Test(.timeLimit(.minutes(5))) func fiftyClientsTimesFourHundredReadsAreAllAnsweredWhileAPipelineRuns() async throws
    {
        let config = """
            version: 2.1
            jobs:
              slow:
                steps:
                  - run: for i in 1 2 3 4 5 6 7 8 9 10; do echo "tick $i"; sleep 0.3; done
            workflows:
              w:
                jobs: [slow]
            """
        let served = try await WebAPIActionTests.Served(config: config)
        try await withCleanup {
            // A finished pipeline to read, and one running through the load.
            let done = try WebAPIActionTests.id(try await served.post("/api/v1/projects/app/pipelines"))
            let finished = try await served.pipeline(done) { $0.string("status") == "success" }
            let job = try #require(finished.objects("workflows").first?.objects("jobs").first?.int("id"))
            let expected = Array(try await HTTPReply.get(served.base + "/api/v1/pipelines/\(done)").body)
            let running = try WebAPIActionTests.id(try await served.post("/api/v1/projects/app/pipelines"))
            _ = try await served.pipeline(running) { $0.string("status") == "running" }

            let port = try #require(UInt16(served.base.split(separator: ":").last ?? ""))
            let paths = [
                "/api/v1/pipelines/\(done)", "/api/v1/pipelines?limit=5", "/api/v1/jobs/\(job)", "/api/v1/status",
            ]
            let (clients, reads) = (50, 400)
            let answered = Atomic(0)
            let failures = Mutex<[String]>([])
            let threads = (0..<clients).map { index in
                Thread {
                    do {
                        let client = try Client(port: port)
                        for read in 0..<reads {
                            let path = paths[(index + read) % paths.count]
                            let (status, body) = try client.get(path)
                            guard status == 200, path != paths[0] || body == expected else {
                                throw FixtureError("\(path): \(status)")
                            }
                            answered.add(1, ordering: .relaxed)
                        }
                    } catch {
                        failures.withLock { $0.append("client \(index): \(error)") }
                    }
                }
            }
            for thread in threads { thread.start() }
            while answered.load(ordering: .relaxed) + failures.withLock({ $0.count }) * reads < clients * reads {
                try await Task.sleep(for: .milliseconds(100))
                if failures.withLock({ !$0.isEmpty }) { break }
            }
            #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
            #expect(answered.load(ordering: .relaxed) == clients * reads)
            // The pipeline that ran meanwhile ended well, every tick in its log.
            let ended = try await served.pipeline(running) { ($0.string("status") ?? "running") != "running" }
            #expect(ended.string("status") == "success")
            let runningJob = try #require(ended.objects("workflows").first?.objects("jobs").first?.int("id"))
            let log = try await HTTPReply.get(served.base + "/api/v1/jobs/\(runningJob)/log").text
            #expect(log.contains("tick 1\n") && log.contains("tick 10\n"))
        } cleanup: {
            await served.stop()
        }
    }
}
