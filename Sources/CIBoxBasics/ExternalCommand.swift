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

/// A short command cibox runs to its end outside any job (`sbatch`, `squeue`, the notify command, …), through
/// swift-subprocess: its own process group, standard output and error collected, killed with its group at the
/// timeout or when the calling task is cancelled. Job steps never go through it (they must join their cgroup before
/// exec: see `CSpawn`).
package struct ExternalCommand: Sendable {
    /// The program: a path when it has a slash, else a name looked up on `PATH`.
    package var program: String
    /// Its arguments.
    package var arguments: [String]
    /// Its whole environment; nil keeps cibox's own.
    package var environment: [String: String]?
    /// A file whose contents are its standard input; nil gives it `/dev/null`. (A file, not a pipe: a command that
    /// never reads its input can neither block cibox nor die of SIGPIPE.)
    package var inputFile: String?
    /// How long it may run before it is killed.
    package var timeout: Duration
    /// How much of each output is kept, in bytes.
    package var outputLimit = 16 << 20

    /// Makes a command.
    package init(
        _ program: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        inputFile: String? = nil, timeout: Duration = .seconds(60)
    ) {
        self.program = program
        self.arguments = arguments
        self.environment = environment
        self.inputFile = inputFile
        self.timeout = timeout
    }

    /// How it ended.
    package struct Output: Sendable, Equatable {
        /// Its exit status, or 128 + the signal that killed it.
        package var status: Int32
        /// Its standard output (decoded as UTF-8, invalid bytes replaced).
        package var stdout: String
        /// Its standard error.
        package var stderr: String
        /// Whether it was killed because it ran past its timeout.
        package var timedOut: Bool

        /// Makes an output value.
        package init(status: Int32, stdout: String, stderr: String, timedOut: Bool = false) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
            self.timedOut = timedOut
        }
    }

    /// Why it could not run at all.
    package struct LaunchError: Error, CustomStringConvertible, Sendable {
        /// What went wrong, naming the program.
        package var message: String
        /// swift-subprocess's error.
        package var cause: (any Error)?

        /// The message.
        package var description: String { message }
    }

    /// Runs the command to its end (or its timeout).
    /// - Throws: ``LaunchError`` when it cannot start (not found, not executable, no input file).
    package func run() async throws(LaunchError) -> Output {
        do {
            return try await withThrowingTaskGroup(of: Output?.self) { group in
                group.addTask { try await self.launch() }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                if let first { return first }
                // The timeout came first: cancelling the launch kills the command's process group. A command that had
                // ended just before (its end not yet collected when the timer fired) keeps its own status.
                let ended = (try? await group.next()) ?? nil
                var output = ended ?? Output(status: 128 + SIGKILL, stdout: "", stderr: "")
                output.timedOut = output.status == 128 + SIGKILL
                return output
            }
        } catch let error as LaunchError {
            throw error
        } catch {
            throw LaunchError(message: "Cannot run '\(program)': \(error)", cause: error)
        }
    }

    private func launch() async throws -> Output {
        var options = PlatformOptions()
        options.processGroupID = 0
        options.teardownSequence = [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .zero)]
        let executable: Executable = program.contains("/") ? .path(FilePath(program)) : .name(program)
        // Each entry ends with its NUL: swift-subprocess hands the bytes to strdup, which reads to the first NUL
        // (without it, a variable's value ran on into whatever memory followed: `storage.confu`).
        let environment: Environment =
            self.environment.map { variables in .custom(variables.map { Array("\($0.key)=\($0.value)\0".utf8) }) }
            ?? .inherit
        let input = try openInput()
        let result = try await Subprocess.run(
            executable, arguments: Arguments(arguments), environment: environment, platformOptions: options,
            input: .fileDescriptor(FileDescriptor(rawValue: input), closeAfterSpawningProcess: true),
            output: .string(limit: outputLimit), error: .string(limit: outputLimit))
        let status: Int32 =
            switch result.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        return Output(status: status, stdout: result.standardOutput, stderr: result.standardError)
    }

    private func openInput() throws(LaunchError) -> Int32 {
        let path = inputFile ?? "/dev/null"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw LaunchError(
                message: "Cannot run '\(program)': cannot open '\(path)': \(String(cString: strerror(errno))).")
        }
        return fd
    }
}
