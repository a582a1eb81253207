// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// Temp folders, git repositories and processes for the benchmarks (the bench may run `git`; cibox never does).
enum BenchFixtures {
    /// A fresh temp folder.
    static func temporaryFolder(_ prefix: String) throws -> String {
        let path =
            FileManager.default.temporaryDirectory.resolvingSymlinksInPath().path
            + "/\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A repository whose config has one job: checkout and `run: "true"`.
    static func oneJobRepository() throws -> String {
        try repository([
            ".circleci/config.yml":
                "version: 2.1\njobs:\n  build:\n    steps:\n      - checkout\n      - run: \"true\"\nworkflows:\n  w:\n    jobs: [build]\n",
            "README.md": "one job\n",
        ])
    }

    /// A git repository in a temp folder with `files` committed on `main`.
    static func repository(_ files: [String: String]) throws -> String {
        let path = try temporaryFolder("cibox-bench-repo")
        for (relative, contents) in files {
            let full = path + "/" + relative
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true
            )
            try Data(contents.utf8).write(to: URL(fileURLWithPath: full))
        }
        try run("/usr/bin/git", ["init", "-q", "-b", "main", path])
        try run("/usr/bin/git", ["-C", path, "add", "-A"])
        try run(
            "/usr/bin/git",
            ["-C", path, "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "bench"]
        )
        return path
    }

    /// Runs a program to its end; throws when it fails.
    @discardableResult
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, in directory: String? = nil
    ) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { process.environment = environment }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 || environment != nil else {
            throw BenchError(
                "\(executable) \(arguments.joined(separator: " ")) failed with \(process.terminationStatus)")
        }
        return process.terminationStatus
    }

    /// What a program prints on standard output, trimmed; throws when it fails.
    static func output(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError(
                "\(executable) \(arguments.joined(separator: " ")) failed with \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The program `name` on `PATH`, if there is one.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Writes the sample images (`app.tar`: cibox-samples/app:1, `web.tar`: cibox-samples/web:1, busybox roots) into
    /// `folder` with the project's `scripts/build-sample-images.sh`.
    static func sampleImages(into folder: String) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/build-sample-images.sh").path
        try run("/bin/bash", [script, folder])
    }

    /// The `cibox` binary built beside this benchmark.
    static var ciboxBinary: String {
        let bench = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return bench.deletingLastPathComponent().appendingPathComponent("cibox").path
    }
}

/// A benchmark could not be set up.
struct BenchError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
