// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxSettings
import Testing

@Suite struct SettingsLoaderTests {
    static let gib: Int64 = 1_073_741_824

    @Test func readsCapacityAndResourceClasses() throws {
        let text = """
            capacity: { cpus: 2, memory: 8GiB }
            resource_classes:
              tiny: { cpus: 0.5, memory: 64MiB, pids: 64 }
              big: { cpus: 4, memory: 4096M }
            job_time_limit: 1h30m
            no_output_timeout: 20s
            cgroups: false
            report: false
            """
        let (settings, diagnostics) = SettingsLoader.load(text, path: "settings.yml")
        #expect(diagnostics.isEmpty)
        let loaded = try #require(settings)
        #expect(loaded.capacity == Capacity(millicores: 2000, memoryBytes: 8 * Self.gib))
        #expect(
            loaded.resourceClasses["tiny"]
                == ResourceClass(name: "tiny", millicores: 500, memoryBytes: 64 * 1_048_576, pids: 64))
        #expect(loaded.resourceClasses["big"]?.memoryBytes == 4 * Self.gib)
        #expect(loaded.jobTimeLimit == 5400)
        #expect(loaded.noOutputTimeout == 20)
        #expect(loaded.usesCgroups == false)
        #expect(loaded.writesReport == false)
        #expect(Settings().writesReport)
        #expect(
            SettingsLoader.load("report: maybe", path: "s.yml").1.map(\.message) == ["'report' must be true or false"])
    }

    @Test func everyMistakeIsReportedWithItsLine() {
        let text = """
            capacity: { cpus: two, memory: 8GiB }
            resource_classes:
              tiny: { cpus: 0.5, memory: lots }
            colour: blue
            """
        let (settings, diagnostics) = SettingsLoader.load(text, path: "settings.yml")
        #expect(settings == nil)
        #expect(
            diagnostics.map(\.formatted) == [
                "settings.yml:1:19: error: 'cpus' must be a positive number, such as 2 or 0.5",
                "settings.yml:3:30: error: 'memory' must be a size such as 4GiB, 512M or 1073741824\n  hint: units: K, M, G, KiB, MiB, GiB (all binary)",
                "settings.yml:4:1: warning: unknown settings key 'colour' is ignored",
            ])
    }

    @Test func emptyFileMeansDefaults() {
        let (settings, diagnostics) = SettingsLoader.load("", path: "settings.yml")
        #expect(settings == Settings())
        #expect(diagnostics.isEmpty)
    }
}

@Suite struct ResourceClassTests {
    static let gib: Int64 = 1_073_741_824
    static let big = Capacity(millicores: 64000, memoryBytes: 128 * gib)

    @Test(arguments: [
        ("small", 1000, 2), ("medium", 2000, 4), ("medium+", 3000, 6), ("large", 4000, 8), ("xlarge", 8000, 16),
        ("2xlarge", 16000, 32), ("arm.large", 4000, 8), ("macos.m1.medium.gen1", 2000, 4),
    ])
    func builtInClassesHaveCircleCIsSizes(_ name: String, _ millicores: Int, _ gibibytes: Int64) {
        let (resourceClass, note) = Settings().resourceClass(named: name, capacity: Self.big)
        #expect(resourceClass.millicores == millicores)
        #expect(resourceClass.memoryBytes == gibibytes * Self.gib)
        #expect(note == nil)
    }

    @Test func absentClassIsMedium() {
        #expect(Settings().resourceClass(named: nil, capacity: Self.big).0.millicores == 2000)
    }

    @Test func unknownClassIsMediumWithANote() {
        let (resourceClass, note) = Settings().resourceClass(named: "acme/runner", capacity: Self.big)
        #expect(resourceClass.millicores == 2000)
        #expect(note == "resource_class 'acme/runner' is not known here; the job gets medium (2 CPUs, 4 GiB)")
    }

    @Test func tooLargeIsClampedWithANote() {
        let machine = Capacity(millicores: 2000, memoryBytes: 8 * Self.gib)
        let (resourceClass, note) = Settings().resourceClass(named: "xlarge", capacity: machine)
        #expect(resourceClass.millicores == 2000)
        #expect(resourceClass.memoryBytes == 8 * Self.gib)
        #expect(
            note
                == "resource_class 'xlarge' asks for 8 CPUs and 16 GiB, more than this machine's capacity; the job gets 2 CPUs and 8192 MiB"
        )
    }

    @Test func settingsClassesWin() {
        let settings = Settings(resourceClasses: [
            "small": ResourceClass(name: "small", millicores: 250, memoryBytes: 1)
        ])
        #expect(settings.resourceClass(named: "small", capacity: Self.big).0.millicores == 250)
    }
}
