// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel

/// Builds the environment of a job's steps: inherited basics, CircleCI's built-in variables, then the job's
/// and the step's own `environment` (later entries win, as in CircleCI's precedence).
enum JobEnvironment {
    /// Variables kept from cibox's own environment (a clean machine otherwise, as in CircleCI).
    static let inheritedNames = ["PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "USER", "LOGNAME", "TERM"]

    /// The environment for the steps of `request`, whose working directory resolved to `workingDirectory` in the
    /// job's `view`.
    static func make(for request: JobRunRequest, workingDirectory: String, view: SandboxView) -> [String: String] {
        var env: [String: String] = [:]
        if let base = view.baseEnvironment {
            env = base
        } else {
            for name in inheritedNames {
                if let value = request.inheritedEnvironment[name] { env[name] = value }
            }
        }
        if env["PATH"] == nil { env["PATH"] = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin" }
        env["HOME"] = view.home
        env["CI"] = "true"
        env["CIRCLECI"] = "true"
        env["CIBOX"] = "true"
        env["CIRCLE_SHA1"] = request.revision
        env["CIRCLE_BRANCH"] = request.branch
        env["CIRCLE_TAG"] = request.tag
        env["CIRCLE_JOB"] = request.jobName
        env["CIRCLE_BUILD_NUM"] = String(request.jobID)
        env["CIRCLE_WORKFLOW_ID"] = String(request.workflowID)
        env["CIRCLE_WORKFLOW_JOB_ID"] = String(request.jobID)
        env["CIRCLE_PIPELINE_ID"] = String(request.pipelineID)
        env["CIRCLE_PIPELINE_NUMBER"] = String(request.pipelineNumber)
        env["CIRCLE_NODE_INDEX"] = String(request.nodeIndex)
        env["CIRCLE_NODE_TOTAL"] = String(request.parallelism)
        env["CIRCLE_WORKING_DIRECTORY"] = workingDirectory
        env["CIRCLE_PROJECT_REPONAME"] = request.projectName
        env["CIRCLE_PROJECT_USERNAME"] = "local"
        env["CIRCLE_REPOSITORY_URL"] = request.repositoryPath
        env["CIRCLE_USERNAME"] = request.inheritedEnvironment["USER"] ?? "cibox"
        env["CIRCLE_SHELL_ENV"] = view.shellEnv
        env["BASH_ENV"] = view.bashEnv
        env["CIBOX_HALT_FILE"] = view.haltFile
        for (name, value) in request.agentEnvironment { env[name] = value }
        let commands =
            view.commandsDirectory
            ?? request.agentExecutable.map {
                AgentCommands.binDirectory(stateDirectory: request.agentStateDirectory, executable: $0)
            }
        if let bin = commands {
            env["PATH"] = bin + ":" + (env["PATH"] ?? "")
            env["CIBOX_JOB_ID"] = String(request.jobID)
        }
        for variable in request.secretEnvironment { env[variable.name] = variable.value }
        for variable in request.spec.environment { env[variable.name] = variable.value }
        return env
    }
}
