// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// The outcome of a finished process run by tests.
package struct ProcessOutput: Sendable {
    /// Exit status (or 128 + signal).
    package var status: Int32
    /// Everything written to standard output.
    package var stdout: String
    /// Everything written to standard error.
    package var stderr: String
}

/// Runs programs for tests (git to build fixtures, the built `cibox` for end-to-end tests).
package enum ProcessRunner {
    /// Runs `executable` with `arguments`, waits, and returns its output.
    ///
    /// - Parameters:
    ///   - executable: absolute path of the program.
    ///   - arguments: its arguments.
    ///   - directory: working folder, if not the current one.
    ///   - environment: extra variables added to (and overriding) the test process's environment.
    ///   - input: bytes written to standard input, then closed.
    /// - Throws: when the program cannot be started.
    @discardableResult
    package static func run(
        _ executable: String,
        _ arguments: [String],
        in directory: String? = nil,
        environment: [String: String] = [:],
        input: String? = nil
    ) throws -> ProcessOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let outPipe = Pipe()
        let errPipe = Pipe()
        let inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try? inPipe.fileHandleForWriting.close()
        // Read both pipes to the end before waiting so a chatty child cannot block on a full pipe.
        let errData = LockedData()
        let errReader = Thread { errData.set(errPipe.fileHandleForReading.readDataToEndOfFile()) }
        errReader.start()
        let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errData.isSet { usleep(1000) }
        let status =
            process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return ProcessOutput(
            status: status,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.value, as: UTF8.self)
        )
    }
}

/// Data handed from a reader thread to the test thread.
private final class LockedData: @unchecked Sendable {
    // Invariant: `storage` and `done` are only touched under `lock`.
    private let lock = NSLock()
    private var storage = Data()
    private var done = false

    func set(_ data: Data) {
        lock.lock()
        storage = data
        done = true
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return done
    }

    var value: Data {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
