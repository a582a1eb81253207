// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxModel
package import Foundation
import GRDB

/// The build server's API tokens (`apiToken`): made by `cibox token create`, checked on each request by the web
/// server. A token is shown once, when made; the database keeps only its SHA-256, so a copy of the database gives
/// no one a token.
///
/// Lifecycle: a view of the open ``PipelineStore`` (`store.tokens`) that holds only the shared writer.
/// Concurrency: safe from any task and process. Errors: ``StoreError`` `conflict` (a name in use), `notFound`
/// (no such token), `database` when SQLite fails.
package struct TokenStore: Sendable {
    /// The shared database.
    let database: StoreDatabase

    /// What a token starts with (so secret scanners and people recognise one).
    package static let prefix = "cibox_"

    /// Makes a token named `name` with `role`.
    /// - Returns: the token (256 random bits, hex), which is never shown again.
    /// - Throws: ``StoreError`` `conflict` when a token has that name or the name is not one a token may have.
    package func create(name: String, role: AccessRole, at now: Date = Date()) throws(StoreError) -> String {
        guard Self.isValidName(name) else {
            throw StoreError(
                .conflict,
                "'\(name)' cannot name a token: use 1 to 64 letters, digits, '.', '_' or '-'.")
        }
        var generator = SystemRandomNumberGenerator()
        let token = Self.prefix + (0..<4).map { _ in Self.hex(generator.next()) }.joined()
        try database.write("create token \(name)") { db in
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM apiToken WHERE name = ?", arguments: [name]) ?? 0 > 0 {
                throw StoreError(
                    .conflict,
                    "A token named '\(name)' exists. Revoke it first (`cibox token revoke \(name)`) or choose another "
                        + "name.")
            }
            try db.execute(
                sql: "INSERT INTO apiToken (name, role, tokenHash, createdAt) VALUES (?, ?, ?, ?)",
                arguments: [name, role.rawValue, Self.hash(token), now.stored])
        }
        return token
    }

    /// Every token, by name.
    /// - Throws: ``StoreError`` `database`.
    package func list() throws(StoreError) -> [APITokenInfo] {
        try database.read("list tokens") { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM apiToken ORDER BY name").map(Self.info)
        }
    }

    /// Revokes (deletes) the token named `name`: requests with it are refused from now on.
    /// - Throws: ``StoreError`` `notFound` when there is none.
    package func revoke(name: String) throws(StoreError) {
        try database.write("revoke token \(name)") { db in
            try db.execute(sql: "DELETE FROM apiToken WHERE name = ?", arguments: [name])
            if db.changesCount == 0 {
                throw StoreError(.notFound, "No token named '\(name)'. `cibox token list` shows them.")
            }
        }
    }

    /// The token `token` is, or nil when it is no token of this home (never made, or revoked). Its last use is
    /// recorded, at most once a minute (a read otherwise).
    /// - Throws: ``StoreError`` `database`.
    package func authenticate(_ token: String, at now: Date = Date()) throws(StoreError) -> APITokenInfo? {
        guard token.hasPrefix(Self.prefix), token.utf8.count <= 128 else { return nil }
        let hash = Self.hash(token)
        let found = try database.read("check a token") { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM apiToken WHERE tokenHash = ?", arguments: [hash])
                .map(Self.info)
        }
        guard var info = found else { return nil }
        if info.lastUsedAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true {
            try database.write("note a token's use") { db in
                try db.execute(
                    sql: "UPDATE apiToken SET lastUsedAt = ? WHERE tokenHash = ?", arguments: [now.stored, hash])
            }
            info.lastUsedAt = now
        }
        return info
    }

    /// The columns ``info(_:)`` reads.
    private static let columns = "name, role, createdAt, lastUsedAt"

    /// A token's row as cibox shows it.
    private static func info(_ row: Row) -> APITokenInfo {
        APITokenInfo(
            name: row["name"], role: AccessRole(rawValue: row["role"]) ?? .viewer, createdAt: row["createdAt"],
            lastUsedAt: row["lastUsedAt"])
    }

    /// Whether `name` may name a token.
    package static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2E || byte == 0x5F || byte == 0x2D
            }
    }

    /// The stored form of `token`: its SHA-256, hex.
    static func hash(_ token: String) -> String {
        SHA256Digest.hex(SHA256Digest.of(token.utf8))
    }

    /// `value` as 16 hex digits.
    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
