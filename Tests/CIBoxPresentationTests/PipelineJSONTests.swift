// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import CIBoxModel
import CIBoxPresentation
import Foundation
import Testing

@Suite struct PipelineJSONTests {
    static let created = Date(timeIntervalSince1970: 1_790_000_000.25)

    static func detail() -> PipelineDetail {
        let pipeline = Pipeline(
            id: 4, projectID: 1, projectName: "app", number: 2, uuid: "u", revision: String(repeating: "a", count: 40),
            treeID: "t", branch: nil, tag: nil, trigger: .manual, source: .commit, status: .failed, configHash: "h",
            createdAt: created, startedAt: created, finishedAt: nil
        )
        let job = Job(
            id: 9, workflowID: 5, pipelineID: 4, name: "test \"quoted\"", position: 0, nodeIndex: 1, parallelism: 2,
            attempt: 1, status: .failed, executor: "shell", resourceClass: "small", exitCode: 3,
            failureReason: .exitCode,
            startedAt: created, finishedAt: created,
            resources: JobResources(
                isolation: "cgroup1", cpuSeconds: 1.23456, peakMemoryBytes: 1_048_576, oomKills: 1,
                memoryLimitBytes: 67_108_864, pidsLimitHits: 3, pidsLimit: 64),
            image: JobImage(
                reference: "docker.io/library/node:20", digest: "sha256:" + String(repeating: "ab", count: 32))
        )
        let step = Step(id: 1, jobID: 9, index: 0, name: "run\ttab", status: .failed, exitCode: 3, logBytes: 12)
        let workflow = Workflow(id: 5, pipelineID: 4, name: "ci", position: 0, status: .failed)
        var jobDetail = JobDetail(job: job, steps: [step])
        jobDetail.tests = TestCounts(total: 10, failed: 2, skipped: 1)
        return PipelineDetail(
            pipeline: pipeline,
            workflows: [WorkflowDetail(workflow: workflow, jobs: [jobDetail])]
        )
    }

    @Test func detailIsPrintedWordForWord() {
        let expected = """
            {
              "id": 4,
              "project": "app",
              "number": 2,
              "revision": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
              "source": "commit",
              "source_text": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
              "branch": null,
              "trigger": "manual",
              "status": "failed",
              "error_message": null,
              "diagnostics": [],
              "created_at": "2026-09-21T14:13:20.250Z",
              "started_at": "2026-09-21T14:13:20.250Z",
              "finished_at": null,
              "workflows": [
                {
                  "id": 5,
                  "name": "ci",
                  "status": "failed",
                  "jobs": [
                    {
                      "id": 9,
                      "name": "test \\"quoted\\"",
                      "status": "failed",
                      "node_index": 1,
                      "parallelism": 2,
                      "attempt": 1,
                      "started_at": "2026-09-21T14:13:20.250Z",
                      "finished_at": "2026-09-21T14:13:20.250Z",
                      "exit_code": 3,
                      "failure_reason": "exit_code",
                      "failure_message": null,
                      "resource_class": "small",
                      "isolation": "cgroup1",
                      "image": {
                        "reference": "docker.io/library/node:20",
                        "digest": "sha256:\(String(repeating: "ab", count: 32))"
                      },
                      "cpu_seconds": 1.235,
                      "peak_memory_bytes": 1048576,
                      "oom_kills": 1,
                      "pids_limit_hits": 3,
                      "limit_events": [
                        "pids limit 64 reached (3 times)",
                        "a process was killed: out of memory (limit 64 MiB)"
                      ],
                      "tests": {
                        "total": 10,
                        "failed": 2,
                        "skipped": 1
                      },
                      "artifacts": [
                        {
                          "path": "reports/index.html",
                          "size": 2048
                        }
                      ],
                      "steps": [
                        {
                          "index": 0,
                          "name": "run\\ttab",
                          "status": "failed",
                          "exit_code": 3,
                          "log_bytes": 12
                        }
                      ]
                    }
                  ]
                }
              ]
            }
            """
        let artifacts = { (jobID: Int64) in jobID == 9 ? [ArtifactFile(path: "reports/index.html", size: 2048)] : [] }
        #expect(PipelineJSON.detail(Self.detail(), artifacts: artifacts).rendered() == expected)
    }

    @Test func jobsWithoutArtifactsHaveAnEmptyList() {
        let rendered = PipelineJSON.detail(Self.detail(), artifacts: ArtifactStore(home: "/nonexistent").list)
            .rendered(pretty: false)
        #expect(rendered.contains(#""skipped":1},"artifacts":[],"steps":["#))
    }

    @Test func aJobOnTheHostHasNoImage() {
        var detail = Self.detail()
        detail.workflows[0].jobs[0].job.image = nil
        let rendered = PipelineJSON.detail(detail).rendered(pretty: false)
        #expect(rendered.contains(#""isolation":"cgroup1","image":null,"cpu_seconds":1.235,"#))
    }

    @Test func summaryHasNoWorkflows() {
        let rendered = PipelineJSON.summary(Self.detail().pipeline).rendered(pretty: false)
        #expect(
            rendered
                == #"{"id":4,"project":"app","number":2,"revision":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","source":"commit","source_text":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","branch":null,"trigger":"manual","status":"failed","error_message":null,"diagnostics":[],"created_at":"2026-09-21T14:13:20.250Z","started_at":"2026-09-21T14:13:20.250Z","finished_at":null}"#
        )
    }

    @Test func aWorkingTreeErrorPipelineSaysSoAndCarriesItsDiagnostics() {
        var pipeline = Self.detail().pipeline
        pipeline.source = .workingTree
        pipeline.status = .error
        pipeline.errorMessage = "c.yml is not a valid config."
        pipeline.diagnostics = [
            Diagnostic(.error, at: SourceLocation(file: "c.yml", line: 3, column: 5), "cycle", hint: "remove one")
        ]
        let rendered = PipelineJSON.summary(pipeline).rendered(pretty: false)
        #expect(
            rendered.contains(
                #""source":"working-tree","source_text":"working tree (uncommitted changes) on aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","branch":null,"trigger":"manual","status":"error","error_message":"c.yml is not a valid config.","diagnostics":[{"file":"c.yml","line":3,"column":5,"severity":"error","message":"cycle","hint":"remove one"}],"created_at""#
            ))
    }

    @Test func controlCharactersAreEscaped() {
        #expect(JSONValue.string("a\u{0}b\u{1B}c\u{7F}").rendered() == #""a\u0000b\u001bc\u007f""#)
    }
}
