// cibox — CI in a box. MIT licence, see LICENSE.

#if canImport(Glibc)
    import Glibc
#endif

/// This machine's platform in OCI's (Go's) names.
package enum HostPlatform {
    /// `linux/amd64`, `linux/arm64`, ….
    package static let current = Platform(architecture: architecture(machine: machine()), os: "linux")

    /// Go's name for a `uname -m` machine name.
    package static func architecture(machine: String) -> String {
        switch machine {
        case "x86_64": "amd64"
        case "aarch64", "arm64": "arm64"
        case "i386", "i686": "386"
        case "armv7l", "armv6l": "arm"
        case "ppc64le": "ppc64le"
        case "s390x": "s390x"
        case "riscv64": "riscv64"
        default: machine
        }
    }

    /// Whether an image built for `platform` runs here (the variant is not compared).
    package static func runs(_ platform: Platform) -> Bool {
        platform.os == current.os && platform.architecture == current.architecture
    }

    private static func machine() -> String {
        var names = utsname()
        uname(&names)
        return withUnsafeBytes(of: &names.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
