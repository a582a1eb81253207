// cibox — CI in a box. MIT licence, see LICENSE.

import Subprocess

#if canImport(Glibc)
    import Glibc
#endif
#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// The outcome of a finished process run by tests.
package struct ProcessOutput: Sendable {
    /// Exit status (or 128 + signal).
    package var status: Int32
    /// Everything written to standard output.
    package var stdout: String
    /// Everything written to standard error.
    package var stderr: String
}

/// Runs programs for tests (git to build fixtures, the built `cibox` for end-to-end tests) through
/// swift-subprocess: the calling task awaits the program's end without blocking a thread, so long commands cannot
/// starve Swift Testing's cooperative pool (two threads on a two-core machine).
package enum ProcessRunner {
    /// Runs `executable` with `arguments`, awaits its end, and returns its output.
    ///
    /// - Parameters:
    ///   - executable: absolute path of the program.
    ///   - arguments: its arguments.
    ///   - directory: working folder, if not the current one.
    ///   - environment: extra variables added to (and overriding) the test process's environment.
    ///   - input: text on standard input, then end of file; nil gives it `/dev/null`.
    /// - Returns: its exit status and everything it wrote to standard output and error.
    /// - Throws: when the program cannot be started.
    @discardableResult
    package static func run(
        _ executable: String,
        _ arguments: [String],
        in directory: String? = nil,
        environment: [String: String] = [:],
        input: String? = nil
    ) async throws -> ProcessOutput {
        let (status, stdout, stderr) = try await collect(
            executable, arguments, in: directory, environment: environment, input: input)
        return ProcessOutput(
            status: status, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Runs `executable` with `arguments`, awaits its end, and returns its standard output as bytes (for
    /// byte-exact checks); its standard input is `/dev/null` and its standard error is dropped.
    ///
    /// - Parameters:
    ///   - executable: absolute path of the program.
    ///   - arguments: its arguments.
    /// - Returns: everything it wrote to standard output, whatever its exit status.
    /// - Throws: when the program cannot be started.
    package static func runBytes(_ executable: String, _ arguments: [String]) async throws -> [UInt8] {
        try await collect(executable, arguments, in: nil, environment: [:], input: nil).stdout
    }

    /// Runs the program and collects its exit status and both outputs whole.
    ///
    /// Neither output has a limit (`Int.max`): swift-subprocess then reserves nothing up front and grows the buffer
    /// as the program writes, where a finite limit would reserve that many bytes for every call (and tests read
    /// anything from a few bytes of git to the bounded tail of a 100 MB line). Both outputs are read concurrently
    /// while the program runs, so a chatty program never blocks on a full pipe.
    private static func collect(
        _ executable: String, _ arguments: [String], in directory: String?, environment: [String: String],
        input: String?
    ) async throws -> (status: Int32, stdout: [UInt8], stderr: [UInt8]) {
        let variables = Dictionary(
            uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), Optional($0.value)) })
        let result = try await Subprocess.run(
            .path(FilePath(executable)), arguments: Arguments(arguments),
            environment: .inherit.updating(variables), workingDirectory: directory.map { FilePath($0) },
            input: .fileDescriptor(try openInput(input), closeAfterSpawningProcess: true),
            output: .bytes(limit: .max), error: .bytes(limit: .max))
        let status: Int32 =
            switch result.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        return (status, result.standardOutput, result.standardError)
    }

    /// Opens what the program reads as standard input: `/dev/null`, or an unlinked temporary file holding `text`.
    ///
    /// A file rather than a pipe: a program that exits without reading its input (a refused `cibox orb add -`)
    /// can then never make the test process's write fail with EPIPE or kill it with SIGPIPE.
    private static func openInput(_ text: String?) throws -> FileDescriptor {
        guard let text else { return try FileDescriptor.open("/dev/null", .readOnly, options: .closeOnExec) }
        let path = "/tmp/cibox-stdin-\(UInt64.random(in: 0...UInt64.max))"
        let file = try FileDescriptor.open(
            FilePath(path), .readWrite, options: [.create, .exclusiveCreate, .closeOnExec],
            permissions: [.ownerReadWrite])
        unlink(path)
        do {
            _ = try file.writeAll(text.utf8)
            try file.seek(offset: 0, from: .start)
        } catch {
            try? file.close()
            throw error
        }
        return file
    }
}
