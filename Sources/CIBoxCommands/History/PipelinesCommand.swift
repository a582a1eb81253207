// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxEngine
import CIBoxModel
import CIBoxPresentation
import CIBoxSettings
import CIBoxStore

/// `cibox pipelines`: the newest pipelines.
struct PipelinesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pipelines", abstract: "List recent pipelines.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "How many to list.")
    var limit = 20

    @Flag(help: "Print a JSON array on standard output.")
    var json = false

    func run() async throws {
        let pipelines = try await HistoryAccess.openSettled(global).history.pipelines(limit: limit)
        if json {
            Terminal.output(json: JSONValue.array(pipelines.map(PipelineJSON.summary)))
            return
        }
        for pipeline in pipelines {
            let branch = pipeline.branch ?? pipeline.tag ?? "-"
            let source = pipeline.sourceText(revisionLength: 12)
            var line: TerminalString =
                "\(pipeline.id)\t\(pipeline.projectName) #\(pipeline.number)\t\(branch)\t\(source)\t\(pipeline.status.rawValue)\t\(pipeline.createdAt.iso8601)"
            if pipeline.status == .error, let reason = Self.reason(pipeline) { line += "\t\(reason)" }
            Terminal.output(line + "\n")
        }
    }
}

extension PipelinesCommand {
    /// Why an `error` pipeline could not run, in one line: its config's first error (`FILE:LINE:COLUMN: MESSAGE`),
    /// else its message.
    static func reason(_ pipeline: Pipeline) -> String? {
        guard let first = pipeline.diagnostics.first(where: { $0.severity == .error }) else {
            return pipeline.errorMessage
        }
        return "\(first.location.file):\(first.location.line):\(first.location.column): \(first.message)"
    }
}

/// Opens the store for read commands, turning failures into a clear error and an exit status.
enum HistoryAccess {
    /// The store of the selected home.
    /// - Throws: exit status 3 (infrastructure) after printing why the store cannot be opened.
    static func open(_ global: GlobalOptions) throws -> PipelineStore {
        do {
            return try PipelineStore(home: global.homeDirectory)
        } catch {
            Terminal.fail(error.description)
            throw ExitCodes.of(error)
        }
    }

    /// The store of the selected home, after settling the pipelines whose cibox was killed (so that what is shown
    /// is what is true: a pipeline whose process is gone is interrupted, not running).
    static func openSettled(_ global: GlobalOptions) async throws -> PipelineStore {
        let store = try open(global)
        if (try? store.recovery.orphanedPipelines().isEmpty) == false,
            case .success(let engine) = PipelineRunFlow.makeEngine(home: global.homeDirectory)
        {
            // A daemon's pushes are the daemon's to settle (it may run them again at its restart).
            await PipelineRunFlow.settleAbandoned(engine: engine, leaving: [.push])
        }
        return store
    }

    /// The settings of the selected home, or a clear error and exit status 2.
    static func settings(_ global: GlobalOptions) throws -> Settings {
        do {
            return try SettingsFile.load(home: global.homeDirectory).0
        } catch {
            Terminal.fail(error.description)
            throw ExitCodes.cannotRun
        }
    }

    /// Where caches, workspaces and artifacts live (the Slurm shared folder when one is set up).
    /// - Throws: exit status 2 after printing why settings cannot be read.
    static func storageDirectory(_ global: GlobalOptions) throws -> String {
        try settings(global).storageDirectory(home: global.homeDirectory)
    }

    /// Fails with "no such …" and exit status 2.
    static func notFound(_ message: String) -> ExitCode {
        Terminal.fail(message)
        return ExitCodes.cannotRun
    }
}
