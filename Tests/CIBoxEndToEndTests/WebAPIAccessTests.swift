// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// Who may read the API: anyone on loopback, a viewer's token (or anyone with `public_read`) elsewhere; wrong tokens
/// refused everywhere; a role too low for a request refused.
@Suite(.serialized, .machineSlot) struct WebAPIAccessTests {
    static let needsToken =
        "This API needs a token: send `Authorization: Bearer TOKEN` (`cibox token create NAME --role viewer` makes "
        + "one)."
    static let notValid = "This token is not valid: it was revoked, or never made on this server."

    /// A daemon of a fresh home serving on `listen` (settings `settings` too); its base address.
    static func serve(_ cli: CLI, listen: String? = nil) async throws -> (Process, String) {
        let (daemon, _) = try cli.start(["daemon", "--grace-period", "2"] + (listen.map { ["--listen", $0] } ?? []))
        return (daemon, try await APIHome.address(of: cli.home.appending("http.address"), daemon: daemon))
    }

    @Test(.timeLimit(.minutes(2))) func offLoopbackReadsNeedAViewersTokenAndWrongTokensAreRefused() async throws {
        let cli = try CLI()
        let reader = try await cli.run(["token", "create", "reader", "--role", "viewer"]).stdout
            .split(separator: "\n")[0]
        let (daemon, base) = try await Self.serve(cli, listen: "0.0.0.0:0")
        try await withCleanup {
            let anonymous = try await HTTPReply.get(base + "/api/v1/pipelines")
            #expect(anonymous.status == 401 && anonymous.message == Self.needsToken)
            #expect(anonymous.headers["www-authenticate"] == "Bearer realm=\"cibox\"")
            let wrong = try await HTTPReply.get(
                base + "/api/v1/status", headers: ["Authorization: Bearer cibox_" + String(repeating: "0", count: 64)])
            #expect(wrong.status == 401 && wrong.message == Self.notValid)
            let basic = try await HTTPReply.get(base + "/api/v1/status", headers: ["Authorization: Basic eDp5"])
            #expect(basic.status == 401 && basic.message == "The Authorization header must be `Bearer TOKEN`.")
            let read = try await HTTPReply.get(base + "/api/v1/pipelines", headers: ["Authorization: Bearer \(reader)"])
            #expect(read.status == 200 && read.text == "{\n  \"pipelines\": [],\n  \"next_before\": null\n}\n")
            let act = try await HTTPReply.get(
                base + "/api/v1/projects/app/pipelines", method: "POST", headers: ["Authorization: Bearer \(reader)"])
            #expect(act.status == 403)
            #expect(act.message == "The token 'reader' is a viewer's; this needs an operator's or more.")
            #expect(try await HTTPReply.get(base + "/healthz").status == 200)
            #expect(try await cli.run(["token", "revoke", "reader"]).status == 0)
            let revoked = try await HTTPReply.get(
                base + "/api/v1/pipelines", headers: ["Authorization: Bearer \(reader)"])
            #expect(revoked.status == 401 && revoked.message == Self.notValid)
            // Nothing was triggered by any of it.
            #expect(try await cli.run(["pipelines", "--json"]).stdout == "[]\n")
        } cleanup: {
            await daemon.stop()
            cli.home.remove()
        }
    }

    @Test(.timeLimit(.minutes(2))) func publicReadAndLoopbackReadWithoutATokenButNeverWithAWrongOne() async throws {
        let cli = try CLI()
        try cli.home.write("http: { listen: \"0.0.0.0:0\", public_read: true }\n", to: "settings.yml")
        let (daemon, base) = try await Self.serve(cli)
        try await withCleanup {
            let open = try await HTTPReply.get(base + "/api/v1/status")
            #expect(open.status == 200)
        } cleanup: {
            await daemon.stop()
        }
        try cli.home.write("http: { public_read: maybe }\n", to: "settings.yml")
        let bad = try await cli.run(["daemon"])
        #expect(bad.status != 0 && bad.stderr.contains("settings.yml:1:22: error: 'public_read' must be true or false"))
        try cli.home.write("", to: "settings.yml")
        let (local, loopback) = try await Self.serve(cli, listen: "127.0.0.1:0")
        try await withCleanup {
            let open = try await HTTPReply.get(loopback + "/api/v1/status")
            #expect(open.status == 200)
            let wrong = try await HTTPReply.get(
                loopback + "/api/v1/status", headers: ["Authorization: Bearer cibox_nothing"])
            #expect(wrong.status == 401 && wrong.message == Self.notValid)
        } cleanup: {
            await local.stop()
            cli.home.remove()
        }
    }
}
