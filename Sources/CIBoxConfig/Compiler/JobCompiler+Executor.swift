// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

extension JobCompiler {
    /// The keys a `docker:` entry may have.
    static let dockerEntryKeys: Set<String> = [
        "image", "name", "entrypoint", "command", "user", "environment", "auth", "aws_auth",
    ]

    /// The executor of a job, into `spec`: its label (`shell` without an executor key), its `docker:` entries and
    /// `machine:`'s `docker_layer_caching`.
    func compileExecutor(_ node: ConfigNode, path: String, into spec: inout JobSpec) {
        let present = Self.executorKeys.compactMap { node.entry($0) }
        if present.count > 1 {
            decoder.error(
                present[1].keyLocation,
                "'\(path)' has more than one executor: \(present.map(\.key).joined(separator: ", "))",
                hint: "keep one of docker, machine, macos (an 'executor:' brings its own)")
        }
        guard let entry = present.first else { return }
        let keyPath = "\(path).\(entry.key)"
        switch entry.key {
        case "docker":
            let images = compileDocker(entry.value, path: keyPath)
            spec.dockerImages = images
            spec.executor = ExecutorLabel(
                kind: "docker", image: images.first?.image, serviceImages: images.dropFirst().map(\.image))
        case "macos":
            let xcode = entry.value["xcode"].flatMap { decoder.string($0, "\(keyPath).xcode") }
            if xcode == nil, entry.value["xcode"] == nil {
                decoder.error(entry.value.location, "'\(keyPath)' needs 'xcode', the Xcode version")
            }
            decoder.warning(
                entry.keyLocation,
                "'\(keyPath)': cibox has no macOS virtual machines; the job's steps run in this machine's shell",
                hint: "steps that need Xcode or macOS tools fail unless this machine has them")
            spec.executor = ExecutorLabel(kind: "macos", image: xcode)
        default:
            let image = compileMachineImage(entry.value, path: keyPath)
            let isWindows = entry.key == "windows" || image?.hasPrefix("windows") == true
            spec.executor = ExecutorLabel(kind: isWindows ? "windows" : entry.key, image: image)
            spec.dockerLayerCaching = entry.value["docker_layer_caching"].flatMap {
                decoder.bool($0, "\(keyPath).docker_layer_caching")
            }
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

    /// `docker:`: the first image is the job's, the others are its service containers.
    func compileDocker(_ node: ConfigNode, path: String) -> [DockerImage] {
        guard let elements = decoder.sequence(node, path) else { return [] }
        let images = elements.enumerated().compactMap { index, element in
            compileDockerEntry(element, path: "\(path)[\(index)]")
        }
        if elements.isEmpty {
            decoder.error(node.location, "'\(path)' must list at least one image")
        }
        return images
    }

    /// One `docker:` entry, with what CircleCI gives its container.
    func compileDockerEntry(_ element: ConfigNode, path: String) -> DockerImage? {
        guard let entries = decoder.mapping(element, path) else { return nil }
        decoder.checkKeys(entries, in: path, known: Self.dockerEntryKeys)
        guard let imageNode = element["image"] else {
            decoder.error(element.location, "'\(path)' needs 'image'")
            return nil
        }
        guard let image = decoder.string(imageNode, "\(path).image") else { return nil }
        var entry = DockerImage(image: image)
        entry.name = element["name"].flatMap { decoder.string($0, "\(path).name") }
        entry.user = element["user"].flatMap { decoder.string($0, "\(path).user") }
        entry.entrypoint = element["entrypoint"].flatMap { words($0, "\(path).entrypoint") }
        entry.command = element["command"].flatMap { words($0, "\(path).command") }
        entry.environment =
            element["environment"].flatMap { decoder.environment($0, "\(path).environment") } ?? []
        if let auth = element.entry("aws_auth") ?? element.entry("auth") {
            entry.isAWSAuth = auth.key == "aws_auth"
            entry.auth = decoder.mapping(auth.value, "\(path).\(auth.key)").map { fields in
                Dictionary(fields.compactMap { field in field.value.scalar.map { (field.key, $0.text) } }) { $1 }
            }
        }
        return entry
    }

    /// `entrypoint` or `command`: a string (one word) or a list of strings.
    func words(_ node: ConfigNode, _ path: String) -> [String]? {
        if let scalar = node.scalar, !scalar.isNull { return [scalar.text] }
        return decoder.stringList(node, path)
    }

    /// Warns about each `run` step that reads a variable only the primary image's `environment` sets: CircleCI
    /// gives those to the container's entrypoint and command, not to the steps (a common surprise).
    func checkImageOnlyVariables(_ spec: JobSpec, node: ConfigNode) {
        guard let primary = spec.dockerImages?.first, !primary.environment.isEmpty else { return }
        let jobNames = Set(spec.environment.map(\.name))
        let location = node["docker"]?.elements?.first?["environment"]?.location ?? node.location
        for variable in primary.environment where !jobNames.contains(variable.name) {
            for step in spec.steps {
                guard case .run(let action) = step.action,
                    !action.environment.contains(where: { $0.name == variable.name }),
                    Self.reads(action.command, variable.name)
                else { continue }
                decoder.warning(
                    location,
                    "step '\(step.name)' reads $\(variable.name), which only the primary image's 'environment' "
                        + "sets: it reaches the container's entrypoint and command, not the steps",
                    hint: "to give it to the steps, set it under the job's 'environment:'")
            }
        }
    }

    /// Whether `command` reads `$name` or `${name…}` (a shell variable reference, not a longer name).
    static func reads(_ command: String, _ name: String) -> Bool {
        for prefix in ["$" + name, "${" + name] {
            var rest = command[...]
            while let range = rest.firstRange(of: prefix) {
                rest = rest[range.upperBound...]
                guard let next = rest.first, next.isLetter || next.isNumber || next == "_" else { return true }
            }
        }
        return false
    }
}
