// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// The pipeline's side of `<< … >>`: its parameters (typed) and its `pipeline.*` values, from which each place's
/// ``TemplateScope`` is made.
struct PipelineTemplates {
    /// The pipeline parameters' values, typed.
    var pipelineParameters: [String: ConfigNode] = [:]
    /// The `pipeline.*` values by full name.
    var pipelineValues: [String: ConfigNode]

    /// The values of `values`, shown at line 1 of `file`; no pipeline parameters yet.
    init(values: PipelineValues, file: String) {
        pipelineValues = Self.pipelineValueNodes(values, file: file)
    }

    /// The scope of places outside elements: pipeline parameters and values only.
    var pipelineScope: TemplateScope {
        TemplateScope(
            parameters: nil, element: "the workflow", pipelineParameters: pipelineParameters,
            pipelineValues: pipelineValues, matrix: nil)
    }

    /// The scope of parameter defaults, resolved before the element's parameters are: pipeline values, and the
    /// pipeline parameters outside orbs; `parameters.*` stays as written.
    func defaultsScope(isOrb: Bool) -> TemplateScope {
        var scope = TemplateScope(
            parameters: nil, element: "a parameter default", pipelineParameters: isOrb ? nil : pipelineParameters,
            pipelineValues: pipelineValues, matrix: nil)
        scope.leavesElementParameters = true
        return scope
    }

    /// The scope inside an element with parameter values `values`; an orb's element (`isOrb`) does not see the
    /// pipeline parameters.
    func elementScope(_ values: [String: ConfigNode], element: String, isOrb: Bool) -> TemplateScope {
        TemplateScope(
            parameters: values, element: element, pipelineParameters: isOrb ? nil : pipelineParameters,
            pipelineValues: pipelineValues, matrix: nil)
    }

    /// The `pipeline.*` values CircleCI defines, from `values`; missing ones are empty strings.
    static func pipelineValueNodes(_ values: PipelineValues, file: String) -> [String: ConfigNode] {
        let location = SourceLocation(file: file, line: 1, column: 1)
        let texts: [String: String] = [
            "pipeline.id": values.id,
            "pipeline.project.git_url": values.projectGitURL,
            "pipeline.project.type": values.projectType ?? "local",
            "pipeline.project.slug": values.projectSlug ?? "",
            "pipeline.git.branch": values.branch ?? "",
            "pipeline.git.tag": values.tag ?? "",
            "pipeline.git.revision": values.revision,
            "pipeline.git.base_revision": values.baseRevision ?? "",
            "pipeline.git.repo_url": values.projectGitURL,
            "pipeline.trigger_source": values.triggerSource,
            "pipeline.trigger.type": values.triggerType ?? values.triggerSource,
            "pipeline.schedule.name": values.scheduleName ?? "",
            "pipeline.schedule.id": values.scheduleID ?? "",
        ]
        var nodes = texts.mapValues { ConfigNode(.scalar(ConfigScalar($0, isQuoted: true)), at: location) }
        nodes["pipeline.number"] = ConfigNode(.scalar(ConfigScalar(String(values.number))), at: location)
        return nodes
    }
}
