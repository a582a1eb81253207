// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct TokenStoreTests {
    @Test func aTokenAuthenticatesAsItsRoleUntilRevokedAndIsNowhereInTheDatabase() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let made = Date(timeIntervalSince1970: 1_000_000)
        let token = try store.tokens.create(name: "ci-bot", role: .operator, at: made)
        #expect(token.hasPrefix("cibox_") && token.utf8.count == 6 + 64)
        let other = try store.tokens.create(name: "reader", role: .viewer, at: made)
        #expect(other != token)
        let seen = try #require(try store.tokens.authenticate(token, at: made.addingTimeInterval(5)))
        #expect(
            seen
                == APITokenInfo(
                    name: "ci-bot", role: .operator, createdAt: made, lastUsedAt: made.addingTimeInterval(5)))
        // Within a minute the last use is not written again.
        #expect(
            try store.tokens.authenticate(token, at: made.addingTimeInterval(30))?.lastUsedAt
                == made.addingTimeInterval(5))
        #expect(try store.tokens.authenticate(token + "0") == nil)
        #expect(try store.tokens.authenticate("cibox_" + String(repeating: "0", count: 64)) == nil)
        #expect(try store.tokens.authenticate("") == nil)
        #expect(try store.tokens.list().map(\.name) == ["ci-bot", "reader"])
        let files = try FileManager.default.contentsOfDirectory(atPath: home.path).filter {
            $0.hasPrefix("cibox.sqlite")
        }
        #expect(!files.isEmpty)
        for file in files {
            let bytes = try #require(FileManager.default.contents(atPath: home.appending(file)))
            #expect(bytes.range(of: Data(token.utf8)) == nil, "the token is not in \(file)")
            #expect(bytes.range(of: Data(token.dropFirst(6).utf8)) == nil)
        }
        try store.tokens.revoke(name: "ci-bot")
        #expect(try store.tokens.authenticate(token) == nil)
        #expect(try store.tokens.authenticate(other)?.role == .viewer)
    }

    @Test func namesAreUniqueAndPlain() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        _ = try store.tokens.create(name: "a", role: .admin)
        #expect(throws: StoreError.self) { _ = try store.tokens.create(name: "a", role: .viewer) }
        for bad in ["", "a b", "../x", "é", String(repeating: "x", count: 65)] {
            #expect(!TokenStore.isValidName(bad), "\(bad)")
        }
        #expect(TokenStore.isValidName("ci-bot.2_x"))
        #expect(throws: StoreError.self) { try store.tokens.revoke(name: "nobody") }
    }

    @Test func rolesIncludeTheOnesBelow() {
        #expect(AccessRole.admin.allows(.operator) && AccessRole.admin.allows(.viewer))
        #expect(AccessRole.operator.allows(.viewer) && !AccessRole.operator.allows(.admin))
        #expect(!AccessRole.viewer.allows(.operator))
    }
}
