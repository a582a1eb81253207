// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// Runs the built `cibox` binary, as a user would.
struct CLI {
    /// The state folder used by every call.
    let home: TemporaryDirectory
    /// Variables added to every call's environment (`SLURM_CONF` for the Slurm tests).
    var environment: [String: String] = [:]

    /// The `cibox` executable: `$CIBOX_BINARY`, else the one built beside the test bundle.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["CIBOX_BINARY"] { return path }
        let testBundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = testBundle.deletingLastPathComponent()
        if folder.lastPathComponent == "MacOS" || testBundle.pathExtension != "xctest" {
            folder = testBundle.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("cibox").path
    }

    /// The repository root of this package (to find `Samples/`).
    static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    init() throws {
        home = try TemporaryDirectory(prefix: "cibox-home")
    }

    /// Runs `cibox ARGUMENTS --home HOME` and returns its output.
    @discardableResult
    func run(_ arguments: [String], in directory: String? = nil, input: String? = nil) async throws -> ProcessOutput {
        try await ProcessRunner.run(
            Self.binary, arguments + ["--home", home.path], in: directory, environment: environment, input: input)
    }

    /// Starts `cibox ARGUMENTS --home HOME` in the background; its standard output goes to the returned file.
    ///
    /// A Foundation `Process`, not swift-subprocess: the tests that use it signal or kill it by pid while they go on
    /// checking, then await its end with ``Process/ended()`` (never `waitUntilExit()`, which would hold a
    /// cooperative thread for as long as the command runs).
    func start(_ arguments: [String]) throws -> (Process, CapturedOutput) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments + ["--home", home.path]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = try CapturedOutput()
        process.standardOutput = output.writer
        process.standardError = FileHandle.nullDevice
        try process.run()
        try output.writer.close()
        return (process, output)
    }

    /// Runs `cibox run PATH --json`, expects a pipeline that succeeded, and returns its workflows.
    func succeededWorkflows(_ path: String) async throws -> [[String: Any]] {
        let run = try await self.run(["run", path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let pipeline = try Self.object(run)
        #expect(pipeline.string("status") == "success")
        return pipeline.objects("workflows")
    }

    /// Parses standard output as a JSON object.
    static func object(_ output: ProcessOutput) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any] else {
            throw FixtureError("stdout is not a JSON object: \(output.stdout)")
        }
        return object
    }
}

/// Reads nested JSON values in tests.
extension Dictionary where Key == String, Value == Any {
    /// The array of objects under `key`.
    func objects(_ key: String) -> [[String: Any]] {
        self[key] as? [[String: Any]] ?? []
    }

    /// The string under `key`.
    func string(_ key: String) -> String? {
        self[key] as? String
    }

    /// The integer under `key`.
    func int(_ key: String) -> Int? {
        (self[key] as? NSNumber)?.intValue
    }

    /// Whether `key` holds JSON null.
    func isNull(_ key: String) -> Bool {
        self[key] is NSNull
    }
}

/// Builds a repository from a sample folder or from files given inline.
enum Repositories {
    /// A repository holding a copy of `Samples/NAME`, committed on `main`.
    static func sample(_ name: String) async throws -> GitFixture {
        let fixture = try await GitFixture()
        let source = CLI.packageRoot + "/Samples/" + name
        try await ProcessRunner.run("/bin/cp", ["-R", source + "/.", fixture.path])
        try await fixture.commitAll("sample \(name)")
        return fixture
    }

    /// A repository with `config` as `.circleci/config.yml` and the given extra files, committed on `main`.
    static func with(config: String, files: [String: String] = [:]) async throws -> GitFixture {
        let fixture = try await GitFixture()
        try fixture.write(config, to: ".circleci/config.yml")
        for (path, contents) in files { try fixture.write(contents, to: path) }
        try await fixture.commitAll("config")
        return fixture
    }
}
