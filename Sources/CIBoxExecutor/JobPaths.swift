// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics

/// Resolves the paths a config writes (`~/project`, `project`, `/home/circleci/project`) against a job's home.
///
/// `~` is the job's home. On this machine that is the job run's own folder, never the user's home, so parallel jobs
/// cannot collide; the home folders of CircleCI's images (`/home/circleci`, `/root`) mean the same there. Other
/// absolute paths are used as written.
package struct JobPaths: Sendable {
    /// The home folders of CircleCI's images, which on this machine mean the job's own folder.
    package static let hostImageHomes = ["/home/circleci", "/root"]

    /// The job's home (`HOME`, `~`).
    package var home: String
    /// Absolute paths that mean `home` too.
    package var imageHomes: [String]

    /// Makes paths for a job whose home is `home`.
    /// - Parameter imageHomes: absolute paths that also mean `home` (none by default).
    package init(home: String, imageHomes: [String] = []) {
        self.home = home
        self.imageHomes = imageHomes
    }

    /// The absolute path for `path` as written in the config, relative paths resolved against `base`
    /// (the job's working directory; the home when nil).
    package func resolve(_ path: String, relativeTo base: String? = nil) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return Paths.normalize(home + "/" + path.dropFirst(2)) }
        for imageHome in imageHomes {
            if path == imageHome { return home }
            if path.hasPrefix(imageHome + "/") { return Paths.normalize(home + path.dropFirst(imageHome.count)) }
        }
        if path.hasPrefix("/") { return Paths.normalize(path) }
        return Paths.normalize((base ?? home) + "/" + path)
    }
}
