// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import CIBoxStore
import Foundation
import Synchronization
import Testing

@testable import CIBoxServer

/// A store's ended job runs and a clock, both moved by the test.
private final class FakeHistory: Sendable {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    private let state = Mutex<(jobs: [EndedJob], now: Date, asked: [Date])>(([], Date(timeIntervalSince1970: 0), []))

    init() { state.withLock { $0.now = start } }

    /// Job run `id` of `project` ended `status` at `end` seconds after the start, having run `ran` seconds.
    func end(_ id: Int64, _ project: String, _ status: JobStatus, at end: Double, ran: Double?) {
        let finished = start.addingTimeInterval(end)
        let job = EndedJob(
            id: id, project: project, status: status, startedAt: ran.map { finished.addingTimeInterval(-$0) },
            finishedAt: finished)
        state.withLock { $0.jobs.append(job) }
    }

    func move(to seconds: Double) { state.withLock { $0.now = start.addingTimeInterval(seconds) } }
    var asked: [Date] { state.withLock { $0.asked } }

    func metrics() -> ServerMetrics {
        ServerMetrics(
            jobsEnded: { since in
                self.state.withLock { state in
                    state.asked.append(since)
                    return state.jobs.filter { $0.finishedAt >= since }
                }
            }, clock: { self.state.withLock { $0.now } })
    }
}

@Suite struct ServerMetricsTests {
    static let noStatus = JSONValue.object([])

