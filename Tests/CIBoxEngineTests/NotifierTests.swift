// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxEngine
import CIBoxModel
import CIBoxTestSupport
import Foundation
import Synchronization
import Testing

@Suite struct NotifierTests {
    func script(_ body: String, in folder: TemporaryDirectory) throws -> String {
        let path = folder.appending("notify.sh")
        try folder.write("#!/bin/sh\n" + body + "\n", to: "notify.sh")
        chmod(path, 0o755)
        return path
    }

    @Test func commandGetsTheJSONOnStandardInput() async throws {
        let folder = try TemporaryDirectory(prefix: "cibox-notify")
        defer { folder.remove() }
        var settings = Settings()
        settings.notifyCommand = try script(
            "cat > \(folder.appending("got.json")); echo \"$#\" > \(folder.appending("argc"))", in: folder)
        let outcome = await Notifier.notify(json: #"{"id":1,"status":"success"}"#, settings: settings)
        #expect(outcome == .delivered)
        #expect(
            try String(contentsOfFile: folder.appending("got.json"), encoding: .utf8) == #"{"id":1,"status":"success"}"#
        )
        #expect(try String(contentsOfFile: folder.appending("argc"), encoding: .utf8) == "0\n")
    }

    @Test func failuresAreLoggedNotThrown() async throws {
        let folder = try TemporaryDirectory(prefix: "cibox-notify")
        defer { folder.remove() }
        let logged = Mutex<[String]>([])
        var settings = Settings()
        settings.notifyCommand = try script("exit 3", in: folder)
        let failed = await Notifier.notify(json: "{}", settings: settings) { message in
            logged.withLock { $0.append(message) }
        }
        #expect(failed == .failed("exited with status 3"))

        settings.notifyCommand = folder.appending("missing")
        let missing = await Notifier.notify(json: "{}", settings: settings) { message in
            logged.withLock { $0.append(message) }
        }
        #expect(missing != .delivered)

        let marker = "sleep 30.\(Int.random(in: 1000...9999))"
        settings.notifyCommand = try script(marker, in: folder)
        let slow = await Notifier.notify(json: "{}", settings: settings, timeout: 0.5) { message in
            logged.withLock { $0.append(message) }
        }
        #expect(slow == .failed("killed after 0 s"))
        #expect(processCount(containing: marker) == 0)  // killed with its process group, not waited for
        #expect(logged.withLock { $0.count } == 3)
        #expect(await Notifier.notify(json: "{}", settings: Settings()) == .notConfigured)
    }
}
