// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxImages
import Testing

@Suite struct ImageReferenceTests {
    @Test(arguments: [
        ("node:20", "docker.io/library/node:20"),
        ("node", "docker.io/library/node:latest"),
        ("cimg/node:20.11", "docker.io/cimg/node:20.11"),
        ("docker.io/library/node:20", "docker.io/library/node:20"),
        ("index.docker.io/library/node", "docker.io/library/node:latest"),
        ("localhost:5000/x", "localhost:5000/x:latest"),
        ("localhost/team/app:v1.2-rc_3", "localhost/team/app:v1.2-rc_3"),
        ("registry.example.com:443/a/b/c:t", "registry.example.com:443/a/b/c:t"),
        (
            "node@sha256:" + String(repeating: "ab", count: 32),
            "docker.io/library/node@sha256:" + String(repeating: "ab", count: 32)
        ),
        (
            "node:20@sha256:" + String(repeating: "0f", count: 32),
            "docker.io/library/node:20@sha256:" + String(repeating: "0f", count: 32)
        ),
    ])
    func normalisesAsDockerDoes(text: String, expected: String) throws {
        #expect(try ImageReference(parsing: text).description == expected)
    }

    @Test func splitsRegistryRepositoryTagAndDigest() throws {
        let reference = try ImageReference(
            parsing: "localhost:5000/team/app:1@sha256:" + String(repeating: "1", count: 64))
        #expect(reference.registry == "localhost:5000")
        #expect(reference.repository == "team/app")
        #expect(reference.tag == "1")
        #expect(reference.digest == "sha256:" + String(repeating: "1", count: 64))
    }

    @Test(arguments: [
        (
            "Node:20",
            "'Node:20' is not a valid image reference: the name must be lowercase letters, digits and separators ('.', '_', '-', '/')."
        ),
        (
            "node:",
            "'node:' is not a valid image reference: the tag must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'."
        ),
        (
            "node@sha256:abc",
            "'node@sha256:abc' is not a valid image reference: the digest must be sha256: and 64 hex digits."
        ),
        (
            "a//b",
            "'a//b' is not a valid image reference: the name must be lowercase letters, digits and separators ('.', '_', '-', '/')."
        ),
        (
            "",
            "'' is not a valid image reference: the name must be lowercase letters, digits and separators ('.', '_', '-', '/')."
        ),
    ])
    func refusesInvalidReferences(text: String, message: String) {
        #expect(throws: ImageError.self) { try ImageReference(parsing: text) }
        do {
            _ = try ImageReference(parsing: text)
        } catch {
            #expect(error.message == message)
            #expect(error.code == .badReference)
        }
    }

    @Test func hostPlatformUsesGoNames() {
        #expect(HostPlatform.architecture(machine: "x86_64") == "amd64")
        #expect(HostPlatform.architecture(machine: "aarch64") == "arm64")
        #expect(HostPlatform.current.os == "linux")
    }
}
