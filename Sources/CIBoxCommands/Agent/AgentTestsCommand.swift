// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxTestResults
import Foundation

/// `circleci tests …`: globbing and splitting tests across a job's parallel runs.
struct AgentTestsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tests",
        abstract: "List tests and split them between the parallel runs of a job.",
        subcommands: [AgentTestsGlobCommand.self, AgentTestsSplitCommand.self, AgentTestsRunCommand.self]
    )
}

/// `circleci tests glob PATTERN…`: the matching files, sorted, one per line.
struct AgentTestsGlobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glob",
        abstract: "Print the files matching the patterns (*, **, ?, [abc], {a,b}), sorted, one per line."
    )

    @Argument(help: "Patterns, quoted so that the shell leaves them alone.")
    var patterns: [String] = []

    func run() throws {
        let files = TestGlob.files(matching: patterns, in: FileManager.default.currentDirectoryPath)
        Terminal.output(data: files.map { $0 + "\n" }.joined())
    }
}

/// `circleci tests split [FILE]`: this node's share of the tests, one per line.
struct AgentTestsSplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Print this node's share of the tests read from FILE or standard input."
    )

    @OptionGroup var options: TestSplitOptions

    @Argument(help: "A file listing the tests; standard input when absent.")
    var file: String?

    func run() throws {
        let text: String
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("Cannot read the test list '\(file)'.")
            }
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        let share = try options.share(
            of: TestSplitOptions.items(in: text), environment: ProcessInfo.processInfo.environment)
        Terminal.output(data: share.map { $0 + "\n" }.joined())
    }
}

/// `circleci tests run --command CMD`: splits standard input and runs CMD with this node's tests on its
/// standard input, one per line (`--command "xargs pytest"`).
struct AgentTestsRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Split the tests on standard input and run a command with this node's share on its input."
    )

    @Option(help: "The command (run by bash) that reads this node's tests on standard input.")
    var command: String

    @OptionGroup var options: TestSplitOptions

    @Flag(help: "Say which tests this node runs, on standard error.")
    var verbose = false

    func run() throws {
        let text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        let share = try options.share(
            of: TestSplitOptions.items(in: text), environment: ProcessInfo.processInfo.environment)
        if verbose { Terminal.error("cibox: this node runs \(share.count) tests: \(share.joined(separator: " "))\n") }
        let process = Process()
        let bash = "/bin/bash"
        process.executableURL = URL(fileURLWithPath: FileManager.default.fileExists(atPath: bash) ? bash : "/bin/sh")
        process.arguments = ["-c", command]
        let input = Pipe()
        process.standardInput = input
        do {
            try process.run()
        } catch {
            Terminal.fail("Cannot run --command '\(command)': \(error.localizedDescription).")
            throw ExitCode.failure
        }
        let lines = share.map { $0 + "\n" }.joined()
        input.fileHandleForWriting.write(Data(lines.utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        if process.terminationStatus != 0 { throw ExitCode(process.terminationStatus) }
    }
}
