// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxImages
import Foundation
import Testing

@testable import CIBoxDockerEngine

/// What cibox's proxy decides about a job's requests to its engine, without an engine.
struct EngineRequestTests {
    let amd64 = Platform(architecture: "amd64", os: "linux")

    @Test func anotherArchitectureIsRefusedUnlessAnEmulatorIsRegistered() {
        #expect(EnginePlatforms.refusal("linux/amd64", host: amd64, emulated: { _ in false }) == nil)
        #expect(EnginePlatforms.refusal("linux", host: amd64, emulated: { _ in false }) == nil)
        #expect(
            EnginePlatforms.refusal("linux/s390x", host: amd64, emulated: { _ in false })
                == "cibox: this machine runs linux/amd64 containers, not linux/s390x (no emulator for it is registered "
                + "in /proc/sys/fs/binfmt_misc). Build and run images for linux/amd64, or install qemu-user-binfmt on "
                + "this machine.")
        #expect(EnginePlatforms.refusal("linux/arm64/v8", host: amd64, emulated: { $0 == "aarch64" }) == nil)
        #expect(EnginePlatforms.refusal("windows/amd64", host: amd64, emulated: { _ in true }) != nil)
    }

    @Test func thePlatformIsReadFromTheQuery() {
        #expect(
            EnginePlatforms.requested(in: "/v1.41/containers/create?name=x&platform=linux%2Fs390x") == "linux/s390x")
        #expect(EnginePlatforms.requested(in: "/v1.41/build?t=a&platform=") == nil)
        #expect(EnginePlatforms.requested(in: "/v1.41/containers/create") == nil)
    }

    @Test func onlyWaitsForTheEndOfPodmansOwnAPIAreAnsweredByCibox() {
        #expect(EngineWaits.waitsForExit("/v4.3.1/libpod/containers/x/wait"))
        #expect(EngineWaits.waitsForExit("/v4.3.1/libpod/containers/x/wait?condition=stopped&condition=exited"))
        #expect(!EngineWaits.waitsForExit("/v4.3.1/libpod/containers/x/wait?condition=running"))
    }

    @Test func autoRemoveIsTakenOutOfCreatesOfBothAPIs() throws {
        let docker = Array(#"{"Image":"a","HostConfig":{"AutoRemove":true}}"#.utf8)
        let (body, removed) = EngineRewrites.create(docker, libpod: false, hostNetwork: false)
        #expect(removed)
        let host = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])["HostConfig"]
        #expect((host as? [String: Any])?["AutoRemove"] as? Bool == false)
        let podman = Array(#"{"image":"a","remove":true}"#.utf8)
        let (changed, podmanRemoved) = EngineRewrites.create(podman, libpod: true, hostNetwork: false)
        #expect(podmanRemoved)
        #expect((try JSONSerialization.jsonObject(with: Data(changed)) as? [String: Any])?["remove"] as? Bool == false)
        let plain = Array(#"{"Image":"a"}"#.utf8)
        #expect(EngineRewrites.create(plain, libpod: false, hostNetwork: false) == (plain, false))
    }

    @Test func withTheHostNetworkTheDefaultNetworkBecomesTheHosts() throws {
        for mode in ["", "default", "bridge"] {
            let body = Array(#"{"Image":"a","HostConfig":{"NetworkMode":"\#(mode)"}}"#.utf8)
            let object =
                try JSONSerialization.jsonObject(
                    with: Data(EngineRewrites.create(body, libpod: false, hostNetwork: true).body)) as? [String: Any]
            #expect((object?["HostConfig"] as? [String: Any])?["NetworkMode"] as? String == "host")
        }
        let named = Array(#"{"Image":"a","HostConfig":{"NetworkMode":"container:b"}}"#.utf8)
        #expect(EngineRewrites.create(named, libpod: false, hostNetwork: true).body == named)
        let podman = Array(#"{"image":"a"}"#.utf8)
        let object =
            try JSONSerialization.jsonObject(
                with: Data(EngineRewrites.create(podman, libpod: true, hostNetwork: true).body)) as? [String: Any]
        #expect((object?["netns"] as? [String: Any])?["nsmode"] as? String == "host")
        #expect(EngineRewrites.buildTarget("/v1.41/build?t=x") == "/v1.41/build?t=x&networkmode=host")
        #expect(EngineRewrites.buildTarget("/v1.41/build?networkmode=default") == "/v1.41/build?networkmode=host")
        #expect(EngineRewrites.buildTarget("/v1.41/build?networkmode=none") == "/v1.41/build?networkmode=none")
        #expect(EngineRewrites.buildTarget("/v1.41/build") == "/v1.41/build?networkmode=host")
    }
}
