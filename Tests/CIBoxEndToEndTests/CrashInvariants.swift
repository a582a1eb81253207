// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation

/// The promises of DESIGN.md's "Reliability and security invariants" that a `kill -9` of the daemon must keep,
/// checked between the state just after the kill (`before`, read before the restart) and the state after the
/// restarted daemon recovered (`after`). Each broken promise is one line that starts with the invariant's name.
struct CrashInvariants {
    let home: String
    let before: HistorySnapshot
    let after: HistorySnapshot
    /// The restarted daemon's pid: the only owner a pipeline still open may have.
    let daemonPID: Int32
    /// Each pushed commit's marker (the number its config's processes carry).
    let markers: [String: Int]
    private(set) var violations: [String] = []

    init(home: String, before: HistorySnapshot, after: HistorySnapshot, daemonPID: Int32, markers: [String: Int]) {
        self.home = home
        self.before = before
        self.after = after
        self.daemonPID = daemonPID
        self.markers = markers
    }

    /// Records a broken invariant.
    mutating func fail(_ invariant: String, _ detail: String) {
        violations.append("[\(invariant)] \(detail)")
    }

    /// Checks every invariant that needs no waiting.
    mutating func checkAll() async {
        await checkIntegrity()
        checkCommittedRowsKept()
        checkInterruptedRunsMarked()
        checkNoDeadOwner()
        checkLogsKept()
        checkLogSizesRecorded()
        checkFinishedRunsSucceeded()
        checkReportPagesWhole()
        checkWorkFoldersRemoved()
    }

    /// `work-folders-removed`: recovery removes the folders of the jobs it interrupted (a job's folder goes when
    /// the job ends), so that crashes do not fill the disk with them.
    mutating func checkWorkFoldersRemoved() {
        for job in before.jobs.values where job.status == "running" {
            guard let pipeline = before.pipelines[job.pipelineID],
                !HistorySnapshot.isFinal(pipelineStatus: pipeline.status)
            else { continue }
            if FileManager.default.fileExists(atPath: "\(home)/work/\(job.id)") {
                fail(
                    "work-folders-removed",
                    "the folder work/\(job.id) of interrupted job \(job.id) (\(job.name)) is left")
            }
        }
    }

    /// `integrity`: SQLite finds the database sound.
    mutating func checkIntegrity() async {
        let result = (try? await SQLiteShell.integrityCheck(home + "/cibox.sqlite")) ?? "sqlite3 could not run"
        if result != "ok" { fail("integrity", "PRAGMA integrity_check says: \(result)") }
    }

    /// `committed-rows-kept`: every pipeline, job and step row committed before the kill is still there, and a
    /// pipeline or job that had finished keeps its status.
    mutating func checkCommittedRowsKept() {
        for (id, pipeline) in before.pipelines {
            guard let now = after.pipelines[id] else {
                fail("committed-rows-kept", "pipeline \(id) (\(pipeline.status)) is gone")
                continue
            }
            if HistorySnapshot.isFinal(pipelineStatus: pipeline.status), now.status != pipeline.status {
                fail("committed-rows-kept", "pipeline \(id) had finished \(pipeline.status), now \(now.status)")
            }
        }
        for (id, job) in before.jobs {
            guard let now = after.jobs[id] else {
                fail("committed-rows-kept", "job \(id) (\(job.name), \(job.status)) is gone")
                continue
            }
            if HistorySnapshot.isFinal(jobStatus: job.status), now.status != job.status {
                fail("committed-rows-kept", "job \(id) (\(job.name)) had finished \(job.status), now \(now.status)")
            }
        }
        for key in before.steps.keys where after.steps[key] == nil {
            fail("committed-rows-kept", "\(key) is gone")
        }
    }

    /// `interrupted-marked`: every pipeline the killed daemon left open is `failed` as interrupted, its running
    /// and queued jobs `interrupted`, its blocked jobs `not_run`, and none of its steps still `running`.
    mutating func checkInterruptedRunsMarked() {
        for pipeline in before.pipelines.values where !HistorySnapshot.isFinal(pipelineStatus: pipeline.status) {
            guard let now = after.pipelines[pipeline.id] else { continue }
            if now.status != "failed" || !(now.errorMessage ?? "").contains("interrupted") {
                fail(
                    "interrupted-marked",
                    "pipeline \(pipeline.id) was \(pipeline.status) at the kill; after recovery it is \(now.status) "
                        + "(\(now.errorMessage ?? "no message")), not failed as interrupted")
            }
            for job in before.jobs(ofPipeline: pipeline.id) {
                guard let jobNow = after.jobs[job.id] else { continue }
                let expected: String? =
                    switch job.status {
                    case "running", "queued": "interrupted"
                    case "blocked": "not_run"
                    default: nil
                    }
                if let expected, jobNow.status != expected {
                    fail(
                        "interrupted-marked",
                        "job \(job.id) (\(job.name)) was \(job.status) at the kill; after recovery it is "
                            + "\(jobNow.status), not \(expected)")
                }
                if expected == "interrupted", jobNow.failureReason != "interrupted" {
                    fail(
                        "interrupted-marked",
                        "job \(job.id) (\(job.name)) has failure_reason \(jobNow.failureReason ?? "null")")
                }
                for step in after.steps(ofJob: job.id) where step.status == "running" {
                    fail("interrupted-marked", "\(step.key) (\(step.name)) is still running after recovery")
                }
            }
        }
    }

