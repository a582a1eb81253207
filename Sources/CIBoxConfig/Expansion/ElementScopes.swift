// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxYAML

/// The kinds of reusable elements.
package enum ElementKind: String, Sendable {
    /// A command (`commands:`).
    case command
    /// A job (`jobs:`).
    case job
    /// An executor (`executors:`).
    case executor

    /// The top-level key that defines elements of this kind.
    var key: String { rawValue + "s" }
}

/// The elements one config or orb defines, and the orbs it imports by alias.
struct ElementScope {
    /// How messages name the scope: `the config` or `orb 'node'`.
    var name: String
    /// Whether this is an orb (which cannot see pipeline parameters).
    var isOrb: Bool
    /// Definitions by kind and name.
    var elements: [ElementKind: [String: ConfigNode]] = [:]
    /// Imported orbs by alias, as scope indices.
    var orbs: [String: Int] = [:]
    /// Aliases of orbs that could not be loaded, with the lookup's message.
    var missingOrbs: [String: String] = [:]
}

/// What an element name refers to.
enum ResolvedElement {
    /// A definition in scope `scope`; `name` is the name as referenced.
    case found(ConfigNode, scope: Int, name: String)
    /// An element of a missing orb: the orb's message.
    case missingOrb(String)
    /// Nothing by that name.
    case notFound
}

/// Every element scope of one compilation: the config's (index 0), then one per orb, as orbs are loaded.
struct ElementScopes {
    /// The scopes by index: 0 is the config, the others orbs.
    var scopes: [ElementScope] = [ElementScope(name: "the config", isOrb: false)]

    /// The scope at `index`.
    subscript(index: Int) -> ElementScope {
        get { scopes[index] }
        set { scopes[index] = newValue }
    }

    /// Adds a new, empty scope; its index.
    mutating func newScope(name: String, isOrb: Bool) -> Int {
        scopes.append(ElementScope(name: name, isOrb: isOrb))
        return scopes.count - 1
    }

    /// The element `name` (such as `build` or `node/install`) of `kind`, seen from scope `scope`: the scope's own
    /// elements and imported orbs first, then the config's (orb jobs can use the config's commands).
    func resolve(_ name: String, _ kind: ElementKind, from scope: Int) -> ResolvedElement {
        let result = resolveStrictly(name, kind, in: scope)
        if case .notFound = result, scope != 0 { return resolveStrictly(name, kind, in: 0) }
        return result
    }

    private func resolveStrictly(_ name: String, _ kind: ElementKind, in scope: Int) -> ResolvedElement {
        let current = scopes[scope]
        if let slash = name.firstIndex(of: "/") {
            let alias = String(name[..<slash])
            let rest = String(name[name.index(after: slash)...])
            if let orb = current.orbs[alias] {
                if case .found(let node, let found, _) = resolveStrictly(rest, kind, in: orb) {
                    return .found(node, scope: found, name: name)
                }
                return .notFound
            }
            if let message = current.missingOrbs[alias] { return .missingOrb(message) }
        }
        if let node = current.elements[kind]?[name] { return .found(node, scope: scope, name: name) }
        return .notFound
    }

    /// Every name of `kind` visible from the config (own elements and orb elements), sorted, for hints.
    func visibleNames(_ kind: ElementKind) -> [String] {
        var names = Array(scopes[0].elements[kind]?.keys ?? [:].keys)
        for (alias, orb) in scopes[0].orbs {
            names += (scopes[orb].elements[kind]?.keys.map { "\(alias)/\($0)" } ?? [])
        }
        return names.sorted()
    }

    /// The config's own jobs and its inline orbs' jobs (`alias/job`), sorted.
    var definedJobs: [String] {
        var names = Array(scopes[0].elements[.job]?.keys ?? [:].keys)
        for (alias, scope) in scopes[0].orbs where scopes[scope].name == "orb '\(alias)'" {
            names += scopes[scope].elements[.job]?.keys.map { "\(alias)/\($0)" } ?? []
        }
        return names.sorted()
    }

    /// The elements of `kind` that scope `scope` defines, sorted by name.
    func sortedElements(_ kind: ElementKind, in scope: Int) -> [(name: String, definition: ConfigNode)] {
        (scopes[scope].elements[kind] ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
