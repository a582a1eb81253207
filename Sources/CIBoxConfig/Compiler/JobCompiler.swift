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
        var spec = JobSpec(definitionName: name, executor: compileExecutor(node, path: path), steps: [])
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
        if spec.executor.kind == "windows" || spec.resourceClass?.hasPrefix("windows.") == true {
            decoder.warning(
                node.location, "job '\(name)' asks for Windows; cibox runs its steps in this machine's shell",
                hint: "the job's PowerShell or cmd steps are unlikely to work here")
        }
        return decoder.sink.errorCount == errorsBefore ? spec : nil
    }

    /// The executor label of a job: its one executor key, or `shell` without one.
    func compileExecutor(_ node: ConfigNode, path: String) -> ExecutorLabel {
        let present = Self.executorKeys.compactMap { node.entry($0) }
        if present.count > 1 {
            decoder.error(
                present[1].keyLocation,
                "'\(path)' has more than one executor: \(present.map(\.key).joined(separator: ", "))",
                hint: "keep one of docker, machine, macos (an 'executor:' brings its own)")
        }
        guard let entry = present.first else { return ExecutorLabel(kind: "shell") }
        let keyPath = "\(path).\(entry.key)"
        switch entry.key {
        case "docker": return compileDocker(entry.value, path: keyPath)
        case "macos":
            let xcode = entry.value["xcode"].flatMap { decoder.string($0, "\(keyPath).xcode") }
            if xcode == nil, entry.value["xcode"] == nil {
                decoder.error(entry.value.location, "'\(keyPath)' needs 'xcode', the Xcode version")
            }
            decoder.warning(
                entry.keyLocation,
                "'\(keyPath)': cibox has no macOS virtual machines; the job's steps run in this machine's shell",
                hint: "steps that need Xcode or macOS tools fail unless this machine has them")
            return ExecutorLabel(kind: "macos", image: xcode)
        default:
            let image = compileMachineImage(entry.value, path: keyPath)
            let isWindows = entry.key == "windows" || image?.hasPrefix("windows") == true
            return ExecutorLabel(kind: isWindows ? "windows" : entry.key, image: image)
        }
    }

    /// The image of `machine: true` (none) or `machine: {image: …}`.
    func compileMachineImage(_ node: ConfigNode, path: String) -> String? {
        if node.scalar?.bool == true { return nil }
        guard node.entries != nil else {
            decoder.error(
                node.location, "'\(path)' must be true or a mapping with 'image', got \(node.kindDescription)")
            return nil
        }
        return node["image"].flatMap { decoder.string($0, "\(path).image") }
    }

    /// `docker:`: the first image is the job's, the others are service containers, which cibox does not run.
    func compileDocker(_ node: ConfigNode, path: String) -> ExecutorLabel {
        guard let elements = decoder.sequence(node, path) else { return ExecutorLabel(kind: "docker") }
        var images: [String] = []
        for (index, element) in elements.enumerated() {
            guard decoder.mapping(element, "\(path)[\(index)]") != nil else { continue }
            if let imageNode = element["image"] {
                if let image = decoder.string(imageNode, "\(path)[\(index)].image") { images.append(image) }
            } else {
                decoder.error(element.location, "'\(path)[\(index)]' needs 'image'")
            }
        }
        if elements.isEmpty {
            decoder.error(node.location, "'\(path)' must list at least one image")
        }
        let services = Array(images.dropFirst())
        if !services.isEmpty, elements.count > 1 {
            decoder.warning(
                elements[1].location,
                "service containers are not run by cibox: \(services.joined(separator: ", "))",
                hint: "start the services on this machine yourself; jobs reach them on localhost as in CircleCI")
        }
        return ExecutorLabel(kind: "docker", image: images.first, serviceImages: services)
    }
}
