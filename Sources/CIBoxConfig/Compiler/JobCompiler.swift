// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// Processed jobs (see ``JobExpansion``) → `JobSpec`s: the executor label, resource class, parallelism, working
/// directory, shell, environment and steps, each checked.
struct JobCompiler {
    /// The keys a job may have.
    static let jobKeys: Set<String> = [
        "docker", "machine", "macos", "windows", "resource_class", "parallelism", "working_directory", "shell",
        "environment", "steps", "type", "description", "circleci_ip_ranges",
    ]
    /// The job keys CircleCI has that cibox does not support yet.
    static let jobKeysNotYet: Set<String> = ["retention", "branches", "plan_name", "validation"]
    /// The keys that name a job's executor.
    static let executorKeys = ["docker", "machine", "macos", "windows"]

    /// Where problems go.
    let decoder: NodeDecoder

    /// One processed job (see ``JobExpansion/expand(_:)``); `nil` when it has an error.
    func compile(_ name: String, _ node: ConfigNode) -> JobSpec? {
        let path = "jobs.\(name)"
        guard let entries = decoder.mapping(node, path) else { return nil }
        let errorsBefore = decoder.sink.errorCount
        decoder.checkKeys(entries, in: path, known: Self.jobKeys, notYet: Self.jobKeysNotYet)
        let type = node["type"].flatMap { decoder.string($0, "\(path).type") } ?? "build"
        if !["build", "no-op"].contains(type), let typeNode = node["type"] {
            decoder.error(
                typeNode.location, "'\(path).type' must be build or no-op, got '\(type)'",
                hint: "approval jobs are declared in the workflow with 'type: approval'")
        }
        var spec = JobSpec(definitionName: name, steps: [])
        compileExecutor(node, path: path, into: &spec)
        spec.resourceClass = node["resource_class"].flatMap { decoder.string($0, "\(path).resource_class") }
        spec.parallelism = node["parallelism"].flatMap { decoder.positiveInt($0, "\(path).parallelism") } ?? 1
        if let directory = node["working_directory"].flatMap({ decoder.string($0, "\(path).working_directory") }) {
            spec.workingDirectory = directory
        }
        spec.shell = node["shell"].flatMap { decoder.string($0, "\(path).shell") }
        spec.environment = node["environment"].flatMap { decoder.environment($0, "\(path).environment") } ?? []
        if let stepsNode = node["steps"] {
            spec.steps = StepCompiler(decoder: decoder).compileSteps(stepsNode, path: "\(path).steps")
        } else if type != "no-op" {
            decoder.error(
                node.location, "job '\(name)' has no 'steps'",
                hint: "add 'steps:' with at least '- checkout' or '- run'")
        }
        checkImageOnlyVariables(spec, node: node)
        if spec.executor.kind == "windows" || spec.resourceClass?.hasPrefix("windows.") == true {
            decoder.warning(
                node.location, "job '\(name)' asks for Windows; cibox runs its steps in this machine's shell",
                hint: "the job's PowerShell or cmd steps are unlikely to work here")
        }
        return decoder.sink.errorCount == errorsBefore ? spec : nil
    }
}
