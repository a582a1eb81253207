// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import CIBoxScheduler
import Testing

@Suite struct JobStateMachineTests {
    typealias Event = JobStateMachine.Event

    /// Every legal transition, written out from the diagram in JobStateMachine's documentation.
    static let legal: [(JobStatus, Event, JobStatus)] = [
        (.blocked, .requirementsMet(isApproval: false), .queued),
        (.blocked, .requirementsMet(isApproval: true), .onHold),
        (.queued, .requirementsMet(isApproval: true), .onHold),
        (.queued, .requirementsMet(isApproval: false), .queued),
        (.blocked, .requirementFailed, .notRun),
        (.queued, .start, .running),
        (.running, .finish(.success), .success),
        (.running, .finish(.failed), .failed),
        (.running, .finish(.canceled), .canceled),
        (.onHold, .approve, .success),
        (.blocked, .cancel, .canceled),
        (.queued, .cancel, .canceled),
        (.running, .cancel, .canceled),
        (.onHold, .cancel, .canceled),
        (.running, .interrupt, .interrupted),
        (.queued, .interrupt, .interrupted),
    ]

    static let allEvents: [Event] = [
        .requirementsMet(isApproval: false), .requirementsMet(isApproval: true), .requirementFailed, .start,
        .finish(.success), .finish(.failed), .finish(.canceled), .finish(.notRun), .approve, .cancel, .interrupt,
    ]

    @Test(arguments: 0..<legal.count)
    func legalTransitionGivesItsStatus(_ index: Int) throws {
        let (from, event, to) = Self.legal[index]
        #expect(try JobStateMachine.next(from, on: event) == to)
    }

    @Test(arguments: JobStatus.allCases)
    func everyOtherTransitionIsAnInternalError(_ status: JobStatus) {
        for event in Self.allEvents where !Self.legal.contains(where: { $0.0 == status && $0.1 == event }) {
            let result = Result { () throws(InternalError) -> JobStatus in try JobStateMachine.next(status, on: event) }
            guard case .failure(let error) = result else {
                Issue.record("\(status) on \(event) should be illegal")
                continue
            }
            #expect(error.message.hasPrefix("illegal job transition from '\(status.rawValue)'"))
        }
    }

    @Test(arguments: [JobStatus.success, .failed, .canceled, .notRun, .interrupted])
    func finalStatusesAcceptNothing(_ status: JobStatus) {
        #expect(status.isFinal)
        for event in Self.allEvents {
            #expect((try? JobStateMachine.next(status, on: event)) == nil)
        }
    }
}
