// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxEngine
import CIBoxModel
import CIBoxOrbs
import CIBoxTestSupport
import CIBoxYAML
import Foundation
import Testing

/// Every corpus config that uses registry orbs compiles, without `--allow-missing-orbs`, once stub orbs made from
/// its own orb references and uses are in the orb store: the references resolve (partial versions among decoys that
/// must not be chosen) and every command, job and executor the config calls is found with the arguments it passes.
@Suite struct CorpusOrbTests {
    /// The corpus configs, by file name (continuations as `continuations/NAME`), with their text.
    static let configs: [(name: String, text: String)] = {
        guard Corpus.isAvailable else { return [] }
        let manager = FileManager.default
        let main = ((try? manager.contentsOfDirectory(atPath: Corpus.configs)) ?? []).filter { $0.hasSuffix(".yml") }
        let continuations = ((try? manager.contentsOfDirectory(atPath: Corpus.continuations)) ?? []).filter {
            $0.hasSuffix(".yml")
        }
        return
            (main.sorted().map { ($0, Corpus.configs + "/" + $0) }
            + continuations.sorted().map { ("continuations/" + $0, Corpus.continuations + "/" + $0) })
            .compactMap { name, path in (try? String(contentsOfFile: path, encoding: .utf8)).map { (name, $0) } }
    }()

    /// orb-tools' placeholder `node: {}` stands for the orb being developed, which orb-tools injects when it
    /// continues the pipeline; here it is the registry orb it stands for.
    static func prepared(_ name: String, _ text: String) -> String {
        guard name == "continuations/CircleCI-Public__node-orb__test-deploy.yml" else { return text }
        return text.replacing("\n  node: {}\n", with: "\n  node: circleci/node@volatile\n")
    }

    /// The configs that reference registry orbs, found by reading each config's `orbs:`.
    static let configsWithOrbs: [String] = configs.filter { name, text in
        YAMLReader.parse(prepared(name, text), file: name).root.map { !OrbStubs($0).references.isEmpty } ?? false
    }.map(\.name)

    /// INDEX.md's `orbs` column by file name.
    static let indexedOrbCounts: [String: Int] = {
        guard let index = try? String(contentsOfFile: Corpus.folder + "/INDEX.md", encoding: .utf8) else { return [:] }
        var counts: [String: Int] = [:]
        for line in index.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.count >= 10, cells[1].hasPrefix("`"), let orbs = Int(cells[9]) {
                counts[cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = orbs
            }
        }
        return counts
    }()

    @Test(.enabled(if: Corpus.isAvailable, "the CircleCI corpus is not on this machine"))
    func theConfigsWithOrbsAreTheOnesINDEXmdCounts() throws {
        #expect(Self.indexedOrbCounts.count == 44)
        #expect(Self.indexedOrbCounts.values.count { $0 > 0 } == 21)
        for (name, text) in Self.configs where !name.hasPrefix("continuations/") {
            let root = try #require(YAMLReader.parse(text, file: name).root, "\(name)")
            let stubs = OrbStubs(root)
            #expect(stubs.references.count + stubs.inlineAliases.count == Self.indexedOrbCounts[name], "\(name)")
        }
        #expect(Self.configsWithOrbs.count == 23, "\(Self.configsWithOrbs)")
    }

    /// The stored version a reference resolves to, and decoys around it that it must not resolve to (they define
    /// nothing, so using one fails the compile).
    static func versions(for reference: OrbReference) -> (stub: String, decoys: [String]) {
        switch OrbVersionRequest(reference.version) {
        case .exact(let version):
            return (version.description, ["\(version.major).\(version.minor).\(version.patch + 1)"])
        case .minor(let major, let minor):
            return ("\(major).\(minor).7", ["\(major).\(minor).3", "\(major).\(minor + 1).0"])
        case .major(let major): return ("\(major).4.2", ["\(major).0.9", "\(major + 1).0.0"])
        case .volatile: return ("99.9.9", ["0.0.1"])
        case .named(let name): return (name, [])
        }
    }

    @Test(.enabled(if: Corpus.isAvailable, "the CircleCI corpus is not on this machine"), arguments: configsWithOrbs)
    func stubOrbsFromTheConfigsOwnUsesResolve(_ name: String) throws {
        let text = Self.prepared(name, try #require(Self.configs.first { $0.name == name }).text)
        let home = try TemporaryDirectory(prefix: "cibox-corpus-orbs")
        defer { home.remove() }
        let stubs = OrbStubs(try #require(YAMLReader.parse(text, file: name).root))
        let store = OrbStore(home: home.path)
        for (alias, reference) in stubs.references {
            let (stub, decoys) = Self.versions(for: reference)
            let named = { (version: String) in
                OrbReference(namespace: reference.namespace, name: reference.name, version: version)
            }
            for decoy in decoys where store.text(of: named(decoy)) == nil {
                _ = try store.add("version: 2.1\ndescription: decoy\n", file: "decoy.yml", as: named(decoy))
            }
            _ = try store.add(stubs.orb(alias), file: "\(alias).yml", as: named(stub), replacing: true)
        }
        try home.write(text, to: "config/" + URL(fileURLWithPath: name).lastPathComponent)
        let report = try ConfigValidation.validate(
            path: home.appending("config/" + URL(fileURLWithPath: name).lastPathComponent), home: home.path)
        let missing = report.diagnostics.filter {
            $0.message.contains("not available offline") || $0.message.contains("missing orb")
                || $0.message.contains("empty inline orb")
        }
        #expect(missing.isEmpty, "\(missing.map(\.formatted).joined(separator: "\n"))")
        let errors = report.diagnostics.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors.prefix(5).map(\.formatted).joined(separator: "\n"))")
        #expect(report.configuration != nil)
    }
}
