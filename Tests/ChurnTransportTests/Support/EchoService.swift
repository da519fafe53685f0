import ChurnTransport
import ChurnWire
import Foundation
import NIOConcurrencyHelpers

/// A router whose handlers echo what they get, for exercising the transport without a model.
///
/// `Score` answers the CRM and product group with the features' sum as the probability (and
/// sleeps 300 ms first for CRM 999, to miss deadlines); `ScoreBatch` echoes each frame's CRMs
/// (sleeping 300 ms first for a frame that starts with CRM 999) and counts the frames it served;
/// `Health` answers SERVING.
final class EchoService: Sendable {
    static let slowCRM: UInt64 = 999
    private let served = NIOLockedValueBox(0)

    /// Batch frames served so far.
    var batchFramesServed: Int { self.served.withLockedValue { $0 } }

    var router: RPCRouter {
        var router = RPCRouter()
        router.register(ScoringService.score) { request, _ throws(RPCError) in
            if request.crm == Self.slowCRM { usleep(300_000) }
            return ScoreResponse(
                crm: request.crm,
                productGroup: request.productGroup,
                probability: request.features.reduce(0, +)
            )
        }
        router.register(ScoringService.scoreBatch) { request, _ throws(RPCError) in
            if request.crms.first == Self.slowCRM { usleep(300_000) }
            self.served.withLockedValue { $0 += 1 }
            return ScoreBatchResponse(crms: request.crms, probabilities: request.features)
        }
        router.register(HealthService.check) { _, _ throws(RPCError) in
            HealthResponse(state: .serving, nodeId: "echo")
        }
        return router
    }
}
