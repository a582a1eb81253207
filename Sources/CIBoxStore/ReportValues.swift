// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// The newest pipeline of one branch of a project (the report's index and badges).
package struct BranchHead: Sendable, Equatable {
    /// The branch.
    package var branch: String
    /// Its newest pipeline.
    package var pipeline: Pipeline

    /// Makes a branch head.
    package init(branch: String, pipeline: Pipeline) {
        self.branch = branch
        self.pipeline = pipeline
    }
}

/// A project with what the report's index shows of it.
package struct ProjectOverview: Sendable, Equatable {
    /// The project.
    package var project: Project
    /// How many pipelines it has.
    package var pipelineCount: Int
    /// The highest pipeline number it has (0 when none).
    package var lastNumber: Int
    /// The newest pipeline of each branch, by branch name.
    package var branches: [BranchHead]

    /// Makes an overview.
    package init(project: Project, pipelineCount: Int, lastNumber: Int, branches: [BranchHead]) {
        self.project = project
        self.pipelineCount = pipelineCount
        self.lastNumber = lastNumber
        self.branches = branches
    }
}

/// How one test (class name and name) did across a window of recent pipelines.
package struct TestStatistic: Sendable, Equatable {
    /// The test's class name (may be empty).
    package var className: String
    /// The test's name.
    package var name: String
    /// How many times it ran (skips excluded).
    package var runs: Int
    /// How many of those failed (failures and errors).
    package var failures: Int
    /// Its mean duration in seconds.
    package var averageSeconds: Double
    /// Its longest duration in seconds.
    package var maximumSeconds: Double
    /// The newest failure message, when it failed.
    package var lastMessage: String?

    /// Makes a statistic.
    package init(
        className: String, name: String, runs: Int, failures: Int, averageSeconds: Double, maximumSeconds: Double,
        lastMessage: String? = nil
    ) {
        self.className = className
        self.name = name
        self.runs = runs
        self.failures = failures
        self.averageSeconds = averageSeconds
        self.maximumSeconds = maximumSeconds
        self.lastMessage = lastMessage
    }
}

/// A test that both passed and failed on the same commit.
package struct FlakyTest: Sendable, Equatable {
    /// The test's class name (may be empty).
    package var className: String
    /// The test's name.
    package var name: String
    /// On how many commits it both passed and failed.
    package var commits: Int
    /// The newest such commit.
    package var revision: String
    /// How many times it passed on that commit.
    package var passes: Int
    /// How many times it failed on that commit.
    package var failures: Int

    /// Makes a flaky test.
    package init(className: String, name: String, commits: Int, revision: String, passes: Int, failures: Int) {
        self.className = className
        self.name = name
        self.commits = commits
        self.revision = revision
        self.passes = passes
        self.failures = failures
    }
}

/// A project's test insights over its newest pipelines.
package struct TestInsights: Sendable, Equatable {
    /// How many of the newest pipelines were looked at.
    package var pipelineWindow: Int
    /// Slowest tests by mean duration, slowest first.
    package var slowest: [TestStatistic]
    /// Tests that failed most often, most first.
    package var mostFailing: [TestStatistic]
    /// Tests that passed and failed on the same commit, most commits first.
    package var flaky: [FlakyTest]

    /// Makes insights.
    package init(
        pipelineWindow: Int, slowest: [TestStatistic] = [], mostFailing: [TestStatistic] = [], flaky: [FlakyTest] = []
    ) {
        self.pipelineWindow = pipelineWindow
        self.slowest = slowest
        self.mostFailing = mostFailing
        self.flaky = flaky
    }
}
