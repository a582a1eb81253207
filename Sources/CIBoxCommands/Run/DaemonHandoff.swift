// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxEngine
import CIBoxModel
import CIBoxStore
import Foundation

/// `cibox trigger` beside a running daemon: the pipeline, recorded here (so that config errors and its number are
/// this command's), is handed to the daemon (`store.handoffs`), which runs it like its own pushes; this command
/// follows it to its end and reports it as if it had run it. When the daemon stops before it took the pipeline,
/// the command takes it back and runs it itself.
///
/// A setup config (`setup: true`) is not handed over: its continuation needs how it was compiled, which only this
/// process knows.
enum DaemonHandoff {
    /// How often the command looks at the pipeline it follows.
    static let followInterval: Duration = .seconds(1)

    /// Whether `prepared` can be handed to a daemon running on `home`.
    static func isPossible(_ prepared: PreparedPipeline, home: String) -> Bool {
        !prepared.isSetup && DaemonPresence.isRunning(home: home)
    }

    /// Hands `prepared` to the daemon and follows it to its end.
    /// - Returns: the exit code as ``PipelineRunFlow/drive(_:engine:json:keepsWorkDirectories:)`` gives it.
    static func follow(_ prepared: PreparedPipeline, engine: PipelineEngine, json: Bool) async -> ExitCode {
        let id = prepared.detail.pipeline.id
        do {
            try engine.store.handoffs.offer(pipelineID: id)
        } catch {
            // Not handed: the pipeline is this process's, and runs here.
            return await PipelineRunFlow.drive(prepared, engine: engine, json: json, keepsWorkDirectories: false)
        }
        PipelineRunFlow.announce(prepared, handedTo: "the daemon")
        while true {
            try? await Task.sleep(for: followInterval)
            let status = try? engine.store.history.pipelineStatus(id: id)
            if let status, status.isFinal { break }
            if !DaemonPresence.isRunning(home: engine.home),
                (try? engine.store.handoffs.withdraw(pipelineID: id)) == true
            {
                Terminal.error("cibox: the daemon stopped before it took pipeline \(id): running it here\n")
                return await PipelineRunFlow.drive(prepared, engine: engine, json: json, keepsWorkDirectories: false)
            }
        }
        return PipelineRunFlow.report(pipelineID: id, engine: engine, json: json)
    }
}
