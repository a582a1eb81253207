// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxModel
import Testing

@Suite struct ProcessedConfigTests {
    @Test func rendersExpandedJobsAndWorkflows() throws {
        let text = """
            version: 2.1
            commands:
              hello:
                parameters: {who: {type: string, default: world}}
                steps: [{run: "echo hello << parameters.who >>"}]
            jobs:
              test:
                parameters: {v: {type: string}}
                docker: [{image: "node:<< parameters.v >>"}]
                steps: [checkout, hello, {save_cache: {key: "k-<< parameters.v >>", paths: [node_modules]}}]
            workflows:
              ci:
                jobs:
                  - test: {matrix: {parameters: {v: ["18", "20"]}}}
                  - hold: {type: approval, requires: [test]}
            """
        let configuration = try #require(compile(text).configuration)
        #expect(
            try ProcessedConfig.render(configuration) == """
                version: "2.1"
                jobs:
                  test-18:
                    docker:
                    - image: node:18
                    working_directory: ~/project
                    steps:
                    - checkout:
                        name: Checkout code
                    - run:
                        name: echo hello world
                        command: echo hello world
                    - save_cache:
                        name: Saving cache
                        key: k-18
                        paths:
                        - node_modules
                  test-20:
                    docker:
                    - image: node:20
                    working_directory: ~/project
                    steps:
                    - checkout:
                        name: Checkout code
                    - run:
                        name: echo hello world
                        command: echo hello world
                    - save_cache:
                        name: Saving cache
                        key: k-20
                        paths:
                        - node_modules
                workflows:
                  ci:
                    jobs:
                    - test-18
                    - test-20
                    - hold:
                        type: approval
                        requires:
                        - test-18
                        - test-20

                """)
    }
}
