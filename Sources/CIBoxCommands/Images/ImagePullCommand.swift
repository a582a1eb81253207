// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxImages
import CIBoxModel
import CIBoxRegistry
import Foundation

/// `cibox image pull REF`: an image from its registry (or its mirror) into the store.
struct ImagePullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Pull an image from its registry into the store.",
        discussion: """
            The registry is asked for the tag's manifest digest, and the image is copied (with skopeo) only when the \
            store lacks it under this name; every digest is checked before anything enters the store. Mirrors, \
            insecure registries and logins (`cibox registry login`) come from settings.yml and the home. Progress \
            goes to standard error.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp("The image: node:20, registry.internal:5000/team/app:1, or …@sha256:….", valueName: "ref"))
    var reference: String

    func run() async throws {
        let settings = try HistoryAccess.settings(global)
        let store = ImageStore(home: settings.storageDirectory(home: global.homeDirectory))
        let reference: ImageReference
        do {
            reference = try ImageReference(parsing: self.reference)
        } catch {
            throw ImageCommand.fail(error)
        }
        let puller = ImagePuller(
            store: store, options: RegistryOptions(settings: settings.images, home: global.homeDirectory))
        do throws(RegistryError) {
            let (record, pulled) = try await puller.pull(reference, login: nil) { Terminal.error("cibox: \($0)\n") }
            Terminal.output("\(pulled ? "Pulled" : "Up to date:") \(record.reference) (\(record.digest))\n")
        } catch {
            throw RegistryCommand.fail(error)
        }
    }
}
