// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxModel
import CIBoxSlurm
import Testing

/// Does nothing: submission tests never check out.
struct NoCheckout: SourceCheckout {
    func checkout(into directory: String) throws -> String { "" }
}

@Suite struct SlurmSubmissionTests {
    static func request(limits: ResourceLimits?, timeLimit: Double = 5 * 3600) -> JobRunRequest {
        var request = JobRunRequest(
            jobID: 42, jobName: "test", workflowID: 3, workflowName: "ci", pipelineID: 2, pipelineNumber: 7,
            projectName: "app", repositoryPath: "/srv/app.git", revision: String(repeating: "a", count: 40),
            branch: "main", tag: nil, nodeIndex: 0, parallelism: 1, spec: JobSpec(definitionName: "test", steps: []),
            workDirectory: "/var/lib/cibox/work/42", logDirectory: "/var/lib/cibox/logs/42", source: NoCheckout(),
            inheritedEnvironment: [:])
        request.limits = limits
        request.resourceClass = "large"
        request.timeLimit = timeLimit
        return request
    }

    @Test func theScriptRunsTheAgentWithCiboxsOptionsAndTheSettingsArgumentsWin() {
        let settings = SlurmSettings(
            sharedDirectory: "/shared/ci", partition: "ci", account: "research", sbatchArguments: ["--qos=fast"])
        let folder = SlurmJobFolder(sharedDirectory: "/shared/ci", home: "/var/lib/cibox", jobID: 42)
        let submission = SlurmSubmission(
            request: Self.request(limits: ResourceLimits(millicores: 4000, memoryBytes: 8 * 1_073_741_824)),
            folder: folder, settings: settings, ciboxPath: "/opt/cibox's/cibox", home: "/var/lib/cibox")
        let key = SlurmJobFolder.key(home: "/var/lib/cibox", jobID: 42)
        #expect(folder.path == "/shared/ci/jobs/\(key)")
        #expect(
            submission.script == """
                #!/bin/sh
                # cibox job run 42: ci/test of pipeline #7 of app, resource_class large.
                # Written by cibox for sbatch; the agent runs the job's steps as cibox runs them on its own machine.
                #SBATCH --job-name=cibox-\(key)
                #SBATCH --cpus-per-task=4
                #SBATCH --mem=8192M
                #SBATCH --time=301
                #SBATCH --output=/shared/ci/jobs/\(key)/slurm.out
                #SBATCH --open-mode=append
                #SBATCH --chdir=/shared/ci/jobs/\(key)
                #SBATCH --no-requeue
                #SBATCH --partition=ci
                #SBATCH --account=research
                exec '/opt/cibox'\\''s/cibox' agent run-job --folder '/shared/ci/jobs/\(key)'

                """)
        #expect(submission.arguments == ["--parsable", "--qos=fast"])
    }

    @Test(
        arguments: [
            (500, 64 * 1_048_576, 600.0, ["--cpus-per-task=1", "--mem=64M", "--time=11"]),
            (1000, 2 * 1_073_741_824, 30, ["--cpus-per-task=1", "--mem=2048M", "--time=2"]),
            (2500, 1_500_000, 3601, ["--cpus-per-task=3", "--mem=2M", "--time=62"]),
        ] as [(Int, Int64, Double, [String])])
    func resourceClassesBecomeWholeCPUsMebibytesAndMinutes(
        _ millicores: Int, _ memory: Int64, _ timeLimit: Double, _ expected: [String]
    ) {
        let limits = ResourceLimits(millicores: millicores, memoryBytes: memory)
        #expect(SlurmSubmission.resourceOptions(limits: limits, timeLimit: timeLimit) == expected)
    }

    @Test func withoutLimitsOnlyTheTimeIsAsked() {
        #expect(SlurmSubmission.resourceOptions(limits: nil, timeLimit: 60) == ["--time=2"])
    }

    @Test func theJobNameCarriesTheHomeSoTwoCiboxesOnOneClusterNeverMeet() {
        #expect(
            SlurmSubmission.jobName(home: "/a", jobID: 1) != SlurmSubmission.jobName(home: "/b", jobID: 1))
    }
}

@Suite struct SlurmCommandLineParsingTests {
    @Test(
        arguments: [
            ("1234\n", "1234"), ("1234;cluster\n", "1234"), ("sbatch: warning: x\n77\n", "77"), ("", nil),
            ("Submitted batch job 5\n", nil),
        ] as [(String, String?)])
    func sbatchParsableOutputGivesTheJobID(_ text: String, _ id: String?) {
        #expect(SlurmCommandLine.jobID(parsable: text) == id)
    }

    @Test func squeueAndSacctLinesGiveStatesByID() {
        let text = """
            12|RUNNING|None
            13|OUT_OF_MEMORY|OutOfMemory
            14|CANCELLED by 0|
            Slurm accounting storage is disabled
            """
        #expect(
            SlurmCommandLine.parse(text) == [
                "12": SlurmJobState("RUNNING"), "13": SlurmJobState("OUT_OF_MEMORY", reason: "OutOfMemory"),
                "14": SlurmJobState("CANCELLED"),
            ])
    }
}
