import ChurnLoad
import GRPCCore
import GRPCNIOTransportHTTP2

/// Unary `Score` over grpc-swift's client: one client (connection) per slot, calls spread by index.
struct GRPCScoreTarget: LoadTarget {
    let name = "grpc-swift unary"
    let clients: [Churn_Peer_V1_Scoring.Client<HTTP2ClientTransport.Posix>]
    let rows: [[Double]]
    let schemaHash: UInt64
    let timeout: Duration

    func call(_ index: Int) async -> CallOutcome {
        var request = Churn_Peer_V1_ScoreRequest()
        request.crm = UInt64(1_000_000 + index)
        request.productGroup = "fuel_cards"
        request.featureSchemaHash = self.schemaHash
        request.features = self.rows[index % self.rows.count]
        var options = CallOptions.defaults
        options.timeout = self.timeout
        do {
            _ = try await self.clients[index % self.clients.count].score(request, options: options)
            return .answered(rows: 1)
        } catch let error as RPCError {
            return .failed(code: "\(error.code)")
        } catch {
            return .failed(code: "unknown")
        }
    }

    func close() async {}
}

/// Streamed `ScoreBatch` over grpc-swift: one stream per call with `frames` frames.
struct GRPCBatchTarget: LoadTarget {
    let name = "grpc-swift batch"
    let clients: [Churn_Peer_V1_Scoring.Client<HTTP2ClientTransport.Posix>]
    let frames: [Churn_Peer_V1_ScoreBatchRequest]
    let timeout: Duration

    func call(_ index: Int) async -> CallOutcome {
        var options = CallOptions.defaults
        options.timeout = self.timeout
        let frames = self.frames
        do {
            let rows = try await self.clients[index % self.clients.count].scoreBatch(options: options) { writer in
                try await writer.write(contentsOf: frames)
            } onResponse: { response in
                var rows = 0
                for try await answer in response.messages { rows += answer.crms.count }
                return rows
            }
            return .answered(rows: rows)
        } catch let error as RPCError {
            return .failed(code: "\(error.code)")
        } catch {
            return .failed(code: "unknown")
        }
    }

    func close() async {}
}
