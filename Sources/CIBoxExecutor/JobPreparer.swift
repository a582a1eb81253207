// cibox — CI in a box. MIT licence, see LICENSE.

/// Gets a job run ready before it takes a slot of the machine: work that needs no CPU slot and may take long, such
/// as pulling its images from a registry, so that a pull never holds capacity other jobs could use.
///
/// Called once per job run, from the job run's task, before the slot is asked for. Cancelling the task cancels the
/// preparation. Implementations are safe to call from many tasks at once.
package protocol JobPreparer: Sendable {
    /// `request` ready to run (with what was fixed, such as the digests of its images), or why it cannot run.
    func prepare(_ request: JobRunRequest) async -> JobPreparation
}

/// What a ``JobPreparer`` found.
package enum JobPreparation: Sendable {
    /// The request to run.
    case ready(JobRunRequest)
    /// The job run cannot run: it fails as `infrastructure` with this message (secrets already masked).
    case failed(String)
}
