// cibox — CI in a box. MIT licence, see LICENSE.

/// Pipelines prepared inside the daemon's process by something other than its ref watchers (the HTTP API's trigger,
/// rerun and approve), for the daemon to run beside its own. Handing the prepared pipeline over in memory keeps
/// what only its preparer knows (a setup config's compile request), which the store's handoff table cannot carry.
package final class PipelineInbox: Sendable {
    private let stream: AsyncStream<PreparedPipeline>
    private let continuation: AsyncStream<PreparedPipeline>.Continuation

    /// An empty inbox.
    package init() {
        (stream, continuation) = AsyncStream.makeStream(of: PreparedPipeline.self)
    }

    /// Gives `prepared` to the daemon.
    /// - Returns: false when the daemon no longer takes pipelines (it is stopping): the pipeline stays recorded,
    ///   queued, and the next start's recovery ends it as interrupted.
    @discardableResult
    package func submit(_ prepared: PreparedPipeline) -> Bool {
        if case .enqueued = continuation.yield(prepared) { return true }
        return false
    }

    /// The pipelines in the order they were submitted (one reader: the daemon).
    package var pipelines: AsyncStream<PreparedPipeline> { stream }

    /// Takes no more pipelines.
    package func close() {
        continuation.finish()
    }
}
