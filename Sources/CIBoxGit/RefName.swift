// cibox — CI in a box. MIT licence, see LICENSE.

/// Full reference names (`refs/heads/main`, `refs/tags/v1.0`) and the branch or tag they stand for.
package enum RefName {
    /// The prefix of branch references.
    package static let headsPrefix = "refs/heads/"
    /// The prefix of tag references.
    package static let tagsPrefix = "refs/tags/"

    /// The branch's short name when `ref` is a branch (`refs/heads/feature/x` → `feature/x`), else nil.
    package static func branch(of ref: String) -> String? {
        ref.hasPrefix(headsPrefix) ? String(ref.dropFirst(headsPrefix.count)) : nil
    }

    /// The tag's short name when `ref` is a tag (`refs/tags/v1` → `v1`), else nil.
    package static func tag(of ref: String) -> String? {
        ref.hasPrefix(tagsPrefix) ? String(ref.dropFirst(tagsPrefix.count)) : nil
    }

    /// Whether `ref` is a branch or a tag.
    package static func isBranchOrTag(_ ref: String) -> Bool {
        branch(of: ref) != nil || tag(of: ref) != nil
    }
}
