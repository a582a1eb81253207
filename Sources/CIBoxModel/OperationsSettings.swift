// cibox — CI in a box. MIT licence, see LICENSE.

/// `daemon:` in settings: how `cibox daemon` watches and stops.
package struct DaemonSettings: Sendable, Equatable {
    /// Seconds between polls where inotify is unavailable.
    package var pollInterval: Double = 2
    /// Seconds running jobs get to finish after SIGTERM before they are killed and marked `interrupted`.
    package var gracePeriod: Double = 30
    /// Whether runs found `interrupted` at start are queued again.
    package var requeueInterrupted: Bool = false

    /// Makes daemon settings; the defaults are what an absent key means.
    package init(pollInterval: Double = 2, gracePeriod: Double = 30, requeueInterrupted: Bool = false) {
        self.pollInterval = pollInterval
        self.gracePeriod = gracePeriod
        self.requeueInterrupted = requeueInterrupted
    }
}

/// `auto_cancel:` in settings: whether a newer push cancels the queued (never the running) pipelines of the
/// same branch.
package struct AutoCancelSettings: Sendable, Equatable {
    /// The choice for projects not named in ``projects``.
    package var byDefault: Bool = false
    /// Project name → choice.
    package var projects: [String: Bool] = [:]

    /// Makes auto-cancel settings (off by default).
    package init(byDefault: Bool = false, projects: [String: Bool] = [:]) {
        self.byDefault = byDefault
        self.projects = projects
    }

    /// Whether queued redundant pipelines of `project` are canceled.
    package func isEnabled(project: String) -> Bool {
        projects[project] ?? byDefault
    }
}

/// `gc:` in settings: what `cibox gc` (and the daemon's schedule) keeps.
package struct RetentionSettings: Sendable, Equatable {
    /// Finished pipelines older than this many seconds may be deleted.
    package var olderThan: Double = 30 * 86_400
    /// The newest this many pipelines of each project are always kept.
    package var keepLast: Int = 50
    /// Caches are trimmed to this many bytes, least recently used first.
    package var cacheSize: Int64 = 5 * 1_073_741_824
    /// Seconds between the daemon's collections.
    package var every: Double = 3600

    /// Makes retention settings; the defaults are what an absent key means.
    package init(
        olderThan: Double = 30 * 86_400, keepLast: Int = 50, cacheSize: Int64 = 5 * 1_073_741_824, every: Double = 3600
    ) {
        self.olderThan = olderThan
        self.keepLast = keepLast
        self.cacheSize = cacheSize
        self.every = every
    }
}
