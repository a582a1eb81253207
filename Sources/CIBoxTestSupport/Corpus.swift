// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// The CircleCI config corpus of the founding documents (`../shared/corpus/circleci` beside the project),
/// which tests read in place and never copy into the project.
package enum Corpus {
    /// The project's root folder.
    package static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    /// The corpus folder: `$CIBOX_CORPUS`, else `../shared/corpus/circleci` beside the project.
    package static var folder: String {
        if let path = ProcessInfo.processInfo.environment["CIBOX_CORPUS"] { return path }
        return URL(fileURLWithPath: packageRoot + "/../shared/corpus/circleci").standardizedFileURL.path
    }

    /// The folder of the 44 real-world configs.
    package static var configs: String { folder + "/configs" }

    /// The folder of the continuation configs.
    package static var continuations: String { folder + "/configs/continuations" }

    /// Whether the corpus is on this machine.
    package static var isAvailable: Bool { FileManager.default.fileExists(atPath: configs) }
}
