// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxOrbs
import Testing

/// Orb versions resolve as CircleCI's registry resolves them.
@Suite struct OrbVersionResolverTests {
    static let stored = ["1.0.0", "1.2.0", "1.2.3", "1.10.0", "1.2.10", "2.0.0", "dev:alpha", "3.0.0-rc1", "7"]

    @Test(arguments: [
        ("1.2.3", "1.2.3"),  // exact
        ("1.2", "1.2.10"),  // highest 1.2.x, numerically (10 > 3)
        ("1", "1.10.0"),  // highest 1.x.y, numerically (1.10 > 1.2)
        ("volatile", "2.0.0"),  // highest of all; 3.0.0-rc1 is not a version
        ("2", "2.0.0"),
        ("dev:alpha", "dev:alpha"),  // a dev version is its file
        ("7", "7"),  // no 7.x.y: a file named exactly so is the last resort
    ])
    func resolves(_ requested: String, _ expected: String) {
        #expect(OrbVersionResolver.resolve(requested, among: Self.stored) == expected)
    }

    @Test(arguments: ["1.3", "4", "1.2.4", "dev:beta", "3.0.0", "3", "1.2.3.4", ""])
    func missing(_ requested: String) {
        #expect(OrbVersionResolver.resolve(requested, among: Self.stored) == nil)
    }

    @Test func aPublishedVersionWinsOverAFileNamedLikeThePartialVersion() {
        #expect(OrbVersionResolver.resolve("5", among: ["5", "5.1.0", "4.9.9"]) == "5.1.0")
        #expect(OrbVersionResolver.resolve("1.2.3", among: ["01.2.3"]) == "01.2.3")
    }

    @Test func volatileWithNoVersionsIsMissing() {
        #expect(OrbVersionResolver.resolve("volatile", among: ["dev:x"]) == nil)
        #expect(OrbVersionResolver.resolve("volatile", among: []) == nil)
    }

    @Test func sortsNumericallyThenNames() {
        #expect(
            OrbVersionResolver.sorted(["1.10.0", "dev:b", "1.9.0", "dev:a", "1.2.10", "1.2.9", "0.1.0"])
                == ["0.1.0", "1.2.9", "1.2.10", "1.9.0", "1.10.0", "dev:a", "dev:b"])
    }

    @Test(arguments: [
        ("1.2.3", OrbVersionRequest.exact(OrbVersion(major: 1, minor: 2, patch: 3))),
        ("1.2", .minor(major: 1, minor: 2)), ("1", .major(1)), ("volatile", .volatile),
        ("dev:x", .named("dev:x")), ("1.2.x", .named("1.2.x")), ("-1", .named("-1")), ("1..2", .named("1..2")),
    ])
    func readsRequests(_ text: String, _ request: OrbVersionRequest) {
        #expect(OrbVersionRequest(text) == request)
    }

    @Test func versionsCompareNumerically() throws {
        let low = try #require(OrbVersion("1.9.9"))
        let high = try #require(OrbVersion("1.10.0"))
        #expect(low < high)
        #expect(OrbVersion("1.2") == nil)
        #expect(OrbVersion("1.2.3-beta") == nil)
        #expect(OrbVersion("v1.2.3") == nil)
        #expect(high.description == "1.10.0")
    }
}
