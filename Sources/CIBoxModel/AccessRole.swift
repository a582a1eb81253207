// cibox — CI in a box. MIT licence, see LICENSE.

package import Foundation

/// What an API token (or a browser session made from one) may do on the build server's web UI and API.
/// Each role can do what the roles before it can.
package enum AccessRole: String, Codable, Sendable, CaseIterable, Comparable {
    /// Reads pipelines, jobs, logs, artifacts and status.
    case viewer
    /// Also triggers, cancels, reruns and approves.
    case `operator`
    /// Also manages projects.
    case admin

    /// Whether this role may do what `needed` may.
    package func allows(_ needed: AccessRole) -> Bool { self >= needed }

    /// Ordered by what they may do.
    package static func < (left: AccessRole, right: AccessRole) -> Bool {
        left.rank < right.rank
    }

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .operator: 1
        case .admin: 2
        }
    }
}

/// A token as cibox keeps it: its name, role and times; never the token itself (only its SHA-256 is stored).
package struct APITokenInfo: Codable, Sendable, Equatable {
    /// The name given at creation (unique).
    package var name: String
    package var role: AccessRole
    package var createdAt: Date
    /// When it last authenticated a request (kept to the minute); nil: never.
    package var lastUsedAt: Date?

    package init(name: String, role: AccessRole, createdAt: Date, lastUsedAt: Date?) {
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}
