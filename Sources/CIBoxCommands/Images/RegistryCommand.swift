// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxModel
import CIBoxRegistry
import Foundation

/// `cibox registry`: the logins cibox pulls with.
struct RegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Log in to registries that images are pulled from.",
        subcommands: [RegistryLoginCommand.self, RegistryLogoutCommand.self, RegistryListCommand.self]
    )

    /// Prints `error` and throws the exit code: a fault of the registry's answer or the input is 2, of reaching it
    /// or of this machine 3.
    static func fail(_ error: RegistryError) -> ExitCode {
        Terminal.fail(error.message)
        switch error.code {
        case .unauthorized, .notFound, .badImage, .refused: return ExitCodes.cannotRun
        case .unreachable, .noClient, .failed: return ExitCodes.infrastructure
        }
    }

    /// The stored logins of the home.
    static func credentials(_ global: GlobalOptions) -> RegistryCredentials {
        RegistryCredentials(file: RegistryCredentials.defaultFile(home: global.homeDirectory))
    }
}

/// `cibox registry login HOST --username USER`: the password on standard input, checked with the registry, stored.
struct RegistryLoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Check a login with a registry and store it for pulls (the password on standard input).",
        discussion: """
            The password (or token) is read from standard input, never from the command line, checked with the \
            registry, then stored in $CIBOX_HOME/registry/auth.json (mode 0600, the containers-auth.json format). \
            A job's own `auth:` wins over a stored login for its image's registry.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The registry: host, with :port when not 443.", valueName: "host"))
    var host: String

    @Option(name: [.short, .long], help: "The user name.")
    var username: String

    func run() async throws {
        let settings = try HistoryAccess.settings(global)
        let data = FileHandle.standardInput.readDataToEndOfFile()
        var password = String(decoding: data, as: UTF8.self)
        while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
        guard !password.isEmpty else {
            Terminal.fail(
                "No password on standard input: pipe it in, as in `cat token | cibox registry login \(host) -u NAME`.")
            throw ExitCodes.cannotRun
        }
        let options = RegistryOptions(settings: settings.images, home: global.homeDirectory)
        let login = RegistryLogin(username: username, password: password)
        do throws(RegistryError) {
            try await RegistryLogins(options: options).login(login, to: host)
        } catch {
            throw RegistryCommand.fail(error)
        }
        Terminal.output(
            "Logged in to \(host) as \(username); stored in \(options.credentialsFile) (mode 0600).\n")
    }
}

/// `cibox registry logout HOST`.
struct RegistryLogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout", abstract: "Forget the stored login of a registry.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The registry.", valueName: "host"))
    var host: String

    func run() throws {
        let removed: Bool
        do throws(RegistryError) {
            removed = try RegistryCommand.credentials(global).remove(host)
        } catch {
            throw RegistryCommand.fail(error)
        }
        guard removed else {
            Terminal.fail("No login stored for \(host). `cibox registry list` shows the stored ones.")
            throw ExitCodes.cannotRun
        }
        Terminal.output("Logged out of \(host).\n")
    }
}

/// `cibox registry list`: the registries with a stored login (never the passwords).
struct RegistryListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the registries with a stored login and their user names.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let credentials = RegistryCommand.credentials(global)
        do throws(RegistryError) {
            let registries = try credentials.registries()
            if registries.isEmpty { Terminal.output("No registry logins.\n") }
            for registry in registries {
                Terminal.output("\(registry)\t\(try credentials.login(for: registry)?.username ?? "-")\n")
            }
        } catch {
            throw RegistryCommand.fail(error)
        }
    }
}
