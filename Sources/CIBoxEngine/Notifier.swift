// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxModel
import Foundation

/// Runs `notify.command` from settings when a pipeline finishes: the executable itself (no shell, no
/// arguments), the pipeline's `--json` object on standard input, at most `timeout` seconds.
///
/// A notification never fails a pipeline or the daemon: every problem is passed to `log` and returned.
package enum Notifier {
    /// How a notification went.
    package enum Outcome: Sendable, Equatable {
        /// No `notify.command` is set.
        case notConfigured
        /// The command exited 0.
        case delivered
        /// It could not start, exited non-zero, or was killed after the timeout; the text says which.
        case failed(String)
    }

    /// Runs `settings.notifyCommand` with `json` on standard input.
    /// - Parameters:
    ///   - json: the finished pipeline's JSON (as `cibox show --json` prints it).
    ///   - timeout: seconds before the command is killed.
    ///   - log: where a failure is reported (standard error by default).
    @discardableResult
    package static func notify(
        json: String, settings: Settings, timeout: Double = 10,
        log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(("cibox: " + $0 + "\n").utf8)) }
    ) async -> Outcome {
        guard let command = settings.notifyCommand else { return .notConfigured }
        let outcome = await run(command: command, input: json, timeout: timeout)
        if case .failed(let message) = outcome { log("notify command '\(command)': \(message)") }
        return outcome
    }

    private static func run(command: String, input: String, timeout: Double) async -> Outcome {
        let inputPath = NSTemporaryDirectory() + "/cibox-notify-\(UUID().uuidString).json"
        defer { unlink(inputPath) }
        guard FileManager.default.createFile(atPath: inputPath, contents: Data(input.utf8)) else {
            return .failed("cannot write its input to \(inputPath)")
        }
        // The executable itself: no shell, no arguments, no PATH lookup (a bare name is relative to the folder).
        let program = command.contains("/") ? command : "./" + command
        let output: ExternalCommand.Output
        do {
            output = try await ExternalCommand(program, inputFile: inputPath, timeout: .seconds(timeout)).run()
        } catch {
            return .failed("cannot start: \(error.cause.map { "\($0)" } ?? error.message)")
        }
        if output.timedOut { return .failed("killed after \(Int(timeout)) s") }
        if output.status > 128 { return .failed("killed by signal \(output.status - 128)") }
        return output.status == 0 ? .delivered : .failed("exited with status \(output.status)")
    }
}
