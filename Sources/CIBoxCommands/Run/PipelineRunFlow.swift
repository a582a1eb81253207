// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxEngine
import CIBoxExecutor
import CIBoxModel
import CIBoxPresentation
import CIBoxScheduler
import CIBoxSettings
import CIBoxStore
import Foundation
import Synchronization
import UnixSignals

/// Prepares, runs and reports one pipeline for the CLI; shared by `cibox run` and later front ends.
enum PipelineRunFlow {
    /// Runs `options` and prints progress, the result and the failing steps' last lines.
    /// - Returns: `.success`, ``ExitCodes/pipelineFailed``, ``ExitCodes/cannotRun`` or ``ExitCodes/infrastructure``.
    static func run(_ options: RunOptions, home: String, json: Bool) async -> ExitCode {
        await run(home: home, json: json, keepsWorkDirectories: options.keepsWorkDirectories) {
            (engine: PipelineEngine) throws(EngineError) -> PreparedPipeline in
            try engine.prepare(options)
        }
    }

    /// Makes the engine of `home`, gets a recorded pipeline from `prepare`, runs it and reports it.
    /// - Parameter handsToDaemon: when a daemon runs on the home, hand the pipeline to it and follow it
    ///   (``DaemonHandoff``) instead of running it here.
    static func run(
        home: String, json: Bool, keepsWorkDirectories: Bool = false, handsToDaemon: Bool = false,
        prepare: (PipelineEngine) throws(EngineError) -> PreparedPipeline
    ) async -> ExitCode {
        let engine: PipelineEngine
        switch makeEngine(home: home) {
        case .success(let made): engine = made
        case .failure(let exitCode): return exitCode
        }
        PhaseMarks.mark("engine")
        await settleAbandoned(engine: engine)
        PhaseMarks.mark("settle")
        let prepared: PreparedPipeline
        do {
            prepared = try prepare(engine)
        } catch {
            report(error)
            if let pipeline = error.pipeline { await recorded(pipeline, engine: engine, json: json) }
            return ExitCodes.of(error)
        }
        if handsToDaemon, DaemonHandoff.isPossible(prepared, home: home) {
            return await DaemonHandoff.follow(prepared, engine: engine, json: json)
        }
        return await drive(prepared, engine: engine, json: json, keepsWorkDirectories: keepsWorkDirectories)
    }

    /// Settles the pipelines whose cibox was killed (see ``Recovery/settleAbandoned(engine:)``) and says so.
    static func settleAbandoned(engine: PipelineEngine, leaving: Set<TriggerKind> = []) async {
        let abandoned = await Recovery.settleAbandoned(engine: engine, leaving: leaving)
        guard !abandoned.isEmpty else { return }
        let list = abandoned.map { "\($0)" }.joined(separator: ", ")
        Terminal.error(
            "cibox: pipeline\(abandoned.count == 1 ? "" : "s") \(list) stopped when the cibox running "
                + "\(abandoned.count == 1 ? "it" : "them") was killed: marked interrupted\n")
    }

    /// Runs a recorded pipeline with progress on standard error, then prints it.
    static func drive(
        _ prepared: PreparedPipeline, engine: PipelineEngine, json: Bool, keepsWorkDirectories: Bool
    ) async -> ExitCode {
        announce(prepared)
        let pipeline = prepared.detail.pipeline
        let interrupted = Interruption()
        let failure = await interrupted.watching([.sigint, .sigterm]) { _ in
            Terminal.error("cibox: interrupted: stopping the pipeline's jobs (again to quit at once)\n")
        } _: { () -> EngineError? in
            do {
                _ = try await engine.run(
                    prepared, observers: [ProgressPrinter(detail: prepared.detail)],
                    keepsWorkDirectories: keepsWorkDirectories)
                return nil
            } catch let error as EngineError {
                return error
            } catch {
                return EngineError(.store, String(describing: error))
            }
        }
        if let failure { Terminal.fail(failure.description) }
        PhaseMarks.mark("pipeline")
        let code = report(pipelineID: pipeline.id, engine: engine, json: json, signal: interrupted.signal)
        PhaseMarks.mark("summary")
        return code
    }

