import ChurnModel
import GRPCCore

/// The peer's scoring: the same ChurnModel code and artifact as the scorer, behind grpc-swift.
struct ScoringService: Churn_Peer_V1_Scoring.SimpleServiceProtocol {
    let model: TrainedModel
    let version: UInt32
    let schemaHash: UInt64

    func score(
        request: Churn_Peer_V1_ScoreRequest,
        context: ServerContext
    ) async throws -> Churn_Peer_V1_ScoreResponse {
        guard request.featureSchemaHash == self.schemaHash else {
            throw RPCError(code: .invalidArgument, message: "feature schema hash does not match the model's")
        }
        let probability: Double
        do {
            probability = try self.model.probability(request.features)
        } catch {
            throw RPCError(code: .invalidArgument, message: "\(error)")
        }
        var response = Churn_Peer_V1_ScoreResponse()
        response.crm = request.crm
        response.productGroup = request.productGroup
        response.probability = probability
        response.riskBand = self.model.riskBands.band(of: probability).rawValue
        response.model.name = self.model.name
        response.model.version = self.version
        response.model.featureSchemaHash = self.schemaHash
        return response
    }

    func scoreBatch(
        request: RPCAsyncSequence<Churn_Peer_V1_ScoreBatchRequest, any Error>,
        response: RPCWriter<Churn_Peer_V1_ScoreBatchResponse>,
        context: ServerContext
    ) async throws {
        for try await frame in request {
            let width = Int(frame.featureCount)
            guard frame.featureSchemaHash == self.schemaHash, width > 0,
                frame.features.count == width * frame.crms.count
            else {
                throw RPCError(code: .invalidArgument, message: "the frame's schema or shape does not match the model")
            }
            var answer = Churn_Peer_V1_ScoreBatchResponse()
            answer.crms = frame.crms
            answer.probabilities.reserveCapacity(frame.crms.count)
            answer.riskBands.reserveCapacity(frame.crms.count)
            try frame.features.withUnsafeBufferPointer { features in
                for row in 0..<frame.crms.count {
                    let probability = try self.model.probability(
                        UnsafeBufferPointer(rebasing: features[row * width..<(row + 1) * width])
                    )
                    answer.probabilities.append(probability)
                    answer.riskBands.append(self.model.riskBands.band(of: probability).rawValue)
                }
            }
            try await response.write(answer)
        }
    }
}
