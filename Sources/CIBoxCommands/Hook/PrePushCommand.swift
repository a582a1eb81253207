// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxEngine
import CIBoxExecutor
import CIBoxGit
import CIBoxModel
import CIBoxReport
import CIBoxStore
import Foundation
import Synchronization
import UnixSignals

/// `cibox pre-push`: what the pre-push hook runs. Reads git's lines on standard input and runs the pipeline on
/// each pushed commit, in its own checkout, unless a pipeline already passed on the same tree and config.
struct PrePushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pre-push",
        abstract: "Check the commits git is about to push (run by the pre-push hook).",
        discussion: """
            Reads '<local ref> <local sha> <remote ref> <remote sha>' lines on standard input, as git gives \
            them to a pre-push hook. Each pushed branch or tag runs its pipeline (the workflows whose filters \
            match the remote branch or tag, or those named with --workflow/--job) on the pushed commit, in a \
            checkout of its own: the work tree, index and stash are never touched. A pipeline that passed on the \
            same tree with the same config verifies the push at once. Deletions are skipped. Exit status: 0 the \
            push may go on, 1 a pipeline failed or was interrupted, 2 the config is invalid or cannot be read, \
            3 cibox could not use its state folder or database. CIBOX_SKIP=1 skips the checks.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Run only this workflow (repeatable).")
    var workflow: [String] = []

    @Option(help: "Run only this job (repeatable).")
    var job: [String] = []

    @Argument(help: "The remote's name, as git passes it to the hook.")
    var remote: String = ""

    @Argument(help: "The remote's URL, as git passes it to the hook.")
    var url: String = ""

    func run() async throws {
        let outcome = await PrePushFlow.check(
            home: global.homeDirectory, workflows: workflow, jobs: job)
        if outcome != .success { throw outcome }
    }

    /// The options of `cibox pre-push` as the hook passes them (`--home DIR`, `--workflow NAME`, `--job NAME`,
    /// `--`, then the remote's name and URL), read without ArgumentParser; nil for anything else (help, an
    /// unknown option, a missing value), which then goes through ArgumentParser and its messages.
    ///
    /// Why: git runs the hook on every push, and building ArgumentParser's command tree cost about 3 ms of the
    /// 15 ms the whole hook may take.
    static func fastOptions(_ arguments: [String]) -> (home: String?, workflows: [String], jobs: [String])? {
        var home: String?
        var workflows: [String] = []
        var jobs: [String] = []
        var positional = 0
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("-") {
                positional += 1
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            guard ["--home", "--workflow", "--job"].contains(argument), index < arguments.count else { return nil }
            let value = arguments[index]
            index += 1
            switch argument {
            case "--home": home = value
            case "--workflow": workflows.append(value)
            default: jobs.append(value)
            }
        }
        return positional <= 2 ? (home, workflows, jobs) : nil
    }
}

/// Checks each pushed ref in turn and stops at the first that blocks the push.
struct PrePushFlow {
    /// The state folder.
    let home: String
    /// `--workflow` names.
    let workflows: [String]
    /// `--job` names.
    let jobs: [String]
    /// Where the repository is (git runs hooks at the work tree's root).
    let repositoryPath: String

    /// Reads git's lines on standard input and checks them (unless `CIBOX_SKIP=1`); the hook's exit status.
    static func check(home: String, workflows: [String], jobs: [String]) async -> ExitCode {
        // getenv, not ProcessInfo's environment: that copies every variable into a dictionary on each use.
        if getenv("CIBOX_SKIP").map({ String(cString: $0) }) == "1" {
            Terminal.error("cibox: CIBOX_SKIP=1: pre-push checks skipped\n")
            return .success
        }
        let input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        let updates: [PushUpdate]
        do {
            updates = try PushUpdate.parse(input)
        } catch {
            Terminal.fail(error.message)
            return ExitCodes.cannotRun
        }
        let flow = PrePushFlow(
            home: home, workflows: workflows, jobs: jobs,
            repositoryPath: getenv("GIT_DIR").map { String(cString: $0) } ?? ".")
        return await flow.run(updates)
    }

    /// Checks `updates`; the exit status of the hook.
    func run(_ updates: [PushUpdate]) async -> ExitCode {
        var checked = Set<String>()
        for (index, update) in updates.enumerated() {
            let before = checked
            guard needsPipeline(update, checked: &checked) else { continue }
            // From here on a pipeline may run: Ctrl-C stops it and blocks the push. Until then a signal's default
            // action (the hook ends, the push is blocked) is right, and the quick path pays nothing for signals.
            let interruption = Interruption()
            let rest = Array(updates[index...])
            let outcome = await interruption.watching([.sigint, .sigterm]) { _ in
                Terminal.error("cibox: interrupted: stopping the pre-push pipeline; the push is blocked\n")
            } _: {
                await self.checkAll(rest, checked: before)
            }
            if let signal = interruption.signal { return ExitCode(128 + signal) }
            return outcome
        }
        return .success
    }

    /// Whether `update` needs more than the quick checks: false after saying why nothing is to be checked (a
    /// deletion, not a branch or tag, a ref seen already, a tree verified by an earlier pipeline).
    private func needsPipeline(_ update: PushUpdate, checked: inout Set<String>) -> Bool {
        let ref = update.remoteRef
        if update.isDeletion {
            Terminal.error("cibox: \(ref): deleted, nothing to check\n")
            return false
        }
        guard RefName.isBranchOrTag(ref) else {
            Terminal.error("cibox: \(ref): not a branch or tag, nothing to check\n")
            return false
        }
        guard checked.insert(update.localSHA + " " + ref).inserted else { return false }
        if let verified = PipelineEngine.quicklyVerified(runOptions(update), home: home) {
            reportVerified(update, number: verified.number, id: verified.id)
            return false
        }
        return true
    }

    /// Checks `updates` one after the other, stopping at the first that blocks the push or at a cancel.
    private func checkAll(_ updates: [PushUpdate], checked: Set<String>) async -> ExitCode {
        var checked = checked
        var engine: PipelineEngine?
        for update in updates where needsPipeline(update, checked: &checked) {
            if Task.isCancelled { return ExitCodes.pipelineFailed }
            if engine == nil {
                switch PipelineRunFlow.makeEngine(home: home) {
                case .success(let made): engine = made
                case .failure(let exitCode): return exitCode
                }
            }
            guard let engine else { return ExitCodes.cannotRun }
            let outcome = await check(update, options: runOptions(update), engine: engine)
            if outcome != .success { return outcome }
        }
        return .success
    }

    /// Checks one pushed ref.
    private func check(_ update: PushUpdate, options: RunOptions, engine: PipelineEngine) async -> ExitCode {
        let ref = update.remoteRef
        let sha = String(update.localSHA.prefix(12))
        let preparation: Preparation
        do {
            preparation = try engine.prepareUnlessVerified(options)
        } catch {
            switch error.code {
            case .noConfig, .nothingToRun:
                Terminal.error("cibox: \(ref) (\(sha)): \(Self.firstLine(error.message)); nothing to check\n")
                return .success
            default:
                PipelineRunFlow.report(error)
                if let pipeline = error.pipeline {
                    await engine.flushReport()
                    Terminal.error(
                        "cibox: \(ref) (\(sha)): recorded as pipeline #\(pipeline.number) (id \(pipeline.id))\n")
                }
                Terminal.error("cibox: \(ref) (\(sha)): the push is blocked (CIBOX_SKIP=1 skips the checks)\n")
                return ExitCodes.of(error)
            }
        }
        switch preparation {
        case .verified(let pipeline):
            reportVerified(update, number: pipeline.number, id: pipeline.id)
            return .success
        case .prepared(let prepared):
            return await drive(prepared, ref: ref, sha: sha, engine: engine)
        }
    }

    /// The HTML page of each failed job (written by the engine as the job ended), when reports are on.
    private func pageLines(_ detail: PipelineDetail, engine: PipelineEngine) -> TerminalString {
        guard engine.settings.writesReport else { return "" }
        let layout = ReportLayout(home: engine.home)
        var text: TerminalString = ""
        for workflow in detail.workflows {
            for job in workflow.jobs where job.job.status == .failed {
                let page = layout.path(ReportLayout.jobPage(pipelineID: detail.pipeline.id, jobID: job.job.id))
                text += "\(workflow.workflow.name)/\(job.job.name): \(page)\n"
            }
        }
        return text.isEmpty ? "" : "\nHTML pages:\n" + text
    }

    /// What `cibox pre-push` runs for `update`: its commit, for its remote branch or tag, with pre-push priority.
    private func runOptions(_ update: PushUpdate) -> RunOptions {
        var options = RunOptions(
            path: repositoryPath, revision: update.localSHA, workflows: workflows, jobs: jobs, trigger: .prePush)
        options.pushedRef = update.remoteRef
        return options
    }

    /// Says which pipeline verified `update`.
    private func reportVerified(_ update: PushUpdate, number: Int, id: Int64) {
        Terminal.error(
            "cibox: \(update.remoteRef) (\(update.localSHA.prefix(12))): verified by pipeline #\(number) (id \(id)), "
                + "which passed on the same tree and config\n")
    }

    /// Runs a recorded pipeline with one line per job, then says whether the push may go on.
    private func drive(_ prepared: PreparedPipeline, ref: String, sha: String, engine: PipelineEngine) async
        -> ExitCode
    {
        Terminal.print(prepared.warnings)
        let pipeline = prepared.detail.pipeline
        Terminal.error("cibox: \(ref) (\(sha)): running pipeline #\(pipeline.number) (id \(pipeline.id))\n")
        let board = JobBoard(detail: prepared.detail, live: Terminal.isErrorATerminal)
        do {
            _ = try await engine.run(prepared, observers: [board], keepsWorkDirectories: false)
        } catch {
            Terminal.fail(String(describing: error))
        }
        guard let detail = try? engine.store.history.pipelineDetail(id: pipeline.id) else {
            Terminal.fail("Pipeline \(pipeline.id) cannot be read back from '\(engine.store.databasePath)'.")
            return ExitCodes.pipelineFailed
        }
        if Task.isCancelled { return ExitCodes.pipelineFailed }
        if detail.pipeline.status == .success {
            Terminal.error("cibox: \(ref) (\(sha)): pipeline #\(pipeline.number) passed\n")
            return .success
        }
        Terminal.error(Summary.failuresText(detail, store: engine.store) + pageLines(detail, engine: engine) + "\n")
        Terminal.error(
            "cibox: \(ref) (\(sha)): pipeline #\(pipeline.number) \(detail.pipeline.status.rawValue); the push is "
                + "blocked (CIBOX_SKIP=1 or git push --no-verify skips the checks)\n")
        return ExitCodes.pipelineFailed
    }

    private static func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n").first ?? "")
    }
}
