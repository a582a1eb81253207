// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxEngine
import CIBoxModel
import CIBoxSettings
import Foundation

/// `cibox context`: named sets of secret variables for jobs that name them (`context:` in a workflow).
struct ContextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "context",
        abstract: "Keep secret variables for jobs (CircleCI contexts), masked in logs.",
        subcommands: [ContextSetCommand.self, ContextListCommand.self, ContextRemoveCommand.self]
    )
}

/// `cibox context set NAME KEY`: the value comes from standard input, so it stays out of shell history.
struct ContextSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Set KEY in context NAME to the value read from standard input."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The context's name.") var name: String
    @Argument(help: "The variable's name.") var key: String

    func run() throws {
        var value = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        if value.hasSuffix("\n") { value.removeLast() }
        if value.hasSuffix("\r") { value.removeLast() }
        do {
            try ContextStore(home: global.homeDirectory).set(key, to: value, in: name)
        } catch {
            Terminal.fail(error.message)
            throw ExitCodes.cannotRun
        }
        Terminal.error("cibox: \(key) set in context '\(name)' (\(value.utf8.count) bytes)\n")
    }
}

/// `cibox context list`: context names and their variable names, never the values.
struct ContextListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List contexts and their keys.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let home = global.homeDirectory
        let store = ContextStore(home: home)
        let (settings, _) = (try? SettingsFile.load(home: home)) ?? (.init(), [])
        let names = Set(store.names()).union(settings.contexts.keys).sorted()
        for name in names {
            let keys = Set(store.variables(of: name).keys).union(Array((settings.contexts[name] ?? [:]).keys)).sorted()
            Terminal.output("\(name): \(keys.joined(separator: " "))\n")
        }
    }
}

/// `cibox context remove NAME [KEY]`.
struct ContextRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove KEY from context NAME, or the whole context."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The context's name.") var name: String
    @Argument(help: "The variable's name (all of them when left out).") var key: String?

    func run() throws {
        let removed: Bool
        do {
            removed = try ContextStore(home: global.homeDirectory).remove(key, from: name)
        } catch {
            Terminal.fail(error.message)
            throw ExitCodes.cannotRun
        }
        guard removed else {
            throw HistoryAccess.notFound(
                "Context '\(name)' has no \(key.map { "key '\($0)'" } ?? "variables") kept by cibox.")
        }
    }
}
