// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxEngine
import CIBoxModel
import CIBoxOrbs
import CIBoxTestSupport
import Foundation
import Testing

/// The orb store (`$CIBOX_HOME/orbs/`) and how configs' orb references resolve against it and the project.
@Suite struct OrbStoreTests {
    /// An orb whose command prints `label`.
    static func orb(_ label: String) -> String {
        "version: 2.1\ncommands:\n  say:\n    steps: [{run: echo \(label)}]\n"
    }

    static func reference(_ text: String) throws -> OrbReference {
        try #require(OrbReference(parsing: text))
    }

    @Test func addListsAndRemoves() throws {
        let home = try TemporaryDirectory(prefix: "cibox-orbs")
        defer { home.remove() }
        let store = OrbStore(home: home.path)
        #expect(store.orbs().isEmpty)
        for version in ["1.10.0", "1.2.0", "1.9.1"] {
            let (path, warnings) = try store.add(
                Self.orb(version), file: "o.yml", as: Self.reference("acme/o@\(version)"))
            #expect(path == home.path + "/orbs/acme/o@\(version).yml")
            #expect(warnings.isEmpty)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.orb(version))
        }
        _ = try store.add(Self.orb("dev"), file: "o.yml", as: Self.reference("acme/o@dev:next"))
        _ = try store.add(Self.orb("a"), file: "a.yml", as: Self.reference("aaa/z@0.1.0"))
        #expect(
            store.orbs().map(\.reference.text) == [
                "aaa/z@0.1.0", "acme/o@1.2.0", "acme/o@1.9.1", "acme/o@1.10.0", "acme/o@dev:next",
            ])
        #expect(store.orbs().first?.size == Self.orb("a").utf8.count)
        #expect(store.versions(namespace: "acme", name: "o") == ["1.2.0", "1.9.1", "1.10.0", "dev:next"])
        #expect(try store.resolve(Self.reference("acme/o@1"))?.reference.text == "acme/o@1.10.0")
        #expect(try store.remove(Self.reference("acme/o@1.10.0")) == home.path + "/orbs/acme/o@1.10.0.yml")
        #expect(try store.resolve(Self.reference("acme/o@1"))?.reference.text == "acme/o@1.9.1")
        let missing = try #require(throws: OrbError.self) { try store.remove(Self.reference("acme/o@1.10.0")) }
        #expect(missing.code == .notFound)
        #expect(
            missing.message
                == "acme/o@1.10.0 is not in the orb store ('\(home.path)/orbs'): it has acme/o 1.2.0, 1.9.1, dev:next. "
                + "See `cibox orb list`.")
        // No temporary file is left behind.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: home.path + "/orbs/acme").allSatisfy {
                !$0.hasPrefix(".")
            })
    }

    @Test func anOrbWithErrorsIsRefusedWithItsDiagnostics() throws {
        let home = try TemporaryDirectory(prefix: "cibox-orbs")
        defer { home.remove() }
        let store = OrbStore(home: home.path)
        let error = try #require(throws: OrbError.self) {
            try store.add(
                "version: 2.1\njobs:\n  j: {steps: [nope]}\n", file: "bad.yml", as: Self.reference("acme/bad@1.0.0"))
        }
        #expect(error.code == .invalid)
        #expect(error.message == "bad.yml is not a valid orb (1 error(s)); acme/bad@1.0.0 was not added.")
        #expect(error.diagnostics.map(\.location) == [SourceLocation(file: "bad.yml", line: 3, column: 15)])
        #expect(!FileManager.default.fileExists(atPath: home.path + "/orbs/acme/bad@1.0.0.yml"))
    }

    @Test func aStoredVersionIsOnlyReplacedOnRequest() throws {
        let home = try TemporaryDirectory(prefix: "cibox-orbs")
        defer { home.remove() }
        let store = OrbStore(home: home.path)
        let reference = try Self.reference("acme/o@1.0.0")
        _ = try store.add(Self.orb("one"), file: "o.yml", as: reference)
        let error = try #require(throws: OrbError.self) {
            try store.add(Self.orb("two"), file: "o.yml", as: reference)
        }
        #expect(error.message.hasPrefix("acme/o@1.0.0 is already in the orb store"))
        #expect(store.text(of: reference) == Self.orb("one"))
        _ = try store.add(Self.orb("two"), file: "o.yml", as: reference, replacing: true)
        #expect(store.text(of: reference) == Self.orb("two"))
    }

    @Test(arguments: ["1.2", "1", "volatile", "1.2.3-rc1", "dev:", "dev:../x", "dev:a/b", "latest"])
    func onlyExactVersionsAreStored(_ version: String) throws {
        let error = try #require(throws: OrbError.self) {
            try OrbStore.checkExactVersion(OrbReference(namespace: "acme", name: "o", version: version))
        }
        #expect(error.message.hasPrefix("'acme/o@\(version)' does not name one version"))
    }

    // MARK: resolution in compiled configs

    /// Validates a project folder whose config uses `acme/o@VERSION`, with the given project and store orbs.
    static func validate(
        version: String, project: [String: String], store: [String: String]
    ) throws -> (output: [String], diagnostics: [String], storeFolder: String) {
        let home = try TemporaryDirectory(prefix: "cibox-orbs")
        let folder = try TemporaryDirectory(prefix: "cibox-project")
        defer {
            home.remove()
            folder.remove()
        }
        let config = """
            version: 2.1
            orbs:
              o: acme/o@\(version)
            jobs:
              build:
                docker: [{image: x}]
                steps: [o/say]
            workflows:
              w: {jobs: [build]}
            """
        try folder.write(config, to: ".circleci/config.yml")
        for (file, text) in project { try folder.write(text, to: ".circleci/orbs/acme/\(file)") }
        for (file, text) in store { try home.write(text, to: "orbs/acme/\(file)") }
        let report = try ConfigValidation.validate(path: folder.path, home: home.path)
        let steps = report.configuration?.workflows.first?.jobs.first?.spec?.steps ?? []
        let output = steps.compactMap { step -> String? in
            if case .run(let run) = step.action { return run.command }
            return nil
        }
        return (output, report.diagnostics.map(\.formatted), home.path + "/orbs")
    }

    static let storeOrbs = [
        "o@1.2.3.yml": orb("store-1.2.3"), "o@1.2.10.yml": orb("store-1.2.10"), "o@1.3.0.yml": orb("store-1.3.0"),
        "o@2.0.0.yml": orb("store-2.0.0"), "o@dev:x.yml": orb("store-dev"), "o@1.yml": orb("store-file-1"),
    ]

    @Test(arguments: [
        ("1.2.3", "store-1.2.3"), ("1.2", "store-1.2.10"), ("1", "store-1.3.0"), ("volatile", "store-2.0.0"),
        ("2", "store-2.0.0"), ("dev:x", "store-dev"),
    ])
    func referencesResolveInTheStore(_ version: String, _ expected: String) throws {
        let result = try Self.validate(version: version, project: [:], store: Self.storeOrbs)
        #expect(result.diagnostics == [])
        #expect(result.output == ["echo \(expected)"])
    }

    @Test(arguments: [("1", "project-1.0.0"), ("1.2", "store-1.2.10"), ("volatile", "project-3.0.0")])
    func theProjectsOrbsWinAndPartialVersionsResolveThereToo(_ version: String, _ expected: String) throws {
        let project = ["o@1.0.0.yml": Self.orb("project-1.0.0"), "o@3.0.0.yml": Self.orb("project-3.0.0")]
        let result = try Self.validate(version: version, project: project, store: Self.storeOrbs)
        #expect(result.diagnostics == [])
        #expect(result.output == ["echo \(expected)"])
    }

    @Test func orbsThatImportOrbsResolveTheSameWay() throws {
        let importer = "version: 2.1\norbs:\n  base: acme/base@1\ncommands:\n  say: {steps: [base/say]}\n"
        let store = [
            "o@1.0.0.yml": importer, "base@1.0.0.yml": Self.orb("base-1.0.0"),
            "base@1.1.0.yml": Self.orb("base-1.1.0"), "base@2.0.0.yml": Self.orb("base-2.0.0"),
        ]
        let result = try Self.validate(version: "1", project: [:], store: store)
        #expect(result.diagnostics == [])
        #expect(result.output == ["echo base-1.1.0"])
    }

    @Test func removeNeverLeavesTheOrbsFolder() throws {
        let home = try TemporaryDirectory(prefix: "cibox-orbs")
        defer { home.remove() }
        // `orbs/acme/o@x/../../../keep.yml` is `keep.yml` beside the orbs folder once `o@x` exists.
        try home.write("keep", to: "keep.yml")
        try FileManager.default.createDirectory(atPath: home.path + "/orbs/acme/o@x", withIntermediateDirectories: true)
        let error = try #require(throws: OrbError.self) {
            try OrbStore(home: home.path).remove(OrbReference(namespace: "acme", name: "o", version: "x/../../../keep"))
        }
        #expect(error.code == .notFound)
        #expect(FileManager.default.fileExists(atPath: home.path + "/keep.yml"))
    }

    @Test func aMissingOrbSaysWhichVersionsTheStoreHas() throws {
        let result = try Self.validate(version: "1.4", project: [:], store: Self.storeOrbs)
        #expect(
            result.diagnostics == [
                ".circleci/config.yml:3:6: error: orb 'acme/o@1.4' is not available offline: the orb store "
                    + "'\(result.storeFolder)' has acme/o 1.2.3, 1.2.10, 1.3.0, 2.0.0, 1, dev:x, none matching '1.4'; "
                    + "add it with `cibox orb add FILE --name acme/o@1.4.PATCH` (FILE packed by `cibox orb pack` from "
                    + "the orb's source), or commit it as '.circleci/orbs/acme/o@1.4.PATCH.yml'\n"
                    + "  hint: or pass --allow-missing-orbs to compile the rest; what uses the orb then fails when run"
            ])
        let none = try Self.validate(version: "1.2.3", project: [:], store: [:])
        #expect(
            none.diagnostics.first?.hasPrefix(
                ".circleci/config.yml:3:6: error: orb 'acme/o@1.2.3' is not available offline: the orb store "
                    + "'\(none.storeFolder)' has no version of acme/o; add it with "
                    + "`cibox orb add FILE --name acme/o@1.2.3`") == true, "\(none.diagnostics)")
    }
}
