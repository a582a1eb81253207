// cibox — CI in a box. MIT licence, see LICENSE.

/// How a check came out.
package enum DoctorStatus: String, Codable, Sendable, Comparable {
    /// Nothing to do.
    case ok
    /// cibox works, but something a user may want is missing or about to go wrong.
    case warning
    /// Something cibox needs is missing or broken: some jobs (or all) cannot run.
    case problem

    private var rank: Int {
        switch self {
        case .ok: 0
        case .warning: 1
        case .problem: 2
        }
    }

    package static func < (lhs: DoctorStatus, rhs: DoctorStatus) -> Bool { lhs.rank < rhs.rank }
}

/// One check's outcome: what was found and, unless all is well, what to do.
package struct DoctorFinding: Codable, Sendable, Equatable {
    /// The check's name (`cgroups`, `runc`, `home`, …).
    package var check: String
    /// How it came out.
    package var status: DoctorStatus
    /// What was found, in a sentence.
    package var summary: String
    /// What to do about it; nil when nothing.
    package var fix: String?

    /// Makes a finding.
    package init(_ check: String, _ status: DoctorStatus, _ summary: String, fix: String? = nil) {
        self.check = check
        self.status = status
        self.summary = summary
        self.fix = fix
    }

    private enum CodingKeys: String, CodingKey {
        case check, status, summary, fix
    }

    /// Encodes every key, `fix` as null when there is nothing to do (a reader sees the same keys each time).
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(check, forKey: .check)
        try container.encode(status, forKey: .status)
        try container.encode(summary, forKey: .summary)
        try container.encode(fix, forKey: .fix)
    }
}
