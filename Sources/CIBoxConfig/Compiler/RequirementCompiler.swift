// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML
import OrderedCollections

/// `requires:` of workflow jobs: job names, each with the statuses that satisfy it.
struct RequirementCompiler {
    /// Where problems go.
    let decoder: NodeDecoder

    /// `requires:` entries: `- job`, `- job: failed` or `- job: [success, canceled]`.
    func compileRequires(_ node: ConfigNode, into job: inout WorkflowJob, path: String) {
        guard let elements = decoder.sequence(node, path) else { return }
        for (index, element) in elements.enumerated() {
            if let scalar = element.scalar, !scalar.isNull {
                job.requires.append(Requirement(job: scalar.text))
                job.requirementLocations.append(element.location)
                continue
            }
            guard let entries = element.entries, !entries.isEmpty else {
                decoder.error(
                    element.location, "'\(path)[\(index)]' must be a job name or 'job: status'",
                    hint: "statuses are success, failed, canceled, not_run and terminal")
                continue
            }
            for entry in entries {
                let statuses = requirementStatuses(entry.value, path: "\(path)[\(index)].\(entry.key)")
                job.requires.append(Requirement(job: entry.key, statuses: statuses))
                job.requirementLocations.append(entry.keyLocation)
            }
        }
    }

    /// The statuses of one requirement (`success` when none is given).
    func requirementStatuses(_ node: ConfigNode, path: String) -> [JobStatus] {
        var result: OrderedSet<JobStatus> = []
        for name in decoder.stringList(node, path) ?? [] {
            let statuses: [JobStatus]? =
                switch name {
                case "success": [.success]
                case "failed": [.failed]
                case "canceled": [.canceled]
                case "not_run": [.notRun]
                case "terminal": [.success, .failed, .canceled, .notRun]
                default: nil
                }
            guard let statuses else {
                decoder.error(
                    node.location, "unknown job status '\(name)' in '\(path)'",
                    hint: "statuses are success, failed, canceled, not_run and terminal")
                continue
            }
            result.append(contentsOf: statuses)
        }
        return result.isEmpty ? [.success] : Array(result)
    }
}
