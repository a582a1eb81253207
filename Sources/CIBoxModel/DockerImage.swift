// cibox — CI in a box. MIT licence, see LICENSE.

/// One entry of a job's `docker:` list as written: the image and what CircleCI gives its container.
///
/// The entry's `environment` is the container's (its entrypoint and command see it), never the steps': CircleCI's
/// reference says so, and cibox keeps it that way.
package struct DockerImage: Codable, Sendable, Equatable {
    /// `image`.
    package var image: String
    /// `name`: the container's host name for the other containers.
    package var name: String?
    /// `entrypoint`, as a list of words (a string is one word).
    package var entrypoint: [String]?
    /// `command`, as a list of words (a string is one word).
    package var command: [String]?
    /// `user`: who the container's processes run as.
    package var user: String?
    /// `environment`: the container's variables.
    package var environment: [EnvironmentVariable]
    /// `auth` (`username`, `password`) or `aws_auth` (`aws_access_key_id`, …), by key, as written.
    package var auth: [String: String]?
    /// Whether `auth` came from `aws_auth`.
    package var isAWSAuth: Bool

    /// Makes an entry with only its image.
    package init(image: String) {
        self.image = image
        environment = []
        isAWSAuth = false
    }
}
