// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// What the cluster says about one job.
package enum SlurmLookup: Sendable, Equatable {
    /// Slurm knows the job and says this.
    case known(SlurmJobState)
    /// Slurm does not know the job (never, or no more: finished jobs leave slurmctld after MinJobAge).
    case unknown
    /// Slurm could not be asked; the text says why.
    case unreachable(String)
}

/// The states of every job this cibox follows, fetched with one `squeue` for all of them at most once per
/// `maxAge`, however many job runs ask: a CI server with many jobs in flight must not flood slurmctld.
///
/// Concurrency: an actor; one fetch at a time, which every caller waiting for fresh states shares.
package actor SlurmStateBoard {
    private let client: any SlurmClient
    private let maxAge: Duration
    private var watched: Set<String> = []
    private var states: [String: SlurmJobState] = [:]
    private var fetchedIDs: Set<String> = []
    private var failure: String?
    private var fetchedAt: ContinuousClock.Instant?
    private var inFlight: Task<Void, Never>?

    /// Makes a board over `client` whose answers may be `maxAge` old.
    package init(client: any SlurmClient, maxAge: Duration) {
        self.client = client
        self.maxAge = maxAge
    }

    /// What Slurm says about job `id`, fetching when the board's answer is older than `maxAge` or lacks the job.
    package func lookup(_ id: String) async -> SlurmLookup {
        watched.insert(id)
        let isFresh = fetchedAt.map { ContinuousClock.now - $0 < maxAge } ?? false
        if !isFresh || !fetchedIDs.contains(id) { await fetch() }
        if let state = states[id] { return .known(state) }
        if let failure { return .unreachable(failure) }
        return .unknown
    }

    /// Stops asking about job `id`.
    package func forget(_ id: String) {
        watched.remove(id)
        states[id] = nil
        fetchedIDs.remove(id)
    }

    /// Fetches the states of every watched job; callers that come while a fetch runs wait for that one.
    private func fetch() async {
        if let inFlight {
            await inFlight.value
            return
        }
        let ids = watched.sorted()
        let client = self.client
        // The task runs on this actor (it inherits its isolation), so its answer is applied before anyone waiting
        // on it goes on.
        let task = Task {
            let result: Result<[String: SlurmJobState], SlurmError>
            do throws(SlurmError) {
                result = .success(try await client.states(of: ids))
            } catch {
                result = .failure(error)
            }
            apply(result, ids: ids)
        }
        inFlight = task
        await task.value
    }

    private func apply(_ result: Result<[String: SlurmJobState], SlurmError>, ids: [String]) {
        inFlight = nil
        fetchedAt = ContinuousClock.now
        fetchedIDs = Set(ids)
        switch result {
        case .success(let fetched):
            states = fetched
            failure = nil
        case .failure(let error):
            failure = error.message
        }
    }
}
