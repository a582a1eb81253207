// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxGit
import CIBoxTestSupport
import Foundation
import Testing

@testable import CIBoxEngine

@Suite struct PushUpdateTests {
    static let sha = String(repeating: "a", count: 40)
    static let zero = String(repeating: "0", count: 40)

    @Test func parsesGitsLinesAndSkipsBlankOnes() throws {
        let input =
            "refs/heads/main \(Self.sha) refs/heads/main \(Self.zero)\n\n(delete) \(Self.zero) refs/heads/old \(Self.sha)\n"
        let updates = try PushUpdate.parse(input)
        #expect(
            updates == [
                PushUpdate(
                    localRef: "refs/heads/main", localSHA: Self.sha, remoteRef: "refs/heads/main", remoteSHA: Self.zero),
                PushUpdate(localRef: "(delete)", localSHA: Self.zero, remoteRef: "refs/heads/old", remoteSHA: Self.sha),
            ])
        #expect(updates.map(\.isNew) == [true, false])
        #expect(updates.map(\.isDeletion) == [false, true])
        #expect(try PushUpdate.parse("").isEmpty)
    }

    @Test(arguments: [
        "refs/heads/main", "a b c d",
        "refs/heads/main \(String(repeating: "g", count: 40)) refs/heads/main \(String(repeating: "0", count: 40))",
    ])
    func refusesLinesThatAreNotFourFieldsWithObjectIDs(_ line: String) {
        #expect(throws: EngineError.self) { try PushUpdate.parse(line + "\n") }
    }

    @Test func branchAndTagOfARef() {
        #expect(
            (RefName.branch(of: "refs/heads/feature/x"), RefName.tag(of: "refs/heads/feature/x")) == ("feature/x", nil))
        #expect((RefName.branch(of: "refs/tags/v1"), RefName.tag(of: "refs/tags/v1")) == (nil, "v1"))
        #expect((RefName.branch(of: "refs/notes/commits"), RefName.tag(of: "refs/notes/commits")) == (nil, nil))
    }
}

@Suite struct PrePushHookTests {
    @Test func installIsIdempotentAndUninstallRestoresTheFolder() throws {
        let folder = try TemporaryDirectory(prefix: "cibox-hooks")
        defer { folder.remove() }
        let hook = PrePushHook(hooksDirectory: folder.path + "/hooks")
        #expect(hook.state() == .none)
        #expect(try hook.install(executable: "/opt/ci box/cibox", arguments: ["--job", "it's"]) == false)
        #expect(hook.state() == .installed(arguments: ["--job", "it's"], chainsPrevious: false))
        let first = try String(contentsOfFile: hook.hookPath, encoding: .utf8)
        #expect(first.hasSuffix("exec '/opt/ci box/cibox' 'pre-push' '--job' 'it'\\''s' -- \"$@\"\n"))
        #expect(try hook.install(executable: "/opt/ci box/cibox", arguments: ["--job", "it's"]) == false)
        #expect(try String(contentsOfFile: hook.hookPath, encoding: .utf8) == first)
        #expect(try FileManager.default.attributesOfItem(atPath: hook.hookPath)[.posixPermissions] as? Int == 0o755)
        #expect(try hook.uninstall())
        #expect(hook.state() == .none)
        #expect(try hook.uninstall() == false)
    }

    @Test func aForeignHookIsChainedAndNeverOverwritten() throws {
        let folder = try TemporaryDirectory(prefix: "cibox-hooks")
        defer { folder.remove() }
        let hook = PrePushHook(hooksDirectory: folder.path)
        try folder.write("#!/bin/sh\nexit 0\n", to: "pre-push")
        #expect(hook.state() == .foreign)
        #expect(try hook.install(executable: "/bin/cibox", arguments: []))
        #expect(hook.state() == .installed(arguments: [], chainsPrevious: true))
        #expect(try String(contentsOfFile: hook.previousPath, encoding: .utf8) == "#!/bin/sh\nexit 0\n")
        #expect(try String(contentsOfFile: hook.hookPath, encoding: .utf8).contains("input=$(cat)"))

        try folder.write("#!/bin/sh\nexit 0\n", to: "pre-push")
        #expect(throws: EngineError.self) { try hook.install(executable: "/bin/cibox", arguments: []) }
        #expect(try String(contentsOfFile: hook.hookPath, encoding: .utf8) == "#!/bin/sh\nexit 0\n")
    }
}