    /// The lines of `text` that start with `prefix`.
    func lines(_ text: String, _ prefix: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    @Test func eachJobThatEndsIsCountedOnceWithItsProjectAndStatus() throws {
        let history = FakeHistory()
        history.end(1, "app", .success, at: -60, ran: 30)  // before the server started: not counted
        let metrics = history.metrics()
        history.end(2, "app", .success, at: 10, ran: 90)
        history.end(3, "app", .failed, at: 20, ran: 5)
        history.end(4, "lib \"x\"", .notRun, at: 21, ran: nil)
        history.move(to: 30)
        let first = try metrics.scrape(status: Self.noStatus)
        #expect(
            lines(first, "cibox_jobs_total").sorted() == [
                #"cibox_jobs_total{project="app",status="failed"} 1"#,
                #"cibox_jobs_total{project="app",status="success"} 1"#,
                #"cibox_jobs_total{project="lib \"x\"",status="not_run"} 1"#,
            ])
        #expect(lines(first, "# TYPE cibox_jobs_total") == ["# TYPE cibox_jobs_total counter"])

        // Scraped again: nothing new. Then a job run whose end came before the last look but was written after it.
        history.move(to: 40)
        #expect(try metrics.scrape(status: Self.noStatus) == first)
        history.end(5, "app", .success, at: 25, ran: 1)
        history.move(to: 50)
        let third = try metrics.scrape(status: Self.noStatus)
        #expect(
            lines(third, #"cibox_jobs_total{project="app",status="success"}"#) == [
                #"cibox_jobs_total{project="app",status="success"} 2"#
            ])
        // Each look reads from the one before it, less the lookback.
        #expect(
            history.asked.map { $0.timeIntervalSince(history.start) } == [-600, 30 - 600, 40 - 600])
    }

    @Test func jobsEndedLongBeforeARareScrapeAreStillCountedOnce() throws {
        let history = FakeHistory()
        let metrics = history.metrics()
        history.end(1, "app", .canceled, at: 100, ran: 3)
        history.move(to: 7200)
        #expect(
            lines(try metrics.scrape(status: Self.noStatus), "cibox_jobs_total") == [
                #"cibox_jobs_total{project="app",status="canceled"} 1"#
            ])
        history.end(2, "app", .canceled, at: 7300, ran: 3)
        history.move(to: 9000)
        #expect(
            lines(try metrics.scrape(status: Self.noStatus), "cibox_jobs_total") == [
                #"cibox_jobs_total{project="app",status="canceled"} 2"#
            ])
    }

    @Test func durationsFallInBucketsFromASecondToAnHour() throws {
        let history = FakeHistory()
        let metrics = history.metrics()
        history.end(1, "app", .success, at: 1, ran: 0.5)
        history.end(2, "app", .success, at: 2, ran: 45)
        history.end(3, "app", .success, at: 3, ran: 4000)
        history.end(4, "app", .success, at: 4, ran: nil)  // never started: counted, no duration
        history.move(to: 5)
        let text = try metrics.scrape(status: Self.noStatus)
        let series = #"{project="app",status="success""#
        #expect(
            lines(text, "cibox_job_duration_seconds") == [
                "cibox_job_duration_seconds_bucket\(series),le=\"1.0\"} 1",
                "cibox_job_duration_seconds_bucket\(series),le=\"5.0\"} 1",
                "cibox_job_duration_seconds_bucket\(series),le=\"10.0\"} 1",
                "cibox_job_duration_seconds_bucket\(series),le=\"30.0\"} 1",
                "cibox_job_duration_seconds_bucket\(series),le=\"60.0\"} 2",
                "cibox_job_duration_seconds_bucket\(series),le=\"120.0\"} 2",
                "cibox_job_duration_seconds_bucket\(series),le=\"300.0\"} 2",
                "cibox_job_duration_seconds_bucket\(series),le=\"600.0\"} 2",
                "cibox_job_duration_seconds_bucket\(series),le=\"1200.0\"} 2",
                "cibox_job_duration_seconds_bucket\(series),le=\"1800.0\"} 2",
                "cibox_job_duration_seconds_bucket\(series),le=\"2700.0\"} 2",
                "cibox_job_duration_seconds_bucket\(series),le=\"3600.0\"} 2",
                "cibox_job_duration_seconds_bucket\(series),le=\"+Inf\"} 3",
                "cibox_job_duration_seconds_sum\(series)} 4045.5",
                "cibox_job_duration_seconds_count\(series)} 3",
            ])
        #expect(lines(text, "cibox_jobs_total") == [#"cibox_jobs_total{project="app",status="success"} 4"#])
    }

    @Test func gaugesComeFromTheStatusObject() throws {
        let job = { (status: String) in JSONValue.object([("id", .int(1)), ("status", .string(status))]) }
        let status = JSONValue.object([
            ("jobs", .array([job("running"), job("queued"), job("queued"), job("running"), job("queued")])),
            ("capacity", .object([("millicores", .int(4000)), ("memory_bytes", .int(8_589_934_592))])),
            ("in_use", .object([("millicores", .int(1500)), ("memory_bytes", .int(1_073_741_824))])),
            ("projects", .array([])),
            ("pulls", .array([.object([("reference", .string("alpine:3"))])])),
        ])
        let text = try FakeHistory().metrics().scrape(status: status)
        #expect(
            lines(text, "cibox_").sorted() == [
                "cibox_capacity_cpus 4.0",
                "cibox_capacity_in_use_cpus 1.5",
                "cibox_capacity_in_use_memory_bytes 1073741824.0",
                "cibox_capacity_memory_bytes 8589934592.0",
                "cibox_jobs_queued 3.0",
                "cibox_jobs_running 2.0",
                "cibox_pulls_in_progress 1.0",
            ])
        #expect(lines(text, "# TYPE cibox_jobs_queued") == ["# TYPE cibox_jobs_queued gauge"])
    }

    @Test func aStoreThatCannotBeReadFailsTheScrapeAndCountsNothingTwice() throws {
        struct Unreadable: Error {}
        let failing = Mutex(true)
        let ended = EndedJob(
            id: 1, project: "app", status: .success, startedAt: nil, finishedAt: Date().addingTimeInterval(1))
        let metrics = ServerMetrics(jobsEnded: { _ in
            if failing.withLock({ $0 }) { throw Unreadable() }
            return [ended]
        })
        #expect(throws: Unreadable.self) { try metrics.scrape(status: Self.noStatus) }
        failing.withLock { $0 = false }
        for _ in 0..<2 {
            #expect(
                lines(try metrics.scrape(status: Self.noStatus), "cibox_jobs_total") == [
                    #"cibox_jobs_total{project="app",status="success"} 1"#
                ])
        }
    }
}
