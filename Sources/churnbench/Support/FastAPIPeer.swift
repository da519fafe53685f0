import ArgumentParser
import ChurnLoad

/// The FastAPI peer's API (bench/peers/fastapi/app.py): `POST /score` with one customer,
/// `POST /score_batch` with many rows, JSON both ways.
enum FastAPIPeer {
    static func target(
        for scenario: Scenario,
        host: String,
        port: Int,
        connections: Int,
        rows: [[Double]]
    ) throws -> HTTPJSONTarget {
        let bodies = rows.map { row in row.map { "\($0)" }.joined(separator: ",") }
        switch scenario.kind {
        case .ingest:
            throw ValidationError("the FastAPI peer has no ingest endpoint: run ingest scenarios without --fastapi")
        case .unary:
            return HTTPJSONTarget(
                name: "fastapi unary",
                host: host,
                port: port,
                path: "/score",
                connections: connections,
                timeout: scenario.timeout
            ) { index in
                "{\"crm\":\(1_000_000 + index),\"product_group\":\"fuel_cards\",\"features\":[\(bodies[index % bodies.count])]}"
            }
        case .batch:
            let rowsPerCall = scenario.rowsPerFrame * scenario.framesPerCall
            let body =
                "{\"rows\":["
                + (0..<rowsPerCall).map { "[\(bodies[$0 % bodies.count])]" }.joined(separator: ",") + "]}"
            return HTTPJSONTarget(
                name: "fastapi batch",
                host: host,
                port: port,
                path: "/score_batch",
                connections: connections,
                rowsPerCall: rowsPerCall,
                timeout: scenario.timeout
            ) { _ in body }
        }
    }
}
