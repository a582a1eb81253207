// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel

extension JobFilters {
    /// Whether a job with these filters runs for a pipeline on `branch` or for `tag`, by CircleCI's rules.
    ///
    /// For a tag, a job runs only when it has a `tags` filter that accepts the tag (branch filters do not apply).
    /// For a branch, a job runs unless its `branches` filter rejects the branch; without a branch (a detached
    /// commit), only jobs without `branches.only` run.
    func accepts(branch: String?, tag: String?) -> Bool {
        if let tag {
            return tags?.accepts(tag) ?? false
        }
        guard let branches else { return true }
        guard let branch else { return branches.only == nil }
        return branches.accepts(branch)
    }
}

extension RefFilter {
    /// Whether `name` passes: it matches `only` when given (which then wins over `ignore`), else no `ignore`.
    func accepts(_ name: String) -> Bool {
        if let only {
            return only.contains { $0.matches(name) }
        }
        return !ignore.contains { $0.matches(name) }
    }
}

extension RefPattern {
    /// Whether `name` is the exact name, or matches the whole regular expression.
    func matches(_ name: String) -> Bool {
        switch self {
        case .exact(let exact):
            return name == exact
        case .regex(let pattern):
            // The compiler rejects invalid expressions; one that slips through matches nothing.
            guard let regex = try? Regex(pattern) else { return false }
            return (try? regex.wholeMatch(in: name)) != nil
        }
    }
}
