// cibox — CI in a box. MIT licence, see LICENSE.

/// Runs job runs on this machine's own cores.
package struct LocalExecutor: Executor {
    /// Makes a local executor and makes cibox the subreaper of its jobs' orphans.
    package init() {
        ProcessSpawner.becomeSubreaper()
    }

    /// Runs `request` here; see ``Executor``.
    package func run(_ request: JobRunRequest, observer: any JobObserver) async -> JobResult {
        await JobRunner(request: request, observer: observer).run()
    }
}
