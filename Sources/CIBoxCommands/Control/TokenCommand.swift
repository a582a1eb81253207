// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxModel
import CIBoxStore
import Foundation

/// `cibox token`: the build server's API tokens (`Authorization: Bearer TOKEN`, or a browser's sign-in).
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Make, list and revoke the tokens of the daemon's web UI and API.",
        discussion: """
            A token is shown once, when it is made; cibox keeps only its SHA-256. Roles: viewer (reads), operator \
            (also triggers, cancels, reruns and approves), admin (also manages projects).
            """,
        subcommands: [TokenCreateCommand.self, TokenListCommand.self, TokenRevokeCommand.self]
    )

    /// Prints `error` and gives its exit status: a name in use or missing is the input's fault (2).
    static func fail(_ error: StoreError) -> ExitCode {
        Terminal.fail(error.message)
        return error.code == .database || error.code == .cannotOpen ? ExitCodes.of(error) : ExitCodes.cannotRun
    }
}

extension AccessRole: ExpressibleByArgument {}

/// `cibox token create NAME --role ROLE`.
struct TokenCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Make a token and print it (once).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The token's name (letters, digits, '.', '_', '-'): who or what uses it.")
    var name: String

    @Option(help: "What it may do: viewer, operator or admin.")
    var role: AccessRole

    @Flag(help: "Print a JSON object (name, role, token).")
    var json = false

    func run() throws {
        let store = try HistoryAccess.open(global)
        let token: String
        do {
            token = try store.tokens.create(name: name, role: role)
        } catch {
            throw TokenCommand.fail(error)
        }
        if json {
            Terminal.output(
                json: .object([("name", .string(name)), ("role", .string(role.rawValue)), ("token", .string(token))]))
        } else {
            Terminal.output(
                "\(token)\n"
                    + "Token '\(name)' (\(role.rawValue)) made. It is shown this once: cibox keeps only its SHA-256.\n")
        }
    }
}

/// `cibox token list`.
struct TokenListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the tokens (never the tokens themselves).")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print a JSON array.")
    var json = false

    func run() throws {
        let store = try HistoryAccess.open(global)
        let tokens: [APITokenInfo]
        do {
            tokens = try store.tokens.list()
        } catch {
            throw TokenCommand.fail(error)
        }
        if json {
            Terminal.output(json: .array(tokens.map(Self.object)))
            return
        }
        guard !tokens.isEmpty else {
            Terminal.output("No tokens. `cibox token create NAME --role viewer|operator|admin` makes one.\n")
            return
        }
        let width = max(4, tokens.map(\.name.count).max() ?? 0)
        let header = "NAME".padding(toLength: width, withPad: " ", startingAt: 0)
        Terminal.output("\(header)  ROLE      CREATED                   LAST USED\n")
        for token in tokens {
            let row =
                token.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + token.role.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + "  "
                + token.createdAt.iso8601 + "  " + (token.lastUsedAt?.iso8601 ?? "never")
            Terminal.output("\(row)\n")
        }
    }

    /// The `--json` shape of a token.
    static func object(_ token: APITokenInfo) -> JSONValue {
        .object([
            ("name", .string(token.name)), ("role", .string(token.role.rawValue)),
            ("created_at", .string(token.createdAt.iso8601)),
            ("last_used_at", token.lastUsedAt.map { .string($0.iso8601) } ?? .null),
        ])
    }
}

/// `cibox token revoke NAME`.
struct TokenRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a token: requests with it are refused from now on.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The token's name.")
    var name: String

    func run() throws {
        let store = try HistoryAccess.open(global)
        do {
            try store.tokens.revoke(name: name)
        } catch {
            throw TokenCommand.fail(error)
        }
        Terminal.output("Token '\(name)' revoked.\n")
    }
}
