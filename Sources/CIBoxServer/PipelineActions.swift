// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxBasics
package import CIBoxEngine
import CIBoxModel
import CIBoxPresentation
import CIBoxStore
import Hummingbird

/// What the API and the pages may change, done as `cibox trigger`, `cancel`, `rerun` and `approve` do it: each
/// records its pipeline and hands it to the daemon's queue (``PipelineInbox``), then returns at once with the
/// pipeline as `cibox show --json` prints it. The daemon runs it beside its own; its status is then read as any
/// other's. Errors are ``APIError``s with what to do.
package struct PipelineActions: Sendable {
    let engine: PipelineEngine
    let inbox: PipelineInbox
    let storageDirectory: String

    /// Actions on `engine`'s home, whose pipelines go to `inbox`; artifacts are listed from `storageDirectory`.
    package init(engine: PipelineEngine, inbox: PipelineInbox, storageDirectory: String) {
        self.engine = engine
        self.inbox = inbox
        self.storageDirectory = storageDirectory
    }

    /// Runs project `project`'s pipeline for `branch` (its branch head), else `revision` (a branch, tag or sha),
    /// else its repository's HEAD, with pipeline `parameters`.
    /// - Returns: the new pipeline (`error` with its config's diagnostics when the config is invalid).
    package func trigger(
        project: String, branch: String?, revision: String?, parameters: [String: String]
    ) async throws(APIError) -> JSONValue {
        let engine = engine
        let found = try await blocking { () throws(APIError) -> Project in
            let found: Project?
            do throws(StoreError) { found = try engine.store.projects.project(named: project) } catch {
                throw APIError(.internalServerError, error.message)
            }
            guard let found else {
                throw APIError(.notFound, "No project named '\(project)'. `GET /api/v1/pipelines` names the projects.")
            }
            return found
        }
        let options = RunOptions(
            path: found.path, revision: branch.map { "refs/heads/" + $0 } ?? revision, parameters: parameters,
            trigger: .api)
        return try await start { () throws(EngineError) in try engine.prepare(options) }
    }

    /// Asks every unfinished job of pipeline `id` to stop (the daemon stops them within a second).
    /// - Returns: the pipeline as it stands, its jobs still running until they stop.
    package func cancel(pipelineID id: Int64) async throws(APIError) -> JSONValue {
        let engine = engine
        let storageDirectory = storageDirectory
        return try await blocking { () throws(APIError) -> JSONValue in
            do {
                let asked = try engine.store.cancellations.requestCancel(pipelineID: id)
                guard !asked.isEmpty else { throw APIError(.conflict, "Pipeline \(id) has already ended.") }
                guard let detail = try engine.store.history.pipelineDetail(id: id) else {
                    throw APIError(.notFound, "No pipeline with id \(id).")
                }
                return PipelineJSON.shown(detail, storageDirectory: storageDirectory)
            } catch let error as APIError {
                throw error
            } catch let error as StoreError where error.code == .notFound {
                throw APIError(.notFound, "No pipeline with id \(id).")
            } catch {
                throw APIError(.internalServerError, String(describing: error))
            }
        }
    }

    /// Runs pipeline `id` again as a new pipeline: every job, or only those that did not pass and those after them.
    package func rerun(pipelineID id: Int64, failedOnly: Bool) async throws(APIError) -> JSONValue {
        let engine = engine
        return try await start { () throws(EngineError) in try engine.rerun(pipelineID: id, failedOnly: failedOnly) }
    }

    /// Approves the held job `job` of pipeline `id`; the jobs waiting for it run.
    package func approve(pipelineID id: Int64, job: String) async throws(APIError) -> JSONValue {
        let engine = engine
        return try await start { () throws(EngineError) in try engine.approve(pipelineID: id, jobName: job) }
    }

    /// Prepares a pipeline off the cooperative threads, hands it to the daemon and returns it as shown.
    private func start(
        _ prepare: @escaping @Sendable () throws(EngineError) -> PreparedPipeline
    ) async throws(APIError) -> JSONValue {
        let storageDirectory = storageDirectory
        let engine = engine
        let prepared = try await blocking { () throws(APIError) -> Result<PreparedPipeline, EngineError> in
            do throws(EngineError) {
                return .success(try prepare())
            } catch {
                guard error.code == .invalidConfig, error.pipeline != nil else { throw Self.apiError(error) }
                return .failure(error)
            }
        }
        switch prepared {
        case .success(let prepared):
            guard inbox.submit(prepared) else {
                throw APIError(.serviceUnavailable, "The daemon is stopping: it takes no new pipelines.")
            }
            return PipelineJSON.shown(prepared.detail, storageDirectory: storageDirectory)
        case .failure(let error):
            // An invalid config: the pipeline is recorded as `error` with the config's diagnostics, and runs nothing.
            let id = error.pipeline?.id ?? 0
            return try await blocking { () throws(APIError) -> JSONValue in
                let detail: PipelineDetail?
                do throws(StoreError) { detail = try engine.store.history.pipelineDetail(id: id) } catch {
                    throw APIError(.internalServerError, error.message)
                }
                guard let detail else { throw APIError(.internalServerError, "Pipeline \(id) cannot be read.") }
                return PipelineJSON.shown(detail, storageDirectory: storageDirectory)
            }
        }
    }

    /// The API's error for `error`: its message, with the status that says whose fault it is.
    static func apiError(_ error: EngineError) -> APIError {
        let status: HTTPResponse.Status =
            switch error.code {
            case .notFound: .notFound
            case .nothingToRun: .conflict
            case .usage: .badRequest
            case .noRepository, .noConfig, .invalidConfig: .unprocessableContent
            case .store: .internalServerError
            }
        return APIError(status, error.message)
    }

    /// `work`'s result, run on the thread pool.
    private func blocking<T: Sendable>(
        _ work: @escaping @Sendable () throws(APIError) -> T
    ) async throws(APIError) -> T {
        do {
            return try await Blocking.run { try work() }
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.internalServerError, "\(error)")
        }
    }
}
