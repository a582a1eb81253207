// cibox — CI in a box. MIT licence, see LICENSE.

/// The orbs cibox provides itself, whatever the version asked for: `circleci/continuation` and
/// `circleci/path-filtering`. Their steps call `circleci-agent`, which the runner provides on `PATH`.
enum BuiltinOrbs {
    /// The source and the path shown in diagnostics of the built-in orb `reference` stands for, if any.
    static func source(for reference: OrbReference) -> (text: String, path: String)? {
        guard reference.namespace == "circleci" else { return nil }
        switch reference.name {
        case "continuation": return (continuation, "<cibox>/orbs/circleci/continuation.yml")
        case "path-filtering": return (pathFiltering, "<cibox>/orbs/circleci/path-filtering.yml")
        default: return nil
        }
    }

    /// As the published orb's (executor `default`, commands `continue` and `finish`, job `continue` with
    /// `workspace_path` and `executor`), with the API calls replaced by `circleci-agent`.
    static let continuation = """
        version: 2.1
        description: cibox's built-in stand-in for circleci/continuation; continues the pipeline locally.
        executors:
          default:
            parameters:
              tag: {type: string, default: stable}
            docker:
              - image: cimg/base:<< parameters.tag >>
        commands:
          continue:
            parameters:
              configuration_path: {type: string, default: .circleci/continue_config.yml}
              parameters: {type: string, default: "{}"}
              circleci_domain: {type: string, default: circleci.com}
              when: {type: enum, enum: [on_success, on_fail, always], default: on_success}
            steps:
              - run:
                  name: Continue the pipeline
                  when: << parameters.when >>
                  command: >-
                    circleci-agent continue
                    --configuration-path "<< parameters.configuration_path >>"
                    --parameters '<< parameters.parameters >>'
          finish:
            steps:
              - run:
                  name: Finish Pipeline
                  command: circleci-agent finish
        jobs:
          continue:
            parameters:
              configuration_path: {type: string, default: .circleci/continue_config.yml}
              parameters: {type: string, default: "{}"}
              circleci_domain: {type: string, default: circleci.com}
              resource_class: {type: string, default: small}
              checkout: {type: boolean, default: true}
              workspace_path: {type: string, default: ""}
              circleci_ip_ranges: {type: boolean, default: false}
              executor: {type: executor, default: default}
            executor: << parameters.executor >>
            resource_class: << parameters.resource_class >>
            steps:
              - when:
                  condition: << parameters.checkout >>
                  steps: [checkout]
              - when:
                  condition: {not: {equal: ["", << parameters.workspace_path >>]}}
                  steps:
                    - attach_workspace: {at: << parameters.workspace_path >>}
              - continue:
                  configuration_path: << parameters.configuration_path >>
                  parameters: << parameters.parameters >>
                  circleci_domain: << parameters.circleci_domain >>
        """

    static let pathFiltering = """
        version: 2.1
        description: cibox's built-in stand-in for circleci/path-filtering; maps changed paths to parameters locally.
        commands:
          filter:
            parameters:
              base-revision: {type: string, default: main}
              mapping: {type: string, default: ""}
              config-path: {type: string, default: .circleci/continue_config.yml}
              output-path: {type: string, default: /tmp/pipeline-parameters.json}
              circleci_domain: {type: string, default: circleci.com}
            steps:
              - run:
                  name: Filter paths and continue the pipeline
                  command: >-
                    circleci-agent path-filtering
                    --base-revision "<< parameters.base-revision >>"
                    --mapping '<< parameters.mapping >>'
                    --config-path "<< parameters.config-path >>"
                    --output-path "<< parameters.output-path >>"
        jobs:
          filter:
            parameters:
              base-revision: {type: string, default: main}
              mapping: {type: string, default: ""}
              config-path: {type: string, default: .circleci/continue_config.yml}
              output-path: {type: string, default: /tmp/pipeline-parameters.json}
              circleci_domain: {type: string, default: circleci.com}
              resource_class: {type: string, default: small}
              workspace_path: {type: string, default: ""}
              tag: {type: string, default: "3.8"}
              checkout: {type: boolean, default: true}
            docker:
              - image: cimg/base:current
            resource_class: << parameters.resource_class >>
            steps:
              - when:
                  condition: << parameters.checkout >>
                  steps: [checkout]
              - when:
                  condition: << parameters.workspace_path >>
                  steps:
                    - attach_workspace: {at: << parameters.workspace_path >>}
              - filter:
                  base-revision: << parameters.base-revision >>
                  mapping: << parameters.mapping >>
                  config-path: << parameters.config-path >>
                  output-path: << parameters.output-path >>
                  circleci_domain: << parameters.circleci_domain >>
        """
}
