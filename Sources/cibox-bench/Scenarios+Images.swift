// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Scenarios {
    /// Jobs in their image against the same jobs on this machine's shell (`cibox run`, whole process): a one-step
    /// and a ten-step job; `podman run --rm` of the same image as the anchor; and loading (unpacking) a 200 MB image
    /// against `tar -x` of its layer.
    static func images(_ context: BenchContext) throws -> [BenchRow] {
        let work = try BenchFixtures.temporaryFolder("cibox-bench-images")
        let home = work + "/home"
        defer { try? FileManager.default.removeItem(atPath: work) }
        try BenchFixtures.sampleImages(into: work + "/images")
        let binary = BenchFixtures.ciboxBinary
        try BenchFixtures.run(binary, ["image", "load", work + "/images/app.tar", "--home", home])
        func repository(image: Bool, steps: Int) throws -> String {
            let executor = image ? "    docker:\n      - image: cibox-samples/app:1\n" : "    machine: true\n"
            let run = String(repeating: "      - run: \"true\"\n", count: steps)
            return try BenchFixtures.repository([
                ".circleci/config.yml":
                    "version: 2.1\njobs:\n  build:\n\(executor)    steps:\n      - checkout\n\(run)workflows:\n"
                    + "  w:\n    jobs: [build]\n",
                "README.md": "images\n",
            ])
        }
        func median(_ repository: String) throws -> Double {
            try Clock.medianMilliseconds(context.iterations) {
                try spawnAndWait(binary, ["run", repository, "--home", home], quiet: true)
            }
        }
        let imageOne = try median(repository(image: true, steps: 1))
        let hostOne = try median(repository(image: false, steps: 1))
        let imageTen = try median(repository(image: true, steps: 10))
        let hostTen = try median(repository(image: false, steps: 10))
        // Per job inside one pipeline: 10 independent jobs (cibox's slots run them side by side on the 2 cores), so
        // the containers' cleanup overlaps what comes next as it does in a daemon or a longer pipeline.
        func workflow(image: Bool) throws -> String {
            let executor = image ? "    docker:\n      - image: cibox-samples/app:1\n" : "    machine: true\n"
            let jobs = (0..<10).map {
                "  j\($0):\n    resource_class: small\n\(executor)    steps:\n      - checkout\n      - run: \"true\"\n"
            }
            return try BenchFixtures.repository([
                ".circleci/config.yml":
                    "version: 2.1\njobs:\n\(jobs.joined())workflows:\n  w:\n    jobs: [\((0..<10).map { "j\($0)" }.joined(separator: ", "))]\n",
                "README.md": "images\n",
            ])
        }
        let imageTenJobs = try median(workflow(image: true)) / 10
        let hostTenJobs = try median(workflow(image: false)) / 10
        var rows = [
            BenchRow(
                scenario: "image jobs: 10 jobs (checkout + 1 step) in one pipeline, per job, in image vs on host",
                figure: imageTenJobs, baseline: hostTenJobs, unit: "ms", baselineName: "same jobs on the host",
                goal: "≤ host + 60 ms"),
            BenchRow(
                scenario:
                    "image one-job: checkout + 1 step in busybox image vs on host, median of \(context.iterations)",
                figure: imageOne, baseline: hostOne, unit: "ms", baselineName: "same job on the host",
                goal: "≤ host + 60 ms"),
            BenchRow(
                scenario: "image per step: (10-step − 1-step) / 9, in image vs on host",
                figure: (imageTen - imageOne) / 9,
                baseline: (hostTen - hostOne) / 9, unit: "ms", baselineName: "same steps on the host",
                goal: "≤ host + 5 ms"),
        ]
        if let podman = BenchFixtures.which("podman") {
            rows += try podmanAnchor(podman, archive: work + "/images/app.tar", cibox: imageOne, context)
        }
        rows.append(try unpack(work: work, binary: binary))
        return rows
    }

    /// `podman run --rm` of the sample image (loaded into a throwaway podman store), against cibox's job in it.
    private static func podmanAnchor(_ podman: String, archive: String, cibox: Double, _ context: BenchContext) throws
        -> [BenchRow]
    {
        let store = try BenchPodman(podman, loading: archive)
        defer { store.remove() }
        let run =
            store.global + ["run", "--rm", "--network", "none"] + BenchPodman.limits
            + ["--pull", "never", "localhost/cibox-samples/app:1", "true"]
        let anchor = try Clock.medianMilliseconds(max(3, context.iterations / 4)) {
            try spawnAndWait(podman, run, quiet: true)
        }
        return [
            BenchRow(
                scenario: "image one-job (whole `cibox run`: pipeline, DB, checkout, 1 step) vs `podman run --rm` true",
                figure: cibox, baseline: anchor, unit: "ms", baselineName: "`podman --runtime runc run --rm`",
                goal: "< 1×")
        ]
    }

    /// `cibox image load` of a 200 MB one-layer image (verify, store, unpack once) against `tar -x` of the layer.
    private static func unpack(work: String, binary: String) throws -> BenchRow {
        let folder = work + "/big"
        let script = """
            set -e
            mkdir -p "$1/root/data" "$1/archive"
            for i in $(seq 200); do head -c 1048576 /dev/urandom > "$1/root/data/f$i"; done
            tar -C "$1/root" --numeric-owner -cf "$1/layer.tar" .
            layer=$(sha256sum "$1/layer.tar" | cut -d' ' -f1)
            mkdir -p "$1/archive/$layer" && mv "$1/layer.tar" "$1/archive/$layer/layer.tar"
            arch=$(uname -m); case "$arch" in x86_64) arch=amd64;; aarch64) arch=arm64;; esac
            printf '{"architecture":"%s","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
              "$arch" "$layer" > "$1/config.json"
            config=$(sha256sum "$1/config.json" | cut -d' ' -f1)
            mv "$1/config.json" "$1/archive/$config.json"
            printf '[{"Config":"%s.json","RepoTags":["bench/big:1"],"Layers":["%s/layer.tar"]}]' "$config" "$layer" \
              > "$1/archive/manifest.json"
            tar -C "$1/archive" -cf "$1/big.tar" .
            """
        try BenchFixtures.run("/bin/bash", ["-c", script, "bench", folder])
        let layer =
            try FileManager.default.subpathsOfDirectory(atPath: folder + "/archive").first {
                $0.hasSuffix("layer.tar")
            }.map { folder + "/archive/" + $0 } ?? ""
        let load =
            try Clock.seconds {
                try BenchFixtures.run(binary, ["image", "load", folder + "/big.tar", "--home", work + "/big-home"])
            } * 1000
        let extract =
            try Clock.seconds {
                try FileManager.default.createDirectory(atPath: folder + "/x", withIntermediateDirectories: true)
                try BenchFixtures.run("/bin/tar", ["-C", folder + "/x", "-xf", layer])
            } * 1000
        return BenchRow(
            scenario: "unpack a 200 MB image once (`cibox image load`: verify, store, unpack)", figure: load,
            baseline: extract, unit: "ms", baselineName: "`tar -x` of its layer", goal: "≤ 3×")
    }
}
