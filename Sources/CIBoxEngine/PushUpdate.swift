// cibox — CI in a box. MIT licence, see LICENSE.

/// One line git gives a `pre-push` hook on standard input: `<local ref> <local sha> <remote ref> <remote sha>`.
package struct PushUpdate: Sendable, Equatable {
    /// The local ref pushed (`refs/heads/feature`, `HEAD`, or a sha for `git push origin SHA:refs/heads/x`).
    package var localRef: String
    /// The object pushed: a commit, or an annotated tag's object; all zeros for a deletion.
    package var localSHA: String
    /// The ref updated on the remote (`refs/heads/main`, `refs/tags/v1`).
    package var remoteRef: String
    /// What the remote has now; all zeros for a new ref.
    package var remoteSHA: String

    /// Whether the push deletes `remoteRef` (`git push origin :branch`).
    package var isDeletion: Bool { localSHA.allSatisfy { $0 == "0" } }
    /// Whether the push creates `remoteRef`.
    package var isNew: Bool { remoteSHA.allSatisfy { $0 == "0" } }

    /// Makes an update.
    package init(localRef: String, localSHA: String, remoteRef: String, remoteSHA: String) {
        self.localRef = localRef
        self.localSHA = localSHA
        self.remoteRef = remoteRef
        self.remoteSHA = remoteSHA
    }

    /// The updates in git's input; blank lines are skipped.
    /// - Throws: ``EngineError`` `.usage` naming the first line that is not four fields with hex object ids.
    package static func parse(_ input: String) throws(EngineError) -> [PushUpdate] {
        var updates: [PushUpdate] = []
        for (number, line) in input.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if fields.isEmpty { continue }
            let isObjectID: (String) -> Bool = { text in
                (text.count == 40 || text.count == 64) && text.allSatisfy(\.isHexDigit)
            }
            guard fields.count == 4, isObjectID(fields[1]), isObjectID(fields[3]) else {
                throw EngineError(
                    .usage,
                    "line \(number + 1) of the pre-push input is not '<local ref> <local sha> <remote ref> "
                        + "<remote sha>': '\(line)'. cibox pre-push reads what git gives a pre-push hook; run it "
                        + "from the hook `cibox hook install` writes.")
            }
            updates.append(
                PushUpdate(localRef: fields[0], localSHA: fields[1], remoteRef: fields[2], remoteSHA: fields[3]))
        }
        return updates
    }
}
