// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Testing

@Suite struct ExternalCommandTests {
    /// The environment a command gets is exactly the one given: each value ends where it ends (the bytes handed to
    /// swift-subprocess were once missing their NUL, and a value read on into the memory after it).
    @Test func theCommandGetsExactlyTheGivenEnvironment() async throws {
        for round in 0..<100 {
            let value = String(repeating: "v", count: round % 23 + 1)
            let output = try await ExternalCommand(
                "/usr/bin/env", [], environment: ["ONLY": value, "PATH": "/usr/bin:/bin"]
            ).run()
            #expect(output.status == 0)
            #expect(output.stdout.split(separator: "\n").sorted() == ["ONLY=\(value)", "PATH=/usr/bin:/bin"])
        }
    }
}
