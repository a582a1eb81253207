// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// What cibox's proxy changes in a job's requests to its engine: `--rm` done by cibox (see ``EngineWaits``), and,
/// when the engine shares this machine's network (`images: { network: host }`), containers and builds on that
/// network as it is: Podman would otherwise make a bridge, addresses and firewall rules on this machine, which
/// outlive the job.
enum EngineRewrites {
    /// Why a network cannot be made when the engine shares this machine's network.
    static let networkRefusal =
        "cibox: this job's Docker engine shares this machine's network (images: { network: host }), so it makes no "
        + "networks: containers reach each other and the job's steps on 127.0.0.1. Without that setting the engine "
        + "has a network of its own, where `docker network create` works."

    /// A container create's body with `HostConfig.AutoRemove` (Podman's own API: `remove`) turned off, and whether it
    /// was on; with `hostNetwork`, the default network (none named, `default`, `bridge`) made `host`.
    static func create(_ body: [UInt8], libpod: Bool, hostNetwork: Bool) -> (body: [UInt8], autoRemoved: Bool) {
        guard var object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            return (body, false)
        }
        var autoRemoved = false
        var changed = false
        if libpod {
            if object["remove"] as? Bool == true {
                object["remove"] = false
                autoRemoved = true
            }
            if hostNetwork, (object["netns"] as? [String: Any])?["nsmode"] as? String ?? "" == "" {
                object["netns"] = ["nsmode": "host"]
                changed = true
            }
        } else {
            var host = object["HostConfig"] as? [String: Any] ?? [:]
            if host["AutoRemove"] as? Bool == true {
                host["AutoRemove"] = false
                autoRemoved = true
            }
            if hostNetwork, ["", "default", "bridge"].contains(host["NetworkMode"] as? String ?? "") {
                host["NetworkMode"] = "host"
                object["NetworkingConfig"] = nil
                changed = true
            }
            object["HostConfig"] = host
        }
        guard autoRemoved || changed, let data = try? JSONSerialization.data(withJSONObject: object) else {
            return (body, false)
        }
        return (Array(data), autoRemoved)
    }

    /// A build's target with `networkmode=host` unless it names another network than the default.
    static func buildTarget(_ target: String) -> String {
        let split = target.split(separator: "?", maxSplits: 1).map(String.init)
        var pairs = split.count > 1 ? split[1].split(separator: "&").map(String.init) : []
        let named = pairs.first { $0.hasPrefix("networkmode=") }.map { String($0.dropFirst("networkmode=".count)) }
        guard ["", "default", "bridge"].contains(named ?? "") else { return target }
        pairs.removeAll { $0.hasPrefix("networkmode=") }
        pairs.append("networkmode=host")
        return split[0] + "?" + pairs.joined(separator: "&")
    }
}
