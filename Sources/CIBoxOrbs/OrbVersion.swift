// cibox — CI in a box. MIT licence, see LICENSE.

/// A published orb version `MAJOR.MINOR.PATCH`, compared numerically (`1.10.0` is above `1.9.0`).
///
/// CircleCI's registry only publishes numeric semantic versions (and mutable `dev:label` versions), so
/// pre-release and build suffixes are not versions here.
package struct OrbVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The major number.
    package var major: Int
    /// The minor number.
    package var minor: Int
    /// The patch number.
    package var patch: Int

    /// Makes a version.
    package init(major: Int, minor: Int, patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// The version `text` spells (`1.2.3`), or `nil` when it is not three dot-separated decimal numbers.
    package init?(_ text: String) {
        guard let numbers = Self.numbers(text), numbers.count == 3 else { return nil }
        self.init(major: numbers[0], minor: numbers[1], patch: numbers[2])
    }

    /// The numbers of `text` (`1`, `1.2`, `1.2.3`), or `nil` when any part is not a decimal number.
    static func numbers(_ text: String) -> [Int]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= 3 else { return nil }
        var numbers: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 9, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                let number = Int(part)
            else { return nil }
            numbers.append(number)
        }
        return numbers
    }

    /// `MAJOR.MINOR.PATCH`.
    package var description: String { "\(major).\(minor).\(patch)" }

    /// Orders by major, then minor, then patch.
    package static func < (lhs: OrbVersion, rhs: OrbVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }
}

/// What the version part of an orb reference asks for, as CircleCI reads it.
package enum OrbVersionRequest: Sendable, Equatable {
    /// `1.2.3`: that version.
    case exact(OrbVersion)
    /// `1.2`: the highest `1.2.x`.
    case minor(major: Int, minor: Int)
    /// `1`: the highest `1.x.y`.
    case major(Int)
    /// `volatile`: the highest version.
    case volatile
    /// `dev:label`, or anything else: the file of exactly that name.
    case named(String)

    /// What `text` asks for.
    package init(_ text: String) {
        if text == "volatile" {
            self = .volatile
        } else if let numbers = OrbVersion.numbers(text) {
            switch numbers.count {
            case 1: self = .major(numbers[0])
            case 2: self = .minor(major: numbers[0], minor: numbers[1])
            default: self = .exact(OrbVersion(major: numbers[0], minor: numbers[1], patch: numbers[2]))
            }
        } else {
            self = .named(text)
        }
    }

    /// Whether `version` satisfies the request (a ``named(_:)`` request matches no numeric version).
    package func matches(_ version: OrbVersion) -> Bool {
        switch self {
        case .exact(let wanted): version == wanted
        case .minor(let major, let minor): version.major == major && version.minor == minor
        case .major(let major): version.major == major
        case .volatile: true
        case .named: false
        }
    }

    /// Whether the request names one version (`1.2.3`, `dev:label`) rather than a range.
    package var isExact: Bool {
        switch self {
        case .exact, .named: true
        case .minor, .major, .volatile: false
        }
    }
}

/// Picks the stored version an orb reference means, as CircleCI's registry does: `1.2.3` exact, `1.2` and `1` the
/// highest matching version, `volatile` the highest of all, `dev:label` the file of that name.
package enum OrbVersionResolver {
    /// The version among `available` (the version parts of stored file names) that `requested` resolves to.
    ///
    /// Versions compare numerically. Names that are not `MAJOR.MINOR.PATCH` (such as `dev:alpha`) are never
    /// candidates of a range; they only match a request of exactly that name, and only when no
    /// `MAJOR.MINOR.PATCH` version fits.
    ///
    /// - Parameters:
    ///   - requested: The version as written after `@` in the reference.
    ///   - available: The versions there are, in any order.
    /// - Returns: The chosen entry of `available`, or `nil` when none fits.
    package static func resolve(_ requested: String, among available: [String]) -> String? {
        let request = OrbVersionRequest(requested)
        if case .named = request { return available.contains(requested) ? requested : nil }
        var best: (OrbVersion, String)?
        for name in available {
            guard let version = OrbVersion(name), request.matches(version) else { continue }
            if let current = best, current.0 >= version { continue }
            best = (version, name)
        }
        // A file named exactly as the reference (`node@5.yml` for `@5`, as cibox once asked users to place it)
        // is the last resort, so that a published version always wins over it.
        return best?.1 ?? (available.contains(requested) ? requested : nil)
    }

    /// `versions` in display order: numeric versions from lowest to highest, then other names sorted.
    package static func sorted(_ versions: [String]) -> [String] {
        versions.sorted { lhs, rhs in
            switch (OrbVersion(lhs), OrbVersion(rhs)) {
            case (let left?, let right?): left == right ? lhs < rhs : left < right
            case (.some, .none): true
            case (.none, .some): false
            case (.none, .none): lhs < rhs
            }
        }
    }
}
