// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// A pull in progress, as `cibox status` shows it.
package struct PullStatus: Codable, Sendable, Equatable {
    /// The image (normalised reference).
    package var reference: String
    /// The manifest digest being pulled.
    package var digest: String
    /// The pulling process.
    package var pid: Int32
    /// When it started (seconds since 1970).
    package var startedAt: Double
    /// How many layers the image has, and how many are in.
    package var layers: Int
    package var layersDone: Int
    /// How many bytes the image has (compressed, as the registry sends them), and how many are in.
    package var bytes: Int64
    package var bytesDone: Int64

    enum CodingKeys: String, CodingKey {
        case reference, digest, pid, layers, bytes
        case startedAt = "started_at"
        case layersDone = "layers_done"
        case bytesDone = "bytes_done"
    }
}

/// The pulls in progress of an image store: one file each in `images/pulls/` (its lock file beside it, held by the
/// pulling process), written as the pull goes and removed at its end.
package struct PullBoard: Sendable {
    /// `images/pulls`.
    package let folder: String

    /// The board of the image store in `storeFolder` (`…/images`).
    package init(storeFolder: String) {
        folder = storeFolder + "/pulls"
    }

    /// The pulls of living processes, oldest first. Files of processes that are gone are removed.
    package func current() -> [PullStatus] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var result: [PullStatus] = []
        for name in names where name.hasSuffix(".json") {
            let path = folder + "/" + name
            guard let bytes = FileReader.contents(atPath: path),
                let status = try? JSONDecoder().decode(PullStatus.self, from: Data(bytes))
            else { continue }
            if kill(status.pid, 0) != 0, errno == ESRCH {
                unlink(path)
                continue
            }
            result.append(status)
        }
        return result.sorted { $0.startedAt < $1.startedAt }
    }

    /// Writes `status` under `key`.
    func write(_ status: PullStatus, key: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(status) else { return }
        try? FileWriter.replace(String(decoding: data, as: UTF8.self) + "\n", at: path(key), mode: 0o600)
    }

    /// Removes the status of `key`.
    func remove(_ key: String) {
        unlink(path(key))
    }

    /// The status file of `key`.
    func path(_ key: String) -> String { folder + "/" + key + ".json" }
    /// The lock file of `key` (held while the pull runs, by whichever process pulls).
    func lockPath(_ key: String) -> String { folder + "/" + key + ".lock" }
}
