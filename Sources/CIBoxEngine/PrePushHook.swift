// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxGit
import Foundation

/// The `pre-push` hook that runs the pre-push gate: installed into the hooks folder git really uses, chaining
/// the hook that was there before (kept beside it and run first), removed again by ``uninstall()``.
package struct PrePushHook: Sendable {
    /// The hooks folder (after `core.hooksPath`).
    package let hooksDirectory: String

    /// The marker line that says a `pre-push` file is cibox's.
    static let marker = "# cibox-hook: pre-push gate"
    /// The prefix of the line recording the options the hook was installed with.
    static let optionsPrefix = "# cibox-options:"

    /// `hooks/pre-push`.
    package var hookPath: String { hooksDirectory + "/pre-push" }
    /// Where the hook that was there before cibox's is kept.
    package var previousPath: String { hooksDirectory + "/pre-push.cibox-previous" }

    /// What is installed now.
    package enum State: Equatable, Sendable {
        /// No `pre-push` hook.
        case none
        /// A `pre-push` hook that is not cibox's.
        case foreign
        /// cibox's hook, with the arguments it passes to `cibox pre-push` and whether it chains a previous hook.
        case installed(arguments: [String], chainsPrevious: Bool)
    }

    /// The hook of the repository around `path`.
    /// - Throws: ``EngineError`` `.noRepository` when `path` is not in a repository or its config cannot be read.
    package init(repositoryAt path: String) throws(EngineError) {
        do {
            let repository = try GitRepository.open(discoveringFrom: path)
            hooksDirectory = try repository.hooksDirectory()
        } catch {
            throw EngineError(.noRepository, error.message, cause: error)
        }
    }

    /// The hook of the hooks folder `hooksDirectory`.
    package init(hooksDirectory: String) {
        self.hooksDirectory = hooksDirectory
    }

    /// What is installed now.
    package func state() -> State {
        guard let data = FileManager.default.contents(atPath: hookPath) else { return .none }
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.contains(where: { $0 == Self.marker }) else { return .foreign }
        let recorded = lines.first { $0.hasPrefix(Self.optionsPrefix) }.map {
            String($0.dropFirst(Self.optionsPrefix.count)).trimmingCharacters(in: .whitespaces)
        }
        let arguments = recorded.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        return .installed(arguments: arguments, chainsPrevious: FileManager.default.fileExists(atPath: previousPath))
    }

    /// Installs the hook: `executable pre-push ARGUMENTS REMOTE URL`, after the previous hook (kept as
    /// ``previousPath`` and run first with the same arguments and input). Installing again replaces cibox's hook
    /// and keeps the previous one.
    /// - Parameters:
    ///   - executable: the absolute path of `cibox`.
    ///   - arguments: the options given to `cibox pre-push` (`--home`, `--workflow`, `--job`).
    /// - Returns: whether an existing hook was kept and chained by this call.
    /// - Throws: ``EngineError`` `.store` when the hooks folder cannot be written.
    @discardableResult
    package func install(executable: String, arguments: [String]) throws(EngineError) -> Bool {
        let manager = FileManager.default
        var keptExisting = false
        do {
            try manager.createDirectory(atPath: hooksDirectory, withIntermediateDirectories: true)
            if state() == .foreign {
                if manager.fileExists(atPath: previousPath) {
                    throw EngineError(
                        .store,
                        "Both '\(hookPath)' and '\(previousPath)' exist and neither is cibox's hook: move one of "
                            + "them away, then install again.")
                }
                try manager.moveItem(atPath: hookPath, toPath: previousPath)
                keptExisting = true
            }
            let script = Self.script(
                executable: executable, arguments: arguments,
                chainsPrevious: manager.fileExists(atPath: previousPath))
            try FileWriter.replace(script, at: hookPath, mode: 0o755)
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.store, "Cannot install the pre-push hook in '\(hooksDirectory)': \(error)", cause: error)
        }
        return keptExisting
    }

    /// Removes cibox's hook and puts the previous hook back.
    /// - Returns: false when cibox's hook was not installed (nothing is changed then).
    /// - Throws: ``EngineError`` `.store` when the hooks folder cannot be written.
    @discardableResult
    package func uninstall() throws(EngineError) -> Bool {
        guard case .installed = state() else { return false }
        let manager = FileManager.default
        do {
            try manager.removeItem(atPath: hookPath)
            if manager.fileExists(atPath: previousPath) {
                try manager.moveItem(atPath: previousPath, toPath: hookPath)
            }
        } catch {
            throw EngineError(
                .store, "Cannot uninstall the pre-push hook in '\(hooksDirectory)': \(error)", cause: error)
        }
        return true
    }

    /// The hook's text. Without a previous hook it hands git's input straight to cibox; with one it keeps the
    /// input, runs the previous hook with it and stops when that hook fails.
    static func script(executable: String, arguments: [String], chainsPrevious: Bool) -> String {
        let recorded = (try? Self.encoder.encode(arguments)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        let command = ([executable, "pre-push"] + arguments).map(shellQuoted).joined(separator: " ")
        var text = """
            #!/bin/sh
            # Runs the pipeline on the commits being pushed and blocks the push when it fails.
            # Installed by `cibox hook install`; `cibox hook uninstall` removes it and restores the previous
            # hook (kept as pre-push.cibox-previous). Skip once with CIBOX_SKIP=1 or `git push --no-verify`.
            \(marker)
            \(optionsPrefix) \(recorded)

            """
        if chainsPrevious {
            text += """
                input=$(cat)
                previous="$(dirname "$0")/pre-push.cibox-previous"
                if [ -x "$previous" ]; then
                    printf '%s\\n' "$input" | "$previous" "$@" || exit $?
                fi
                printf '%s\\n' "$input" | exec \(command) -- "$@"

                """
        } else {
            text += "exec \(command) -- \"$@\"\n"
        }
        return text
    }

    /// Encodes the recorded options as JSON on one line, slashes as they are.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    /// `text` quoted for `sh`.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
