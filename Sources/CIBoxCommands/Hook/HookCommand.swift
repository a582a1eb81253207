// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxEngine
import Foundation

/// `cibox hook`: the git `pre-push` hook that runs the pre-push gate.
struct HookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Install, remove or show the pre-push hook that runs the pipeline before a push.",
        subcommands: [HookInstallCommand.self, HookUninstallCommand.self, HookStatusCommand.self]
    )
}

/// The repository argument every `cibox hook` command takes.
struct HookTarget: ParsableArguments {
    @Argument(help: "A folder inside the git repository.")
    var path: String = "."

    /// The hook of the repository at `path`; exits with ``ExitCodes/cannotRun`` after saying why not.
    func hook() throws -> PrePushHook {
        do {
            return try PrePushHook(repositoryAt: path)
        } catch {
            Terminal.fail(error.message)
            throw ExitCodes.cannotRun
        }
    }
}

/// `cibox hook install`.
struct HookInstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Write a pre-push hook that runs the pipeline on the commits being pushed.",
        discussion: """
            The hook goes into the folder git runs hooks from (core.hooksPath when set). A pre-push hook \
            that is already there is kept as pre-push.cibox-previous and runs first; `cibox hook uninstall` \
            puts it back. Installing again replaces the options. The hook runs `cibox pre-push`; skip it once \
            with CIBOX_SKIP=1 or `git push --no-verify`.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: HookTarget

    @Option(help: "Run only this workflow before a push (repeatable; default: those that run for the branch).")
    var workflow: [String] = []

    @Option(help: "Run only this job before a push (repeatable).")
    var job: [String] = []

    func run() throws {
        let hook = try target.hook()
        var arguments: [String] = []
        if global.home != nil || ProcessInfo.processInfo.environment["CIBOX_HOME"] != nil {
            arguments += ["--home", global.homeDirectory]
        }
        for name in workflow { arguments += ["--workflow", name] }
        for name in job { arguments += ["--job", name] }
        let previous = hook.state()
        do {
            let kept = try hook.install(executable: PipelineRunFlow.ownExecutable, arguments: arguments)
            let verb = if case .installed = previous { "updated" } else { "installed" }
            Terminal.output("cibox: \(verb) the pre-push hook \(hook.hookPath)\n")
            if kept {
                Terminal.output("cibox: the existing hook is kept as \(hook.previousPath) and runs first\n")
            }
        } catch {
            Terminal.fail(error.message)
            throw ExitCodes.cannotRun
        }
    }
}

/// `cibox hook uninstall`.
struct HookUninstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove cibox's pre-push hook and restore the hook that was there before."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: HookTarget

    func run() throws {
        let hook = try target.hook()
        let restores = FileManager.default.fileExists(atPath: hook.previousPath)
        do {
            guard try hook.uninstall() else {
                Terminal.output("cibox: no cibox pre-push hook in \(hook.hooksDirectory); nothing changed\n")
                return
            }
        } catch {
            Terminal.fail(error.message)
            throw ExitCodes.cannotRun
        }
        Terminal.output(
            "cibox: removed the pre-push hook \(hook.hookPath)"
                + (restores ? "; the previous hook is back in its place\n" : "\n"))
    }
}

/// `cibox hook status`.
struct HookStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Say whether the pre-push hook is installed, and with which options."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: HookTarget

    func run() throws {
        let hook = try target.hook()
        switch hook.state() {
        case .none:
            Terminal.output("cibox: no pre-push hook in \(hook.hooksDirectory)\n")
        case .foreign:
            Terminal.output(
                "cibox: \(hook.hookPath) is another tool's hook; `cibox hook install` keeps it and runs it first\n")
        case .installed(let arguments, let chainsPrevious):
            let options = arguments.isEmpty ? "" : " with " + arguments.joined(separator: " ")
            Terminal.output("cibox: pre-push hook installed at \(hook.hookPath)\(options)\n")
            if chainsPrevious { Terminal.output("cibox: it runs \(hook.previousPath) first\n") }
        }
    }
}
