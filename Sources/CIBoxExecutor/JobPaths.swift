// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics

/// Resolves the paths a config writes (`~/project`, `project`, `/home/circleci/project`) inside a job run's folder.
///
/// `~` is the job run's own folder, never the user's home, so parallel jobs cannot collide. The home folders
/// of CircleCI's images (`/home/circleci`, `/root`) mean the same. Other absolute paths are used as written.
package struct JobPaths: Sendable {
    /// The job run's folder (its `HOME`).
    package var home: String

    /// Makes paths for a job run whose folder is `home`.
    package init(home: String) {
        self.home = home
    }

    /// `$BASH_ENV`: sourced by bash before each step (CircleCI's way to pass variables between steps).
    package var bashEnv: String { home + "/.cibox/bash_env" }

    /// Created by `circleci-agent step halt`: the job ends successfully after the current step.
    package var haltFile: String { home + "/.cibox/halt" }

    private static let imageHomes = ["/home/circleci", "/root"]

    /// The absolute path for `path` as written in the config, relative paths resolved against `base`
    /// (the job's working directory; the home when nil).
    package func resolve(_ path: String, relativeTo base: String? = nil) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return Paths.normalize(home + "/" + path.dropFirst(2)) }
        for imageHome in Self.imageHomes {
            if path == imageHome { return home }
            if path.hasPrefix(imageHome + "/") { return Paths.normalize(home + path.dropFirst(imageHome.count)) }
        }
        if path.hasPrefix("/") { return Paths.normalize(path) }
        return Paths.normalize((base ?? home) + "/" + path)
    }
}
