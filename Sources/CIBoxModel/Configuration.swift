// cibox — CI in a box. MIT licence, see LICENSE.

/// A config after 2.1 expansion (orbs, commands, executors, parameters, matrix and `when` resolved),
/// before planning: every workflow job carries its concrete job spec, its filters and its requirements.
package struct Configuration: Codable, Sendable, Equatable {
    /// The config's `version` (`2`, `2.0` or `2.1`).
    package var version: String
    /// Workflows in config order. A 2.0 file without workflows has one implicit workflow, `build`.
    /// Scheduled workflows and workflows whose `when`/`unless` leaves them out are not here.
    package var workflows: [WorkflowDefinition]
    /// Whether the config is a setup config (`setup: true`, dynamic configuration).
    package var isSetup: Bool
    /// Workflows with scheduled `triggers`, recorded but never run for a commit.
    package var scheduledWorkflows: [WorkflowDefinition]
    /// Names of the workflows that `when`/`unless` left out for this pipeline, in config order.
    package var skippedWorkflows: [String]

    /// Makes a configuration.
    package init(
        version: String, workflows: [WorkflowDefinition], isSetup: Bool = false,
        scheduledWorkflows: [WorkflowDefinition] = [], skippedWorkflows: [String] = []
    ) {
        self.version = version
        self.workflows = workflows
        self.isSetup = isSetup
        self.scheduledWorkflows = scheduledWorkflows
        self.skippedWorkflows = skippedWorkflows
    }

    private enum CodingKeys: String, CodingKey {
        case version, workflows, isSetup, scheduledWorkflows, skippedWorkflows
    }

    /// Decodes a configuration; fields added after the first release default when absent.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(String.self, forKey: .version)
        workflows = try container.decode([WorkflowDefinition].self, forKey: .workflows)
        isSetup = try container.decodeIfPresent(Bool.self, forKey: .isSetup) ?? false
        scheduledWorkflows =
            try container.decodeIfPresent([WorkflowDefinition].self, forKey: .scheduledWorkflows) ?? []
        skippedWorkflows = try container.decodeIfPresent([String].self, forKey: .skippedWorkflows) ?? []
    }
}

/// One `triggers: - schedule:` entry of a scheduled workflow (recorded; cibox does not run schedules).
package struct ScheduleTrigger: Codable, Sendable, Equatable {
    /// The `cron` expression as written (UTC).
    package var cron: String
    /// The schedule's branch filters.
    package var filters: JobFilters

    /// Makes a schedule trigger.
    package init(cron: String, filters: JobFilters = JobFilters()) {
        self.cron = cron
        self.filters = filters
    }
}

/// A workflow as written in the config, after expansion.
package struct WorkflowDefinition: Codable, Sendable, Equatable {
    /// The workflow's key under `workflows:`.
    package var name: String
    /// Its jobs in config order.
    package var jobs: [WorkflowJob]
    /// Where the workflow is defined (for diagnostics).
    package var location: SourceLocation
    /// Its scheduled `triggers` (empty for a workflow that runs for commits).
    package var triggers: [ScheduleTrigger]

    /// Makes a workflow definition.
    package init(name: String, jobs: [WorkflowJob], location: SourceLocation, triggers: [ScheduleTrigger] = []) {
        self.name = name
        self.jobs = jobs
        self.location = location
        self.triggers = triggers
    }

    private enum CodingKeys: String, CodingKey {
        case name, jobs, location, triggers
    }

    /// Decodes a workflow definition; `triggers` defaults to none when absent.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        jobs = try container.decode([WorkflowJob].self, forKey: .jobs)
        location = try container.decode(SourceLocation.self, forKey: .location)
        triggers = try container.decodeIfPresent([ScheduleTrigger].self, forKey: .triggers) ?? []
    }
}

/// One job entry of a workflow, after expansion.
package struct WorkflowJob: Codable, Sendable, Equatable {
    /// Its unique name in the workflow (`name:` override or generated matrix name, else the job's key).
    package var name: String
    /// The jobs it requires, by their names in this workflow.
    package var requires: [Requirement]
    /// Build or approval.
    package var kind: JobKind
    /// `context` names.
    package var contexts: [String]
    /// Branch and tag filters.
    package var filters: JobFilters
    /// The concrete job; `nil` for approval jobs.
    package var spec: JobSpec?
    /// Where the entry is written (for diagnostics about it).
    package var location: SourceLocation
    /// Where each requirement is written, parallel to `requires` (for diagnostics).
    package var requirementLocations: [SourceLocation]

    /// Makes a workflow job.
    package init(
        name: String,
        requires: [Requirement] = [],
        kind: JobKind = .build,
        contexts: [String] = [],
        filters: JobFilters = JobFilters(),
        spec: JobSpec?,
        location: SourceLocation,
        requirementLocations: [SourceLocation] = []
    ) {
        self.name = name
        self.requires = requires
        self.kind = kind
        self.contexts = contexts
        self.filters = filters
        self.spec = spec
        self.location = location
        self.requirementLocations = requirementLocations
    }
}

/// `filters:` of a workflow job.
package struct JobFilters: Codable, Sendable, Equatable {
    /// `branches:`, if given.
    package var branches: RefFilter?
    /// `tags:`, if given.
    package var tags: RefFilter?

    /// Makes filters.
    package init(branches: RefFilter? = nil, tags: RefFilter? = nil) {
        self.branches = branches
        self.tags = tags
    }
}

/// `only` / `ignore` lists of a branch or tag filter.
package struct RefFilter: Codable, Sendable, Equatable {
    /// `only:` patterns; `nil` when absent.
    package var only: [RefPattern]?
    /// `ignore:` patterns.
    package var ignore: [RefPattern]

    /// Makes a filter.
    package init(only: [RefPattern]? = nil, ignore: [RefPattern] = []) {
        self.only = only
        self.ignore = ignore
    }
}

/// A filter pattern: an exact name, or `/regex/` matched against the whole name.
package enum RefPattern: Codable, Sendable, Equatable {
    case exact(String)
    case regex(String)
}
