// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import Synchronization

extension JobRunner {
    /// `setup_remote_docker`: starts the job's Docker engine (once; a second step says it runs already). A job that
    /// cannot have one fails as `infrastructure` with what to do: the machine's fault, not the job's.
    func runSetupRemoteDocker(_ action: RemoteDockerAction, logFD: Int32) async -> (StepResult, String?) {
        if engine.withLock({ $0 }) != nil {
            let bytes = writeLog("The job's Docker engine runs already.\n", to: logFD)
            return (StepResult(status: .success, exitCode: 0, logBytes: bytes), nil)
        }
        guard let engines else {
            let message =
                "This job asks for a Docker engine (setup_remote_docker), which this cibox does not give jobs here."
            let bytes = writeLog(message + "\n", to: logFD)
            return (StepResult(status: .failed, logBytes: bytes, failureReason: .infrastructure), message)
        }
        do throws(ExecutorError) {
            let started = try await engines.start(action, request: request, sandbox: sandbox, log: logFD)
            engine.withLock { $0 = started }
            return (StepResult(status: .success, exitCode: 0), nil)
        } catch {
            let bytes = writeLog(error.message + "\n", to: logFD)
            return (StepResult(status: .failed, logBytes: bytes, failureReason: .infrastructure), error.message)
        }
    }

    /// A `machine:` job has a Docker engine from its start, as on CircleCI (started when first used), unless a
    /// `setup_remote_docker` step starts it.
    func offerDockerEngine(to context: inout StepContext) {
        guard request.spec.executor.kind == "machine", !request.asksForDockerEngine, let engines,
            let offered = engines.offer(request: request, sandbox: sandbox)
        else { return }
        engine.withLock { $0 = offered }
        Self.reach(offered, from: &context)
    }

    /// Gives the steps of `context` the engine's variables, and its commands last on their `PATH`.
    static func reach(_ engine: any DockerEngine, from context: inout StepContext) {
        context.environment.merge(engine.environment) { $1 }
        guard let folder = engine.commandsFolder else { return }
        let path = context.environment["PATH"] ?? ""
        if !path.split(separator: ":").contains(Substring(folder)) {
            context.environment["PATH"] = path.isEmpty ? folder : path + ":" + folder
        }
    }
}
