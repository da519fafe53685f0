import ChurnClient
import ChurnRegistry
import ChurnWire
import Foundation
import NIOConcurrencyHelpers

/// The demo's hot-swap phase: callers score without pause while the registry promotes another
/// version and then rolls it back; every answer is checked to name a version that was live.
struct DemoSwap {
    let client: ChurnClient
    let registry: ModelRegistry
    let name: String
    let from: Int
    let to: Int
    /// The customers the callers score by CRM number, from the scorer's histories.
    let customers: [(crm: UInt64, group: String)]

    /// What the callers saw.
    final class Tally: Sendable {
        struct Counts {
            /// (when the call started, how long it took) per successful call.
            var latencies: [(start: ContinuousClock.Instant, duration: Duration)] = []
            var calls = 0
            var failures: [String] = []
            var byVersion: [UInt32: Int] = [:]
            var unexpected = 0
        }

        let counts = NIOLockedValueBox(Counts())
        /// Versions an answer may name right now (both while a swap is under way).
        let allowed = NIOLockedValueBox<Set<UInt32>>([])
        /// When each version was first answered with.
        let firstSeen = NIOLockedValueBox<[UInt32: ContinuousClock.Instant]>([:])
        /// When each registry change was made.
        let changes = NIOLockedValueBox<[ContinuousClock.Instant]>([])
        /// The largest resident set seen while the phase ran, in KiB.
        let peakResidentKiB = NIOLockedValueBox(0)
    }

    /// Runs the phase; how many calls failed or named a version that was not live.
    func run(callers: Int = 4) async throws -> Int {
        let tally = Tally()
        tally.allowed.withLockedValue { $0 = [UInt32(self.from)] }
        let stop = NIOLockedValueBox(false)
        print(
            "\nHot swap under load: \(callers) callers score without pause while the registry promotes and rolls back."
        )
        let residentBefore = Self.residentKiB()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !stop.withLockedValue({ $0 }) {
                    let now = Self.residentKiB()
                    tally.peakResidentKiB.withLockedValue { $0 = max($0, now) }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            for caller in 0..<callers {
                group.addTask {
                    var index = 0
                    while !stop.withLockedValue({ $0 }) {
                        index += 1
                        let customer = self.customers[(caller * 7_919 + index) % self.customers.count]
                        let began = ContinuousClock.now
                        do {
                            let answer = try await self.client.score(
                                ScoreRequest(crm: customer.crm, productGroup: customer.group)
                            )
                            let version = answer.model.version
                            let live = tally.allowed.withLockedValue { $0.contains(version) }
                            tally.firstSeen.withLockedValue { seen in
                                if seen[version] == nil { seen[version] = .now }
                            }
                            let took = ContinuousClock.now - began
                            tally.counts.withLockedValue { counts in
                                counts.calls += 1
                                counts.latencies.append((began, took))
                                counts.byVersion[version, default: 0] += 1
                                if !live { counts.unexpected += 1 }
                            }
                        } catch {
                            tally.counts.withLockedValue { counts in
                                counts.calls += 1
                                counts.failures.append("\(error)")
                            }
                        }
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(500))
            let promoted = try await self.swap(to: self.to, from: self.from, tally: tally) {
                try await self.registry.promote(
                    name: self.name,
                    version: self.to,
                    to: .production,
                    actor: "churnguard demo"
                )
            }
            print("  promoted \(self.name) v\(self.to): served \(promoted) after the promote")
            try await Task.sleep(for: .milliseconds(500))
            let rolledBack = try await self.swap(to: self.from, from: self.to, tally: tally) {
                try await self.registry.rollback(name: self.name, actor: "churnguard demo")
            }
            print("  rolled back to v\(self.from): served \(rolledBack) after the rollback")
            try await Task.sleep(for: .milliseconds(500))
            stop.withLockedValue { $0 = true }
            try await group.waitForAll()
        }
        let counts = tally.counts.withLockedValue { $0 }
        let versions = counts.byVersion.sorted { $0.key < $1.key }.map { "v\($0.key): \($0.value)" }.joined(
            separator: ", "
        )
        print(
            "  \(counts.calls) calls, \(counts.failures.count) failed, \(counts.unexpected) answered by a version not live; answers by version: \(versions)"
        )
        for failure in counts.failures.prefix(3) { print("  failed: \(failure)") }
        // Latency of calls started within 1 s after a change against all the others.
        let changes = tally.changes.withLockedValue { $0 }
        var steady: [Duration] = []
        var swapping: [Duration] = []
        for (start, duration) in counts.latencies {
            if changes.contains(where: { start >= $0 && start - $0 < .seconds(1) }) {
                swapping.append(duration)
            } else {
                steady.append(duration)
            }
        }
        let steadyP99 = Self.percentile(steady, 0.99)
        let swapP99 = Self.percentile(swapping, 0.99)
        let ratio = steadyP99 > .zero ? swapP99 / steadyP99 : 0
        print(
            "  p99 within 1 s of a swap \(Self.microseconds(swapP99)) µs (\(swapping.count) calls) against steady \(Self.microseconds(steadyP99)) µs (\(steady.count) calls): \(String(format: "%.2f", ratio))×"
        )
        let peak = tally.peakResidentKiB.withLockedValue { $0 }
        let after = Self.residentKiB()
        print(
            "  resident memory: \(residentBefore / 1024) MiB before, peak \(peak / 1024) MiB during, \(after / 1024) MiB after (the whole demo process: client, scorer and registry clients)"
        )
        return counts.failures.count + counts.unexpected
    }

    static func percentile(_ durations: [Duration], _ p: Double) -> Duration {
        guard !durations.isEmpty else { return .zero }
        let sorted = durations.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    static func microseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1_000_000 + Int(attoseconds / 1_000_000_000_000)
    }

    /// This process's resident set in KiB (Linux: VmRSS of /proc/self/status; 0 elsewhere).
    static func residentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    /// Allows both versions, runs the registry change, waits until answers name `to`, then allows
    /// only `to`; how long the change took to reach the callers.
    private func swap(
        to: Int,
        from: Int,
        tally: Tally,
        _ change: () async throws -> Void
    ) async throws -> String {
        tally.allowed.withLockedValue { $0 = [UInt32(from), UInt32(to)] }
        tally.firstSeen.withLockedValue { $0[UInt32(to)] = nil }
        let started = ContinuousClock.now
        tally.changes.withLockedValue { $0.append(started) }
        try await change()
        let deadline = started + .seconds(10)
        while ContinuousClock.now < deadline {
            if let seen = tally.firstSeen.withLockedValue({ $0[UInt32(to)] }) {
                // Calls in flight may still finish on the old version for a moment.
                try await Task.sleep(for: .milliseconds(100))
                tally.allowed.withLockedValue { $0 = [UInt32(to)] }
                let (seconds, attoseconds) = (seen - started).components
                return "\(Int((Double(seconds) + Double(attoseconds) / 1e18) * 1000)) ms"
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw CommandFailure("v\(to) was not served within 10 s of the change")
    }
}
