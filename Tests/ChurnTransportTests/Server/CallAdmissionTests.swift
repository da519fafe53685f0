import ChurnTesting
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import ChurnTransport

@Suite("Call admission", .onOwnEventLoops)
struct CallAdmissionTests {
    @Test("admits up to its limit, refuses past it, and a released place is taken again")
    func limit() {
        let shedSeen = NIOLockedValueBox<[CallAdmission.ShedReason]>([])
        let admission = CallAdmission(callLimit: 3) { reason in shedSeen.withLockedValue { $0.append(reason) } }
        #expect((0..<3).allSatisfy { _ in admission.admit() == .admitted })
        #expect(admission.admit() == .tooManyCalls)
        #expect(admission.callsInProgress == 3)
        _ = admission.shed(.callsInProgress)
        #expect(admission.callsShed == 1)
        #expect(shedSeen.withLockedValue { $0 } == [.callsInProgress])
        admission.release(heldBytes: 0)
        #expect(admission.admit() == .admitted)
        #expect(admission.admit() == .tooManyCalls)
        #expect(admission.callsInProgress == 3)
    }

    @Test("while its limit of bytes still arriving is held, new calls are refused; admitted calls go on")
    func bytesArriving() {
        let admission = CallAdmission(callLimit: 10, byteLimit: 1_000)
        #expect(admission.admit() == .admitted)
        admission.buffered(600)
        #expect(admission.admit() == .admitted)
        admission.buffered(400)
        #expect(admission.bytesArriving == 1_000)
        #expect(admission.admit() == .tooManyBytesArriving)
        #expect(admission.callsInProgress == 2)
        // The first call's frame completes; the second ends holding what it had.
        admission.buffered(-600)
        admission.release(heldBytes: 0)
        admission.release(heldBytes: 400)
        #expect(admission.bytesArriving == 0)
        #expect(admission.callsInProgress == 0)
        #expect(admission.admit() == .admitted)
    }

    @Test("the retry hint follows how long admitted calls wait for a first answer, within bounds")
    func retryHint() {
        let admission = CallAdmission(callLimit: 1)
        // Nothing measured yet: the least hint.
        #expect(admission.shed(.callsInProgress) == 1)
        for _ in 0..<100 { admission.firstAnswer(after: .milliseconds(200)) }
        #expect((195...200).contains(admission.shed(.callsInProgress)))
        for _ in 0..<100 { admission.firstAnswer(after: .seconds(60)) }
        #expect(admission.shed(.callsInProgress) == 5_000)
        for _ in 0..<200 { admission.firstAnswer(after: .microseconds(50)) }
        #expect(admission.shed(.callsInProgress) == 1)
    }
}
