// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension Scenarios {
    /// The daemon's API under load: `wrk` with 50 connections on `GET /api/v1/pipelines/ID` against the same load on
    /// `GET /healthz` (the server's cost with no store read), and the daemon's memory before and under that load.
    static func api(_ context: BenchContext) throws -> [BenchRow] {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            throw BenchError("wrk is not installed (Debian: wrk; scripts/install-deps.sh installs it)")
        }
        let config =
            "version: 2.1\njobs:\n  build:\n    steps:\n      - run: \"true\"\nworkflows:\n  w:\n    jobs: [build]\n"
        let watched = try Watched(config: config)
        defer { try? FileManager.default.removeItem(atPath: watched.root) }
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: BenchFixtures.ciboxBinary)
        daemon.arguments = ["daemon", "--home", watched.home, "--listen", "127.0.0.1:0"]
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        defer {
            daemon.terminate()
            daemon.waitUntilExit()
        }
        let base = try address(home: watched.home)
        try watched.commitAndPush("one pipeline")
        let store = try PipelineStore(home: watched.home)
        var id: Int64?
        for _ in 0..<400 where id == nil {
            usleep(50_000)
            id = try store.history.pipelines(limit: 1).first.flatMap { $0.status.isFinal ? $0.id : nil }
        }
        guard let id else { throw BenchError("the daemon did not run the pushed pipeline within 20 s") }
        let pid = daemon.processIdentifier
        let idle = memory(of: pid)
        let seconds = 10
        let healthz = try load(base + "/healthz", seconds: seconds)
        let peak = Mutex(idle)
        let sampling = Atomic(true)
        let sampler = Thread {
            while sampling.load(ordering: .relaxed) {
                let now = memory(of: pid)
                peak.withLock {
                    $0 = (resident: max($0.resident, now.resident), anonymous: max($0.anonymous, now.anonymous))
                }
                usleep(100_000)
            }
        }
        sampler.start()
        let shown = try load(base + "/api/v1/pipelines/\(id)", seconds: seconds)
        sampling.store(false, ordering: .relaxed)
        usleep(200_000)
        let loaded = peak.withLock { $0 }
        let after = memory(of: pid)
        return [
            BenchRow(
                scenario: "api: GET /api/v1/pipelines/ID, requests/s (wrk, 2 threads, 50 connections, \(seconds) s; "
                    + "p50 \(shown.p50))",
                figure: shown.rate, baseline: healthz.rate, unit: "req/s",
                baselineName: "GET /healthz, same load (p50 \(healthz.p50))", goal: "—"),
            BenchRow(
                scenario: "api: daemon RSS, peak under that load (anonymous \(format(loaded.anonymous)) MB; "
                    + "after it \(format(after.resident)) MB)",
                figure: loaded.resident, baseline: idle.resident, unit: "MB",
                baselineName: "idle after one pipeline (anonymous \(format(idle.anonymous)) MB)",
                goal: "—"),
        ]
    }

    /// The API's address, once the daemon has written it.
    private static func address(home: String) throws -> String {
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: home + "/http.address", encoding: .utf8), text.hasSuffix("\n") {
                return String(text.dropLast())
            }
            usleep(50_000)
        }
        throw BenchError("the daemon wrote no http.address within 10 s")
    }

    /// `wrk` on `url`: requests per second and the median latency; every answer must be a 2xx.
    private static func load(_ url: String, seconds: Int) throws -> (rate: Double, p50: String) {
        let output = try BenchFixtures.output(
            "/usr/bin/wrk", ["-t", "2", "-c", "50", "-d", "\(seconds)s", "--latency", url])
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        if let bad = lines.first(where: { $0.hasPrefix("Non-2xx") || $0.hasPrefix("Socket errors") }) {
            throw BenchError("wrk on \(url): \(bad)")
        }
        guard let rateLine = lines.first(where: { $0.hasPrefix("Requests/sec:") }),
            let rate = Double(rateLine.dropFirst("Requests/sec:".count).trimmingCharacters(in: .whitespaces))
        else { throw BenchError("wrk printed no rate:\n\(output)") }
        let p50 = lines.first { $0.hasPrefix("50%") }.map { $0.dropFirst(3).trimmingCharacters(in: .whitespaces) }
        return (rate, p50 ?? "?")
    }

    /// Resident and private anonymous memory of process `pid`, in MB (`/proc/PID/smaps_rollup`).
    private static func memory(of pid: Int32) -> (resident: Double, anonymous: Double) {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Double {
            let line = text.split(separator: "\n").first { $0.hasPrefix(name + ":") } ?? ""
            return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
        }
        return (field("Rss"), field("Anonymous"))
    }

    private static func format(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
