// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxSettings
import Testing

@Suite struct ExecutorSettingsTests {
    static let gib: Int64 = 1_073_741_824

    @Test func readsTheSlurmExecutorAndTheChoicesPerClassAndProject() throws {
        let text = """
            executor: local
            executors:
              slurm:
                shared_directory: /shared/cibox/
                partition: ci
                account: research
                sbatch_arguments: [--qos=ci, "--constraint=avx2"]
                cibox: /shared/bin/cibox
                poll_interval: 0.5s
            resource_classes:
              large: { executor: slurm }
              gpu: { cpus: 8, memory: 32GiB, executor: slurm }
              tiny: { cpus: 0.5, memory: 64MiB, executor: local }
            project_executor:
              web: slurm
            """
        let (settings, diagnostics) = SettingsLoader.load(text, path: "settings.yml")
        #expect(diagnostics.isEmpty)
        let loaded = try #require(settings)
        #expect(
            loaded.slurm
                == SlurmSettings(
                    sharedDirectory: "/shared/cibox", partition: "ci", account: "research",
                    sbatchArguments: ["--qos=ci", "--constraint=avx2"], ciboxPath: "/shared/bin/cibox",
                    pollInterval: 0.5))
        #expect(
            loaded.resourceClasses["large"]
                == ResourceClass(name: "large", millicores: 4000, memoryBytes: 8 * Self.gib, executor: .slurm))
        #expect(loaded.resourceClasses["gpu"]?.executor == .slurm)
        #expect(loaded.storageDirectory(home: "/var/lib/cibox") == "/shared/cibox")
        // The class wins, then the project, then the default.
        #expect(loaded.executor(resourceClass: "large", project: "api") == .slurm)
        #expect(loaded.executor(resourceClass: "tiny", project: "web") == .local)
        #expect(loaded.executor(resourceClass: nil, project: "web") == .slurm)
        #expect(loaded.executor(resourceClass: "small", project: "api") == .local)
    }

    @Test func withoutSlurmEverythingIsLocalAndStorageIsTheHome() {
        let settings = Settings()
        #expect(settings.executor(resourceClass: "large", project: "web") == .local)
        #expect(settings.storageDirectory(home: "/var/lib/cibox") == "/var/lib/cibox")
    }

    @Test func theDefaultExecutorCanBeSlurm() throws {
        let text = "executor: slurm\nexecutors: { slurm: { shared_directory: /nfs/ci } }\n"
        let (settings, diagnostics) = SettingsLoader.load(text, path: "settings.yml")
        #expect(diagnostics.isEmpty)
        #expect(try #require(settings).executor(resourceClass: nil, project: "any") == .slurm)
        #expect(settings?.slurm?.pollInterval == 1)
    }

    @Test func mistakesAreErrorsWithTheirLines() {
        let text = """
            executor: cluster
            executors:
              slurm: { partition: ci, shared_directory: shared }
              pbs: {}
            project_executor: slurm
            """
        let (settings, diagnostics) = SettingsLoader.load(text, path: "settings.yml")
        #expect(settings == nil)
        #expect(
            diagnostics.map(\.formatted) == [
                "settings.yml:1:11: error: executor must be 'local' or 'slurm', not 'cluster'",
                "settings.yml:3:45: error: 'shared_directory' must be an absolute path that every node sees, such as /shared/cibox",
                "settings.yml:3:10: error: 'slurm' needs 'shared_directory': a folder every node sees at the same path (job folders, logs, caches, workspaces and artifacts go there)",
                "settings.yml:4:3: error: unknown executor 'pbs' under 'executors'; cibox knows 'slurm' (and 'local', which needs no settings)",
                "settings.yml:5:19: error: 'project_executor' must map project names to executors",
            ])
    }

    @Test func slurmWithoutItsSettingsIsAnError() {
        let text = """
            resource_classes:
              large: { executor: slurm }
            """
        let (settings, diagnostics) = SettingsLoader.load(text, path: "settings.yml")
        #expect(settings == nil)
        #expect(
            diagnostics.map(\.formatted) == [
                "settings.yml:2:22: error: jobs are sent to Slurm here, but 'executors: { slurm: … }' is not set\n  hint: add executors: { slurm: { shared_directory: /shared/cibox, partition: … } }"
            ])
    }
}
