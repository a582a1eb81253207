// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxImages
import Foundation

/// Which platforms a job's engine can run: this machine's, and those an emulator is registered for
/// (`/proc/sys/fs/binfmt_misc/qemu-*`). Podman 4.3 runs an image of this machine's platform when asked for another
/// one it has not got (a `--platform linux/s390x` job would silently test amd64), so cibox refuses such requests
/// itself, saying why.
enum EnginePlatforms {
    /// Why the requested `platform` (`os/arch[/variant]`, as a `platform=` query gives it) cannot run here, or nil.
    /// - Parameter emulated: whether an emulator is registered for a QEMU machine name (`s390x`, `aarch64`, …).
    static func refusal(
        _ platform: String, host: Platform = HostPlatform.current,
        emulated: (String) -> Bool = { access("/proc/sys/fs/binfmt_misc/qemu-\($0)", F_OK) == 0 }
    ) -> String? {
        let parts = platform.lowercased().split(separator: "/").map(String.init)
        guard let os = parts.first, !os.isEmpty else { return nil }
        let architecture = parts.count > 1 ? parts[1] : host.architecture
        if os == host.os, architecture == host.architecture { return nil }
        if os == host.os, emulated(qemuName(architecture)) { return nil }
        return
            "cibox: this machine runs \(host.os)/\(host.architecture) containers, not \(platform) (no emulator for it "
            + "is registered in /proc/sys/fs/binfmt_misc). Build and run images for \(host.os)/\(host.architecture), "
            + "or install qemu-user-binfmt on this machine."
    }

    /// QEMU's name for a Go architecture name.
    static func qemuName(_ architecture: String) -> String {
        switch architecture {
        case "amd64": "x86_64"
        case "arm64": "aarch64"
        case "386": "i386"
        default: architecture
        }
    }

    /// The `platform` a request's target asks for (`…?platform=linux%2Fs390x`), or nil.
    static func requested(in target: String) -> String? {
        let query = target.split(separator: "?", maxSplits: 1).dropFirst().first ?? ""
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.first == "platform", let value = parts.dropFirst().first else { continue }
            let decoded = String(value).removingPercentEncoding ?? String(value)
            if !decoded.isEmpty { return decoded }
        }
        return nil
    }
}
