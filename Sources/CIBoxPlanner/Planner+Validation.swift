// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel

extension Planner {
    /// The structural errors of one workflow: duplicate names, unknown requirements and cycles.
    static func validate(_ workflow: WorkflowDefinition) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var seen: Set<String> = []
        for job in workflow.jobs {
            if !seen.insert(job.name).inserted {
                diagnostics.append(
                    Diagnostic(
                        .error, at: job.location, "duplicate job name '\(job.name)' in workflow '\(workflow.name)'",
                        hint: "give one of them another name with 'name:'"))
            }
        }
        for job in workflow.jobs {
            for (index, requirement) in job.requires.enumerated() where !seen.contains(requirement.job) {
                let location = index < job.requirementLocations.count ? job.requirementLocations[index] : job.location
                diagnostics.append(
                    Diagnostic(
                        .error, at: location,
                        "job '\(job.name)' in workflow '\(workflow.name)' requires unknown job '\(requirement.job)'",
                        hint: "'requires' names jobs of the same workflow (by their 'name:' when renamed)"))
            }
        }
        diagnostics += cycles(in: workflow).map { cycle in
            let location = workflow.jobs.first { $0.name == cycle[0] }?.location ?? workflow.location
            return Diagnostic(
                .error, at: location, "cycle in requires: \(cycle.joined(separator: " -> "))",
                hint: "remove one of these requirements")
        }
        return diagnostics
    }

    /// Each cycle of `requires` once, as job names from the first job (in config order) back to itself.
    static func cycles(in workflow: WorkflowDefinition) -> [[String]] {
        var requires: [String: [String]] = [:]
        for job in workflow.jobs where requires[job.name] == nil {
            requires[job.name] = job.requires.map(\.job)
        }
        var finished: Set<String> = []
        var reported: Set<Set<String>> = []
        var result: [[String]] = []
        var stack: [String] = []

        func visit(_ name: String) {
            if finished.contains(name) { return }
            if let start = stack.firstIndex(of: name) {
                let cycle = Array(stack[start...])
                if reported.insert(Set(cycle)).inserted { result.append(cycle + [name]) }
                return
            }
            stack.append(name)
            for required in requires[name] ?? [] where requires[required] != nil {
                visit(required)
            }
            stack.removeLast()
            finished.insert(name)
        }
        for job in workflow.jobs {
            visit(job.name)
        }
        return result
    }
}
