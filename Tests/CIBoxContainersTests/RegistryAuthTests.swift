// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxModel
import CIBoxRegistry
import CIBoxTestSupport
import Testing

@testable import CIBoxContainers

@Suite struct RegistryAuthTests {
    @Test func variablesAreInterpolatedAsCircleCIDoes() {
        let variables = ["TOKEN": "t0k", "USER_1": "ci", "EMPTY": ""]
        #expect(Interpolation.expand("$TOKEN", variables) == "t0k")
        #expect(Interpolation.expand("${TOKEN}-x", variables) == "t0k-x")
        #expect(Interpolation.expand("a${USER_1}b$USER_1", variables) == "acibci")
        #expect(Interpolation.expand("$MISSING|${EMPTY}|", variables) == "||")
        #expect(
            Interpolation.expand("cost: $5 and $ alone and ${not closed", variables)
                == "cost: $5 and $ alone and ${not closed")
        #expect(Interpolation.expand("plain", variables) == "plain")
    }

    @Test func aLoginComesFromAuthWithContextAndJobVariables() throws {
        var entry = DockerImage(image: "r.internal/app:1")
        entry.auth = ["username": "${REG_USER}", "password": "$REG_PASSWORD"]
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        var request = fixture.request(
            [], images: [entry], environment: [EnvironmentVariable(name: "REG_USER", value: "bot")])
        request.secretEnvironment = [EnvironmentVariable(name: "REG_PASSWORD", value: "from-context")]
        let login = ImagePreparer.login(of: entry, request: request)
        #expect(login?.username == "bot" && login?.password == "from-context")
        entry.isAWSAuth = true
        #expect(ImagePreparer.login(of: entry, request: request) == nil)
        #expect(ImagePreparer.login(of: DockerImage(image: "x"), request: request) == nil)
    }
}
