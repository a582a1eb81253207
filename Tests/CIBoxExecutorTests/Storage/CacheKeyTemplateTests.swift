// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct CacheKeyTemplateTests {
    static func values(directory: String = "/nonexistent") -> CacheKeyValues {
        CacheKeyValues(
            branch: "main", revision: "abc123", buildNumber: 42, environment: ["RUBY": "3.3"],
            now: Date(timeIntervalSince1970: 1_790_000_000.9), arch: "arch1-linux-amd64-6_85",
            resolvePath: { $0.hasPrefix("/") ? $0 : directory + "/" + $0 })
    }

    @Test(arguments: [
        ("v1-{{ .Branch }}", "v1-main"),
        ("{{.Revision}}", "abc123"),
        ("n{{ .BuildNum }}", "n42"),
        ("ruby-{{ .Environment.RUBY }}", "ruby-3.3"),
        ("x-{{ .Environment.MISSING }}", "x-<no value>"),
        ("t-{{ epoch }}", "t-1790000000"),
        ("{{ arch }}-deps", "arch1-linux-amd64-6_85-deps"),
        ("plain-key", "plain-key"),
    ])
    func rendersEachTemplate(template: String, expected: String) throws {
        #expect(try CacheKeyTemplate.render(template, values: Self.values()) == expected)
    }

    @Test func checksumIsBase64OfTheFilesSHA256RelativeToTheWorkingDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("abc", to: "lock")
        let key = try CacheKeyTemplate.render(
            "deps-{{ checksum \"lock\" }}", values: Self.values(directory: directory.path))
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        #expect(key == "deps-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")
    }

    @Test func sha256MatchesTheStandardVectors() throws {
        #expect(
            SHA256Digest.hex(SHA256Digest.of([]))
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(
            SHA256Digest.hex(SHA256Digest.of(long))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // A million 'a's, read from a file a megabyte at a time.
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write(String(repeating: "a", count: 1_000_000), to: "a.txt")
        let digest = try #require(SHA256Digest.of(fileAt: folder.appending("a.txt")))
        #expect(SHA256Digest.hex(digest) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func unknownTemplateNamesItAndListsTheKnownOnes() {
        #expect {
            try CacheKeyTemplate.render("v1-{{ .Foo }}", values: Self.values())
        } throws: { error in
            (error as? StorageError)?.message
                == "Unknown cache key template '{{ .Foo }}' in 'v1-{{ .Foo }}'. cibox knows checksum \"FILE\", "
                + ".Branch, .Revision, .BuildNum, .Environment.NAME, epoch and arch."
        }
    }

    @Test func missingChecksumFileAndUnclosedTemplateAreErrors() {
        #expect(throws: StorageError.self) {
            try CacheKeyTemplate.render("{{ checksum \"nope\" }}", values: Self.values())
        }
        #expect(throws: StorageError.self) { try CacheKeyTemplate.render("v1-{{ .Branch", values: Self.values()) }
    }

    @Test func hostArchHasCircleCIsShape() {
        #expect(CacheKeyTemplate.hostArch.hasPrefix("arch1-linux-"))
    }
}
