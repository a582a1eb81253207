// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// Loads the elements of a config or orb into ``ElementScopes``, and the orbs it imports: inline orbs, built-in
/// orbs, then registry orbs from the ``OrbSource`` (each loaded once per compilation, however many import it).
struct OrbLoader {
    /// How deep orbs may import orbs.
    static let orbDepthLimit = 8
    /// The keys an orb's source may have.
    static let orbKeys: Set<String> = [
        "version", "description", "display", "orbs", "commands", "jobs", "executors", "examples",
    ]

    /// Where problems go.
    let decoder: NodeDecoder
    /// Orb source and missing-orb policy.
    let options: CompileOptions
    /// Substitutes pipeline parameters into the config's own orb references.
    let substitution: Substitution
    /// The scope of the config's orb references: pipeline parameters and values.
    let pipelineScope: TemplateScope
    /// The scopes loaded so far.
    var scopes = ElementScopes()
    /// Loaded registry orbs by reference text, as scope indices.
    var orbCache: [String: Int] = [:]

    /// Records the commands, jobs and executors of a config or orb body in scope `index`, and loads its orbs.
    mutating func loadScope(_ root: ConfigNode, into index: Int, depth: Int) {
        for kind in [ElementKind.command, .job, .executor] {
            guard let node = root[kind.key], !node.isNull, let entries = decoder.mapping(node, kind.key) else {
                continue
            }
            for entry in entries {
                if kind == .job { decoder.checkName(entry.key, kind: "job", at: entry.keyLocation) }
                scopes[index].elements[kind, default: [:]][entry.key] = entry.value
            }
        }
        if let orbs = root["orbs"], !orbs.isNull {
            loadOrbs(orbs, into: index, depth: depth)
        }
    }

    /// The entries of `orbs:`: inline orb bodies, or registry references looked up in the built-in orbs, then
    /// in the ``OrbSource``.
    mutating func loadOrbs(_ node: ConfigNode, into index: Int, depth: Int) {
        guard let entries = decoder.mapping(node, "orbs") else { return }
        guard depth < Self.orbDepthLimit else {
            decoder.error(node.location, "orbs import other orbs more than \(Self.orbDepthLimit) levels deep")
            return
        }
        for entry in entries {
            if entry.value.entries?.isEmpty == true {
                reportMissingOrb(
                    alias: entry.key, message: "orb '\(entry.key)' is an empty inline orb", at: entry.value.location,
                    into: index)
                continue
            }
            if entry.value.entries != nil {
                let scope = scopes.newScope(name: "orb '\(entry.key)'", isOrb: true)
                scopes[index].orbs[entry.key] = scope
                checkOrbKeys(entry.value, path: "orbs.\(entry.key)")
                loadScope(entry.value, into: scope, depth: depth + 1)
                continue
            }
            var value = entry.value
            if index == 0 { value = substitution.substitute(value, pipelineScope) }
            guard let text = value.scalar?.text, let reference = OrbReference(parsing: text) else {
                decoder.error(
                    value.location,
                    "orb '\(entry.key)' must be a reference such as circleci/node@5.1.0 "
                        + "or an inline orb, got \(value.kindDescription)")
                continue
            }
            loadRegistryOrb(reference, alias: entry.key, at: value.location, into: index, depth: depth)
        }
    }

    /// The registry orb `reference` as `alias` of scope `index`: built-in, else from the ``OrbSource``, else missing.
    mutating func loadRegistryOrb(
        _ reference: OrbReference, alias: String, at location: SourceLocation, into index: Int, depth: Int
    ) {
        if let cached = orbCache[reference.text] {
            scopes[index].orbs[alias] = cached
            return
        }
        let lookup: OrbLookup =
            BuiltinOrbs.source(for: reference).map { .found(text: $0.text, path: $0.path) }
            ?? options.orbs.lookup(reference)
        switch lookup {
        case .found(let text, let path):
            let scope = scopes.newScope(name: "orb '\(reference.text)'", isOrb: true)
            orbCache[reference.text] = scope
            scopes[index].orbs[alias] = scope
            let (root, diagnostics) = YAMLReader.parse(text, file: path, maxExpandedBytes: options.maxExpandedBytes)
            decoder.append(diagnostics)
            guard let root else { return }
            checkOrbKeys(root, path: reference.text)
            loadScope(root, into: scope, depth: depth + 1)
        case .missing(let message):
            reportMissingOrb(alias: alias, message: message, at: location, into: index)
        }
    }

    /// An orb that cannot be used: an error, or with `allowMissingOrbs` a warning, its uses failing when run.
    mutating func reportMissingOrb(alias: String, message: String, at location: SourceLocation, into index: Int) {
        scopes[index].missingOrbs[alias] = message
        if options.allowMissingOrbs {
            decoder.warning(location, message, hint: "every use of '\(alias)/…' fails when it runs")
        } else {
            decoder.error(location, message, hint: MissingOrb.hint)
        }
    }

    /// Warns about the keys of an orb's root mapping that orbs do not have.
    func checkOrbKeys(_ root: ConfigNode, path: String) {
        guard let entries = decoder.mapping(root, path) else { return }
        decoder.checkKeys(entries, in: path, known: Self.orbKeys)
    }
}
