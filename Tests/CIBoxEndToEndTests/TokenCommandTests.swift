// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// `cibox token`: made once, listed without the token, revoked; mistakes told word for word.
@Suite struct TokenCommandTests {
    @Test func aTokenIsShownOnceListedWithoutItAndRevoked() async throws {
        let cli = try CLI()
        defer { cli.home.remove() }
        #expect(
            try await cli.run(["token", "list"]).stdout
                == "No tokens. `cibox token create NAME --role viewer|operator|admin` makes one.\n")
        let made = try await cli.run(["token", "create", "ci-bot", "--role", "operator"])
        #expect(made.status == 0)
        let lines = made.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2 && lines[0].hasPrefix("cibox_") && lines[0].count == 70)
        #expect(lines.last == "Token 'ci-bot' (operator) made. It is shown this once: cibox keeps only its SHA-256.")
        let json = try CLI.object(try await cli.run(["token", "create", "reader", "--role", "viewer", "--json"]))
        #expect(json.string("name") == "reader" && json.string("role") == "viewer")
        #expect(json.string("token")?.hasPrefix("cibox_") == true)
        let list = try await cli.run(["token", "list"]).stdout
        #expect(!list.contains(lines[0]) && !list.contains(json.string("token") ?? "-"))
        #expect(list.hasPrefix("NAME    ROLE      CREATED                   LAST USED\nci-bot  operator  "))
        #expect(list.hasSuffix("  never\n"))
        let again = try await cli.run(["token", "create", "ci-bot", "--role", "viewer"])
        #expect(again.status == 2)
        #expect(
            again.stderr
                == "error: A token named 'ci-bot' exists. Revoke it first (`cibox token revoke ci-bot`) or choose "
                + "another name.\n")
        let bad = try await cli.run(["token", "create", "two words", "--role", "viewer"])
        #expect(bad.stderr == "error: 'two words' cannot name a token: use 1 to 64 letters, digits, '.', '_' or '-'.\n")
        #expect(try await cli.run(["token", "revoke", "ci-bot"]).stdout == "Token 'ci-bot' revoked.\n")
        let gone = try await cli.run(["token", "revoke", "ci-bot"])
        #expect(gone.status == 2)
        #expect(gone.stderr == "error: No token named 'ci-bot'. `cibox token list` shows them.\n")
        #expect(try await cli.run(["token", "list", "--json"]).stdout.contains("\"name\": \"reader\""))
    }
}
