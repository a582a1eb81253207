// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxSlurm
import Testing

@Suite struct SlurmJobStateTests {
    @Test(
        arguments: [
            ("COMPLETED", true, nil), ("FAILED", true, FailureReason.infrastructure),
            ("CANCELLED by 0", true, .canceled),
            ("OUT_OF_MEMORY", true, .oom), ("TIMEOUT", true, .timeout), ("DEADLINE", true, .timeout),
            ("NODE_FAIL", true, .infrastructure), ("BOOT_FAIL", true, .infrastructure),
            ("PREEMPTED", true, .infrastructure),
            ("PENDING", false, nil), ("RUNNING", false, nil), ("COMPLETING", false, nil), ("CONFIGURING", false, nil),
            ("SUSPENDED", false, nil), ("REQUEUED", false, nil), ("cancelled+", true, .canceled),
        ] as [(String, Bool, FailureReason?)])
    func finalStatesMapToFailureReasons(_ text: String, _ isFinal: Bool, _ reason: FailureReason?) {
        let state = SlurmJobState(text)
        #expect(state.isFinal == isFinal)
        #expect(state.failureReason == reason)
    }

    @Test func reasonsAreKeptAndNoneIsDropped() {
        #expect(SlurmJobState("FAILED", reason: "NonZeroExitCode").description == "FAILED (NonZeroExitCode)")
        #expect(SlurmJobState("COMPLETED", reason: "None").reason == nil)
        #expect(SlurmJobState("CANCELLED by 0").name == "CANCELLED")
    }
}
