// cibox — CI in a box. MIT licence, see LICENSE.

/// What the config compiler knows about the trigger: CircleCI's `pipeline.*` values.
package struct PipelineValues: Codable, Sendable, Equatable {
    /// `pipeline.id`.
    package var id: String
    /// `pipeline.number`.
    package var number: Int
    /// `pipeline.project.git_url` (the repository's path here).
    package var projectGitURL: String
    /// `pipeline.git.branch`, if the commit was reached from a branch.
    package var branch: String?
    /// `pipeline.git.tag`, if the trigger was a tag.
    package var tag: String?
    /// `pipeline.git.revision` (40 hex).
    package var revision: String
    /// `pipeline.git.base_revision`, if known.
    package var baseRevision: String?
    /// `pipeline.trigger_source`.
    package var triggerSource: String
    /// `pipeline.project.type` (`github`, `bitbucket`, …); the compiler says `local` when `nil`.
    package var projectType: String?
    /// `pipeline.project.slug`, such as `gh/owner/repo`, if known.
    package var projectSlug: String?
    /// `pipeline.schedule.name`, for a scheduled pipeline.
    package var scheduleName: String?
    /// `pipeline.schedule.id`, for a scheduled pipeline.
    package var scheduleID: String?
    /// `pipeline.trigger.type` (`api`, `webhook`, `schedule`, …); the compiler uses `triggerSource` when `nil`.
    package var triggerType: String?

    /// Makes pipeline values.
    package init(
        id: String,
        number: Int,
        projectGitURL: String,
        branch: String?,
        tag: String? = nil,
        revision: String,
        baseRevision: String? = nil,
        triggerSource: String = "api"
    ) {
        self.id = id
        self.number = number
        self.projectGitURL = projectGitURL
        self.branch = branch
        self.tag = tag
        self.revision = revision
        self.baseRevision = baseRevision
        self.triggerSource = triggerSource
    }
}
