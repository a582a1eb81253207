// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxImages
import Foundation
import Testing

@testable import CIBoxRegistry

@Suite struct SkopeoAnswerTests {
    @Test func theLastMessageIsTheAnswerWithoutInspectsWrapper() {
        let stderr = """
            time="2026-12-06T15:02:48Z" level=debug msg="Trying"
            time="2026-12-06T15:02:48Z" level=fatal msg="Error parsing image name \\"docker://r:5/a:2\\": reading \
            manifest 2 in r:5/a: manifest unknown: manifest unknown"

            """
        #expect(Skopeo.message(stderr) == "reading manifest 2 in r:5/a: manifest unknown: manifest unknown")
        #expect(Skopeo.message("plain words\n") == "plain words")
        #expect(Skopeo.message("") == nil)
    }

    @Test(arguments: [
        ("reading manifest 1 in r/a: unauthorized: authentication required", RegistryError.Code.unauthorized),
        ("requested access to the resource is denied", .unauthorized),
        ("logging into \"r\": invalid username/password", .unauthorized),
        ("reading manifest 9 in r/a: manifest unknown: manifest unknown", .notFound),
        ("name unknown: repository name not known to registry", .notFound),
        ("pinging container registry x: Get \"https://x/v2/\": dial tcp: lookup x: no such host", .unreachable),
        ("Get \"https://127.0.0.1:5/v2/\": dial tcp 127.0.0.1:5: connect: connection refused", .unreachable),
        ("http: server gave HTTP response to HTTPS client", .unreachable),
        ("x509: certificate signed by unknown authority", .unreachable),
        ("writing blob: no space left on device", .failed),
        // A port with 401 or 404 in it says nothing of the answer (a random test port was 40139).
        ("reading manifest 9 in 127.0.0.1:40139/team/app: manifest unknown: manifest unknown", .notFound),
        (
            "pinging container registry 127.0.0.1:40139: Get \"http://127.0.0.1:40139/v2/\": dial tcp "
                + "127.0.0.1:40139: connect: connection refused", .unreachable
        ),
        ("reading blob from 127.0.0.1:14041/a: unexpected EOF", .failed),
        ("invalid status code from registry 401 (Unauthorized)", .unauthorized),
        ("invalid status code from registry 404 (Not Found)", .notFound),
    ])
    func answersAreSortedByWhatTheUserMustDo(answer: String, code: RegistryError.Code) {
        let error = Skopeo.failure(
            "time=\"t\" level=fatal msg=\"\(answer.replacingOccurrences(of: "\"", with: "\\\""))\"\n", status: 1)
        #expect(error.code == code)
        #expect(error.message == answer)
    }

    @Test func explanationsNameTheRegistryItsMirrorAndWhatToDo() throws {
        let reference = try ImageReference(parsing: "cimg/node:20")
        let options = RegistryOptions(mirrors: ["docker.io": "m.internal:5000"], credentialsFile: "/nowhere")
        let refused = ImagePuller.explained(
            RegistryError(.unauthorized, "unauthorized: authentication required"), reference: reference,
            options: options, login: nil)
        #expect(
            refused.message
                == "The registry docker.io (through its mirror m.internal:5000) refused to give "
                + "'docker.io/cimg/node:20': unauthorized: authentication required. Check a login (`cibox registry "
                + "login m.internal:5000`), and that the user may pull this repository.")
        let missing = ImagePuller.explained(
            RegistryError(.notFound, "manifest unknown"), reference: reference,
            options: RegistryOptions(credentialsFile: "/nowhere"), login: nil)
        #expect(
            missing.message
                == "The registry docker.io has no 'docker.io/cimg/node:20': manifest unknown. Check the image's name "
                + "and tag, or push it there.")
        let noClient = RegistryError(.noClient, "Cannot run skopeo.")
        #expect(
            ImagePuller.explained(noClient, reference: reference, options: options, login: nil).message
                == noClient.message)
    }

    @Test func aPulledImageIsNamedByItsTagElseByRepositoryAndDigest() throws {
        let digest = "sha256:" + String(repeating: "b", count: 64)
        let tagged = try ImageReference(parsing: "r.internal:5000/team/app:1")
        #expect(ImagePuller.name(of: tagged, digest: digest).description == "r.internal:5000/team/app:1")
        let pinned = try ImageReference(parsing: "r.internal:5000/team/app:1@" + digest)
        #expect(ImagePuller.name(of: pinned, digest: digest).description == "r.internal:5000/team/app@" + digest)
        let records = [
            ImageRecord(
                reference: "r.internal:5000/team/app@" + digest, digest: digest, size: 1, loadedAt: 0, lastUsedAt: nil),
            ImageRecord(
                reference: "r.internal:5000/team/other:1", digest: digest, size: 1, loadedAt: 0, lastUsedAt: nil),
        ]
        #expect(ImagePuller.record(of: tagged, digest: digest, in: records)?.reference == records[0].reference)
        #expect(
            ImagePuller.record(of: tagged, digest: "sha256:" + String(repeating: "c", count: 64), in: records) == nil)
    }
}
