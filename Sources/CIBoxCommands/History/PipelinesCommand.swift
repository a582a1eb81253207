// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxEngine
import CIBoxModel
import CIBoxPresentation
import CIBoxSettings
import CIBoxStore

/// `cibox pipelines`: the newest pipelines.
struct PipelinesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pipelines", abstract: "List recent pipelines.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "How many to list.")
    var limit = 20

    @Flag(help: "Print a JSON array on standard output.")
    var json = false

    func run() throws {
        let pipelines = try HistoryAccess.open(global).history.pipelines(limit: limit)
        if json {
            Terminal.output(JSONValue.array(pipelines.map(PipelineJSON.summary)).rendered() + "\n")
            return
        }
        for pipeline in pipelines {
            let branch = pipeline.branch ?? pipeline.tag ?? "-"
            Terminal.output(
                "\(pipeline.id)\t\(pipeline.projectName) #\(pipeline.number)\t\(branch)\t\(pipeline.revision.prefix(12))\t\(pipeline.status.rawValue)\t\(pipeline.createdAt.iso8601)\n"
            )
        }
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