    /// `no-dead-owner`: no pipeline is queued or running unless the restarted daemon runs it.
    mutating func checkNoDeadOwner() {
        for pipeline in after.pipelines.values where !HistorySnapshot.isFinal(pipelineStatus: pipeline.status) {
            if let owner = pipeline.ownerPid, owner != Int(daemonPID) {
                fail(
                    "no-dead-owner",
                    "pipeline \(pipeline.id) is \(pipeline.status) with owner pid \(owner), which is not the daemon")
            }
            if pipeline.ownerPid == nil, before.pipelines[pipeline.id] != nil {
                fail("no-dead-owner", "pipeline \(pipeline.id) is \(pipeline.status) and no process owns it")
            }
        }
    }

    /// `logs-kept`: every step log is exactly as long as at the kill, and the `output` job's logs hold its
    /// numbered lines in order, none lost or repeated, up to the kill.
    mutating func checkLogsKept() {
        for (key, size) in before.logSizes {
            let now = after.logSizes[key]
            if now != size {
                fail(
                    "logs-kept",
                    "the log of \(key) had \(size) bytes at the kill, now \(now.map(String.init) ?? "none")")
            }
        }
        for job in before.jobs.values where job.name == "output" {
            let key = StepKey(jobID: job.id, position: 1)
            guard before.logSizes[key] != nil,
                let data = FileManager.default.contents(atPath: HistorySnapshot.logPath(home: home, key))
            else { continue }
            var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            _ = lines.popLast()  // the part after the last newline: empty, or a line the kill cut
            for (index, line) in lines.enumerated() where !line.hasPrefix("line \(index + 1) ") {
                fail("logs-kept", "the log of \(key) has '\(line.prefix(20))' where line \(index + 1) belongs")
                break
            }
        }
    }

    /// `log-size-recorded`: each finished or interrupted step's recorded log size is its log file's size.
    mutating func checkLogSizesRecorded() {
        for step in after.steps.values where !["queued", "running"].contains(step.status) {
            let size = after.logSizes[step.key] ?? 0
            if step.logBytes != size {
                fail(
                    "log-size-recorded",
                    "\(step.key) (\(step.name), \(step.status)) records \(step.logBytes) log bytes; the file has \(size)"
                )
            }
        }
    }

    /// `finished-means-success`: the config always passes, so a pipeline that ended without being interrupted
    /// succeeded, and no job failed (a job that fails after a crash lost something an earlier one left).
    mutating func checkFinishedRunsSucceeded() {
        for pipeline in after.pipelines.values where HistorySnapshot.isFinal(pipelineStatus: pipeline.status) {
            let interrupted = (pipeline.errorMessage ?? "").hasPrefix("interrupted")
            if !interrupted, pipeline.status != "success" {
                fail(
                    "finished-means-success",
                    "pipeline \(pipeline.id) ended \(pipeline.status) (\(pipeline.errorMessage ?? "no message"))")
            }
        }
        for job in after.jobs.values where job.status == "failed" {
            fail(
                "finished-means-success",
                "job \(job.id) (\(job.name)) of pipeline \(job.pipelineID) failed (\(job.failureReason ?? "?"))")
        }
    }

    /// `report-whole`: every page of the HTML report is a whole page (pages are written to a temporary file
    /// and renamed, so a kill never leaves half a page).
    mutating func checkReportPagesWhole() {
        let root = home + "/reports"
        let files = FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []
        for file in files where file.hasSuffix(".html") {
            let text = (try? String(contentsOfFile: root + "/" + file, encoding: .utf8)) ?? ""
            if !text.contains("</html>") { fail("report-whole", "reports/\(file) is not a whole page") }
        }
    }

    /// `report-current`: the report page of each pipeline recovery marked shows it failed (not `running`
    /// forever). Waits a few seconds: the daemon writes pages off its event path.
    mutating func checkReportCurrent() async throws {
        let open = before.pipelines.values.filter { !HistorySnapshot.isFinal(pipelineStatus: $0.status) }
        let pages = open.map { (id: $0.id, path: "\(home)/reports/pipelines/\($0.id)/index.html") }
        let failed = "<dt>Status</dt><dd><span class=\"status status-failed\">"
        let shown = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        _ = try await eventually(seconds: 5) { pages.allSatisfy { shown($0.path).contains(failed) } }
        for page in pages where !shown(page.path).contains(failed) {
            let status = shown(page.path).isEmpty ? "no page" : "a page that does not say failed"
            fail("report-current", "pipeline \(page.id) was marked interrupted, but the report has \(status)")
        }
    }

    /// `no-job-process`: nothing an interrupted job started is alive: not its step shells, not the `setsid`
    /// child that only a cgroup kill reaches. Waits a few seconds for the kernel to finish the kills.
    mutating func checkNoJobProcess() async throws {
        let jobs = before.jobs.values.filter { job in
            guard let pipeline = before.pipelines[job.pipelineID] else { return false }
            return job.status == "running" && !HistorySnapshot.isFinal(pipelineStatus: pipeline.status)
        }
        var markers: [(job: HistorySnapshot.Job, text: String)] = []
        for job in jobs {
            markers.append((job, "\(home)/work/\(job.id)/"))
            if let revision = before.pipelines[job.pipelineID]?.revision, let marker = self.markers[revision] {
                markers.append((job, "sleep 1\(marker).\(job.id) "))
            }
        }
        _ = try await eventually(seconds: 5) { markers.allSatisfy { processCount(containing: $0.text) == 0 } }
        for (job, text) in markers {
            let pids = processIDs(containing: text)
            if !pids.isEmpty {
                fail("no-job-process", "job \(job.id) (\(job.name)) left processes \(pids) ('\(text)') alive")
            }
        }
    }
}
