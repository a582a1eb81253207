// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// Projects through the API: anyone who reads lists them; only admins add and remove them, and the running daemon
/// watches what is added.
@Suite(.serialized, .machineSlot) struct WebAPIProjectTests {
    @Test(.timeLimit(.minutes(2))) func adminsAddAndRemoveProjectsAndTheDaemonWatchesThem() async throws {
        let served = try await WebAPIActionTests.Served(config: APIHome.config)
        let second = try await Repositories.with(config: APIHome.config)
        let third = try await Repositories.with(config: APIHome.config)
        try await withCleanup {
            let admin = String(
                try await served.cli.run(["token", "create", "boss", "--role", "admin"]).stdout.split(separator: "\n")[
                    0])
            let listed = try await HTTPReply.get(served.base + "/api/v1/projects")
            let printed = try await served.cli.run(["project", "list", "--json"])
            let projects = try #require(try listed.json() as? [String: Any])["projects"] as? NSArray
            let printedProjects = try JSONSerialization.jsonObject(with: Data(printed.stdout.utf8)) as? NSArray
            #expect(projects == printedProjects)

            let body = #"{"path": "\#(second.path)", "name": "second"}"#
            let refused = try await served.post("/api/v1/projects", body)
            #expect(refused.status == 403)
            #expect(refused.message == "The token 'ops' is an operator's; this needs an admin's or more.")
            #expect(try await served.cli.run(["project", "list", "--json"]).stdout == printed.stdout)

            let added = try await served.post("/api/v1/projects", body, token: admin)
            #expect(added.status == 201, "\(added.text)")
            let project = try #require(try added.json() as? [String: Any])
            #expect(project.string("name") == "second" && project.int("refs") == 1)
            let again = try await served.post("/api/v1/projects", body, token: admin)
            let existing = try again.json() as? NSDictionary
            #expect(again.status == 200 && existing == project as NSDictionary, "\(again.text) \(added.text)")
            let taken = try await served.post(
                "/api/v1/projects", #"{"path": "\#(third.path)", "name": "second"}"#, token: admin)
            #expect(taken.status == 409)
            #expect(taken.message == "A project named 'second' exists already. Choose another name.")
            let nowhere = try await served.post("/api/v1/projects", #"{"path": "/nonexistent/repo"}"#, token: admin)
            #expect(nowhere.status == 422, "\(nowhere.text)")
            #expect(
                nowhere.message
                    == "'/nonexistent/repo' is not inside a git repository. Run cibox in a folder of a git repository or "
                    + "pass its path.")
            let nameless = try await served.post("/api/v1/projects", #"{"name": "x"}"#, token: admin)
            #expect(
                nameless.status == 400 && nameless.message == "'path' is needed: the repository's path on the server.")

            // The daemon, started before the project existed, builds its next push.
            try second.write("change\n", to: "CHANGE")
            try await second.commitAll()
            var built: [[String: Any]] = []
            for _ in 0..<200 where built.isEmpty {
                try await Task.sleep(for: .milliseconds(100))
                let page = try await HTTPReply.get(served.base + "/api/v1/pipelines?project=second").json()
                built = (page as? [String: Any])?.objects("pipelines") ?? []
            }
            #expect(built.count == 1, "the added project's push was built")

            let removed = try await HTTPReply.get(
                served.base + "/api/v1/projects/second", method: "DELETE", headers: ["Authorization: Bearer \(admin)"])
            #expect(removed.status == 204)
            let gone = try await HTTPReply.get(
                served.base + "/api/v1/projects/second", method: "DELETE", headers: ["Authorization: Bearer \(admin)"])
            #expect(gone.status == 404 && gone.message == "No project named 'second'.")
            let names = try #require(try await HTTPReply.get(served.base + "/api/v1/projects").json() as? [String: Any])
                .objects("projects").compactMap { $0.string("name") }
            #expect(names == ["app"])
        } cleanup: {
            second.remove()
            third.remove()
            await served.stop()
        }
    }
}
