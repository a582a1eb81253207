// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import Foundation

extension Scenarios {
    /// `save_cache` and `restore_cache` of a 200 MB folder of 20,000 files (libarchive, tar + zstd level 1,
    /// multi-threaded) against `tar -cf - DIR | zstd -1 -T0` and `zstd -dc | tar -xf -` of the same folder.
    static func cache(_ context: BenchContext) throws -> [BenchRow] {
        let root = try BenchFixtures.temporaryFolder("cibox-bench-cache")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try makeCacheFolder(root + "/data", files: 20_000, bytesPerFile: 10_000)
        let store = CacheStore(home: root + "/home")
        let rounds = max(1, min(context.iterations, 3))
        var cacheSave: [Double] = []
        var cacheRestore: [Double] = []
        var tarSave: [Double] = []
        var tarRestore: [Double] = []
        var sizes: (Int64, Int64) = (0, 0)
        for round in 0..<rounds {
            var entry: CacheEntry?
            cacheSave.append(
                try Clock.seconds {
                    entry = try store.save(key: "bench-\(round)", projectID: 1, sources: [(root + "/data", "data")])
                })
            guard let saved = entry else { throw BenchError("the cache bench-\(round) was not saved") }
            sizes.0 = saved.size
            cacheRestore.append(try Clock.seconds { try store.restore(saved, into: root + "/out-cibox") })
            try FileManager.default.removeItem(atPath: root + "/out-cibox")
            store.clear()
            let archive = root + "/tar.tar.zst"
            tarSave.append(
                try Clock.seconds {
                    try shell("tar -cf - -C '\(root)' data | zstd -1 -T0 -q -f -o '\(archive)'")
                })
            sizes.1 = Int64((try? FileManager.default.attributesOfItem(atPath: archive)[.size] as? Int) ?? 0)
            try FileManager.default.createDirectory(atPath: root + "/out-tar", withIntermediateDirectories: true)
            tarRestore.append(
                try Clock.seconds { try shell("zstd -dc -q '\(archive)' | tar -xf - -C '\(root)/out-tar'") })
            try FileManager.default.removeItem(atPath: root + "/out-tar")
            try FileManager.default.removeItem(atPath: archive)
        }
        let median = { (samples: [Double]) in samples.sorted()[samples.count / 2] * 1000 }
        let mb = { (bytes: Int64) in String(format: "%.1f MB", Double(bytes) / 1e6) }
        return [
            BenchRow(
                scenario: "cache save (200 MB, 20,000 files → \(mb(sizes.0)); tar + zstd → \(mb(sizes.1)))",
                figure: median(cacheSave), baseline: median(tarSave), unit: "ms",
                baselineName: "`tar -cf -` piped to `zstd -1 -T0`", goal: "≤ 1.5×"),
            BenchRow(
                scenario: "cache restore (200 MB, 20,000 files)", figure: median(cacheRestore),
                baseline: median(tarRestore), unit: "ms", baselineName: "`zstd -dc` piped to `tar -xf -`",
                goal: "≤ 1.5×"),
        ]
    }

    /// Writes `files` files of `bytesPerFile` bytes in folders of 200, with deterministic pseudo-random text
    /// drawn from 16 letters (4 bits of entropy a byte, so zstd halves it: a moderately compressible tree).
    static func makeCacheFolder(_ folder: String, files: Int, bytesPerFile: Int) throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let letters = Array("abcdefghijklmnop".utf8)
        var bytes = [UInt8](repeating: 0, count: bytesPerFile)
        for index in 0..<files {
            let directory = "\(folder)/d\(index / 200)"
            if index % 200 == 0 {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            for offset in stride(from: 0, to: bytesPerFile, by: 8) {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                for lane in 0..<min(8, bytesPerFile - offset) {
                    bytes[offset + lane] = letters[Int((state >> UInt64(lane * 8)) & 15)]
                }
            }
            guard FileManager.default.createFile(atPath: "\(directory)/f\(index).txt", contents: Data(bytes)) else {
                throw BenchError("cannot write the bench file \(directory)/f\(index).txt")
            }
        }
    }

    static func shell(_ command: String) throws {
        try BenchFixtures.run("/bin/sh", ["-c", command])
    }
}
