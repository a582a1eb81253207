// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// Hands each job run to the executor its request names (``JobRunRequest/executor``): this machine's, or a
/// cluster's. A request for an executor that is not set up fails as `infrastructure` with what to do.
///
/// Safe from many tasks at once, as the executors it holds are.
package struct ExecutorRouter: Executor {
    /// The executors by kind.
    package let executors: [ExecutorKind: any Executor]

    /// Makes a router.
    /// - Parameter executors: one executor per kind that is set up; `local` should always be there.
    package init(_ executors: [ExecutorKind: any Executor]) {
        self.executors = executors
    }

    /// Tells every executor; see ``Executor``.
    package func expectJobs() {
        for executor in executors.values { executor.expectJobs() }
    }

    /// Runs `request` with the executor it names; see ``Executor``.
    package func run(_ request: JobRunRequest, observer: any JobObserver) async -> JobResult {
        if let executor = executors[request.executor] {
            return await executor.run(request, observer: observer)
        }
        return await JobResult.notStarted(
            request, observer: observer,
            message: "This job run asks for the '\(request.executor.rawValue)' executor, which is not set up here. "
                + "Add it under `executors:` in settings.yml, or send the job to `executor: local`."
        )
    }
}
