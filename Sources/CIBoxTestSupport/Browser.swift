// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// The headless browser of the pages' tests, when there is one.
package enum Browser {
    /// `chromium` (Debian's) or another Chromium on PATH.
    package static var path: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Runs the browser headless with `arguments`, under a time limit.
    package static func run(_ browser: String, _ arguments: [String]) async throws -> ProcessOutput {
        try await ProcessRunner.run(
            "/usr/bin/timeout",
            ["120", browser, "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars"] + arguments)
    }

    /// Opens `url` for a screenshot into `file` (1280 × 1000), with the browser profile `profile`.
    /// - Returns: the browser's output and the screenshot's size in bytes (0 when none was written).
    package static func screenshot(
        _ browser: String, url: String, file: String, profile: String
    ) async throws -> (output: ProcessOutput, size: Int) {
        let output = try await run(
            browser,
            [
                "--enable-logging=stderr", "--v=0", "--user-data-dir=\(profile)", "--screenshot=\(file)",
                "--window-size=1280,1000", url,
            ])
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.intValue ?? 0
        return (output, size)
    }

    /// The `CONSOLE` lines of Chromium's `--enable-logging=stderr` output: every console message and uncaught error.
    package static func consoleLines(_ stderr: String) -> [Substring] {
        stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }
    }
}
