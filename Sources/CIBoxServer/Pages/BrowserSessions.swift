// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import Foundation
import Synchronization

/// A browser's sign-in: the token it was made with (by name, with its role) and the CSRF token its forms carry.
struct BrowserSession: Sendable, Equatable {
    /// The name of the token signed in with.
    var name: String
    /// That token's role.
    var role: AccessRole
    /// When that token was made (a token revoked and made again under its name is another token).
    var tokenCreatedAt: Date
    /// What every form of this session carries (`csrf`), random, compared in constant time.
    var csrf: String
}

/// The browser sessions of one server, in memory: a restart of the daemon signs everyone out, which is the price of
/// keeping no session secret on disk. Only the SHA-256 of a session id is kept (the id itself is only in the
/// browser's cookie); a session ends after ``idleLimit`` without a request, at sign-out, or when its token is
/// revoked (checked on each request).
///
/// Concurrency: one lock around the table; safe from any task.
final class BrowserSessions: Sendable {
    /// A session not used for this long is over.
    static let idleLimit: TimeInterval = 12 * 60 * 60
    /// At most this many sessions are kept; beyond, the least recently used one ends.
    static let maximumCount = 10_000

    private struct Entry {
        var session: BrowserSession
        var lastUsed: Date
    }

    private let table = Mutex<[String: Entry]>([:])

    /// A new session for `session`'s token; the id for its cookie (256 random bits, hex).
    func start(_ session: BrowserSession, at now: Date = Date()) -> String {
        let id = Self.randomHex()
        table.withLock { table in
            table = table.filter { now.timeIntervalSince($0.value.lastUsed) < Self.idleLimit }
            if table.count >= Self.maximumCount, let oldest = table.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                table[oldest.key] = nil
            }
            table[Self.hash(id)] = Entry(session: session, lastUsed: now)
        }
        return id
    }

    /// The session of cookie value `id`, when it is one that has not ended; its idle time starts again.
    func find(_ id: String, at now: Date = Date()) -> BrowserSession? {
        guard id.utf8.count == 64 else { return nil }
        let key = Self.hash(id)
        return table.withLock { table in
            guard var entry = table[key] else { return nil }
            guard now.timeIntervalSince(entry.lastUsed) < Self.idleLimit else {
                table[key] = nil
                return nil
            }
            entry.lastUsed = now
            table[key] = entry
            return entry.session
        }
    }

    /// Ends the session of cookie value `id` (sign-out, or its token is gone).
    func end(_ id: String) {
        let key = Self.hash(id)
        table.withLock { _ = $0.removeValue(forKey: key) }
    }

    /// A fresh CSRF token for a session.
    static func newCSRF() -> String { randomHex() }

    /// Whether `given` is `expected`, in time that does not depend on where they differ.
    static func matches(_ given: String, _ expected: String) -> Bool {
        let (left, right) = (Array(given.utf8), Array(expected.utf8))
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func hash(_ id: String) -> String {
        SHA256Digest.hex(SHA256Digest.of(id.utf8))
    }

    /// 256 random bits as 64 hex digits.
    private static func randomHex() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let digits = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }
}
