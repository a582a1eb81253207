// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxArchives
import CIBoxBasics
import Foundation

/// Applies an image's layers, in order, onto a fresh folder (made by the caller, aside from the store).
enum RootUnpacker {
    /// Unpacks the layers of `manifest` into `folder` (created here).
    /// - Parameters:
    ///   - blob: where each layer's blob is, by digest.
    ///   - image: how messages name the image.
    /// - Throws: `ImageError`: `.unsafeLayer` for a refused entry, `.badArchive` for a damaged layer.
    static func unpack(_ manifest: ImageManifest, blob: (String) -> String, into folder: String, image: String)
        throws(ImageError)
    {
        do {
            try Folders.make(folder, mode: 0o755)
        } catch {
            throw ImageError(.io, "Cannot make '\(folder)': \(error).")
        }
        guard let resolved = realpath(folder, nil) else {
            throw ImageError(.io, "Cannot resolve '\(folder)': \(String(cString: strerror(errno))).")
        }
        let root = String(cString: resolved)
        free(resolved)
        for (number, layer) in zip(1..., manifest.layers) {
            do throws(ArchiveError) {
                try LayerExtractor.apply(
                    layer: blob(layer.digest), label: "layer \(number) (\(layer.digest)) of \(image)", onto: root)
            } catch {
                throw ImageError(error.code == .unsafeEntry ? .unsafeLayer : .badArchive, error.message)
            }
        }
    }
}