    /// Prints the warnings of a recorded pipeline and the line that names it.
    static func announce(_ prepared: PreparedPipeline, handedTo daemon: String? = nil) {
        Terminal.print(prepared.warnings)
        let pipeline = prepared.detail.pipeline
        let jobCount = prepared.detail.workflows.reduce(0) { $0 + $1.jobs.count }
        var line: TerminalString =
            "cibox: pipeline #\(pipeline.number) (id \(pipeline.id)) of \(pipeline.projectName) at "
            + "\(pipeline.sourceText(revisionLength: 12))"
        if let branch = pipeline.branch { line += " on \(branch)" }
        line += ": \(prepared.detail.workflows.count) workflow(s), \(jobCount) job run(s)"
        if let daemon { line += ", handed to \(daemon)" }
        Terminal.error(line + "\n")
    }

    /// Prints pipeline `pipelineID` as it ended (as JSON on standard output with `json`, and its summary).
    /// - Returns: the exit code it gives: `.success`, ``ExitCodes/pipelineFailed``, or 128 + `signal` when one
    ///   interrupted it.
    static func report(pipelineID: Int64, engine: PipelineEngine, json: Bool, signal: Int32? = nil) -> ExitCode {
        let store = engine.store
        guard let detail = try? store.history.pipelineDetail(id: pipelineID) else {
            Terminal.fail("Pipeline \(pipelineID) cannot be read back from '\(store.databasePath)'.")
            return ExitCodes.pipelineFailed
        }
        if json {
            Terminal.output(
                json: PipelineJSON.detail(detail, artifacts: ArtifactStore(home: engine.storageDirectory).list))
        }
        Summary.print(detail, store: store, toStandardOutput: !json)
        if let signal { return ExitCode(128 + signal) }
        return detail.pipeline.status == .success ? .success : ExitCodes.pipelineFailed
    }

    /// Says where the pipeline recorded as `error` for an invalid config is, once its report page is written;
    /// prints it with `--json`.
    private static func recorded(_ pipeline: Pipeline, engine: PipelineEngine, json: Bool) async {
        await engine.flushReport()
        Terminal.error(
            "cibox: recorded as pipeline #\(pipeline.number) (id \(pipeline.id)) of \(pipeline.projectName) at "
                + "\(pipeline.sourceText(revisionLength: 12)): error (cibox show \(pipeline.id))\n")
        guard json, let detail = try? engine.store.history.pipelineDetail(id: pipeline.id) else { return }
        Terminal.output(json: PipelineJSON.detail(detail))
    }

    /// The engine of `home`: its store, its settings, this machine's cgroups; or, after printing why not, the exit
    /// code to end with (``ExitCodes/infrastructure`` when the store cannot be opened, ``ExitCodes/cannotRun`` for
    /// settings with errors).
    /// - Parameter recordingRetryLimit: how long what the database could not take is tried again after a pipeline.
    static func makeEngine(
        home: String, runAs: String? = nil, recordingRetryLimit: Duration = .seconds(30)
    ) -> Result<PipelineEngine, ExitCode> {
        let store: PipelineStore
        var settings: Settings
        do {
            store = try PipelineStore(home: home)
            PhaseMarks.mark("store open")
        } catch {
            Terminal.fail(error.message)
            return .failure(ExitCodes.of(error))
        }
        do {
            let (loaded, warnings) = try SettingsFile.load(home: home)
            Terminal.print(warnings)
            settings = loaded
            if let runAs { settings.runAs = runAs }
            PhaseMarks.mark("settings")
        } catch {
            Terminal.print(error.diagnostics)
            Terminal.fail(error.message)
            return .failure(ExitCodes.cannotRun)
        }
        let madePrivate = HomePermissions.secure(home: home, reportIsWorldReadable: settings.reportIsWorldReadable)
        if madePrivate > 0 {
            Terminal.error(
                "cibox: warning: made \(madePrivate) files and folders of '\(home)' readable by "
                    + "cibox's user only (other users could read them)\n")
        }
        return .success(
            PipelineEngine(
                home: home, store: store, settings: settings, cgroups: CgroupManager.system(),
                agentExecutable: ownExecutable, warn: { Terminal.error("cibox: warning: \($0)\n") },
                say: { Terminal.error("cibox: \($0)\n") },
                recordingRetryLimit: recordingRetryLimit
            ))
    }

    /// The running `cibox` binary (for the agent commands inside jobs).
    static var ownExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Prints an engine error with its diagnostics.
    static func report(_ error: EngineError) {
        Terminal.print(error.diagnostics)
        Terminal.fail(error.message)
    }
}
