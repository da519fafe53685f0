import ChurnScorer
import ChurnTesting
import ChurnTransport
import Foundation
import Prometheus
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("Metrics endpoint")
struct MetricsEndpointTests {
    @Test("GET /metrics serves the registry as Prometheus text; other paths and methods are refused")
    func servesMetrics() async throws {
        let registry = PrometheusCollectorRegistry()
        let swaps = MetricNameDescriptor(
            namespace: "churnguard",
            subsystem: "registry",
            metricName: "swaps",
            unitName: "total",
            helpText: "Model swaps."
        )
        registry.makeCounter(descriptor: swaps, labels: [("model", "churn-demo")]).increment(by: Int64(3))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let endpoint = MetricsEndpoint(registry: registry, port: 0, logger: quietLogger()) { port in
            continuation.yield(port)
            continuation.finish()
        }
        try await withListeningService(endpoint.run, ports: ports) { port in
            let base = "http://127.0.0.1:\(port)"
            let (body, metrics) = try await Self.get("\(base)/metrics")
            #expect(metrics.statusCode == 200)
            #expect(metrics.value(forHTTPHeaderField: "content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(body.contains("# TYPE churnguard_registry_swaps_total counter"))
            #expect(body.contains("churnguard_registry_swaps_total{model=\"churn-demo\"} 3"))
            #expect(try await Self.get("\(base)/other").1.statusCode == 404)
            var post = URLRequest(url: URL(string: "\(base)/metrics")!)
            post.httpMethod = "POST"
            let (_, refused) = try await URLSession.shared.data(for: post)
            #expect((refused as? HTTPURLResponse)?.statusCode == 405)

            // A port already taken is a typed error naming the address, not a crash.
            let second = MetricsEndpoint(registry: registry, port: port, logger: quietLogger())
            await #expect {
                try await second.run()
            } throws: { error in
                (error as? TransportError)?.code == .bindFailed && "\(error)".contains("127.0.0.1:\(port)")
            }
        }
    }

    private static func get(_ url: String) async throws -> (String, HTTPURLResponse) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        return (String(decoding: data, as: UTF8.self), response as! HTTPURLResponse)
    }
}
