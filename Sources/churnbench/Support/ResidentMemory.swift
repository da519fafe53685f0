import Foundation
import NIOConcurrencyHelpers

/// Samples processes' resident memory (VmRSS) every few milliseconds while a run goes on.
final class ResidentMemory: Sendable {
    struct Sample: Sendable {
        var at: ContinuousClock.Instant
        var kibibytes: [Int]
    }

    let pids: [Int32]
    private let samples = NIOLockedValueBox<[Sample]>([])

    init(pids: [Int32]) {
        self.pids = pids
    }

    /// Samples until cancelled.
    func run(every interval: Duration = .milliseconds(10)) async {
        while !Task.isCancelled {
            let sample = Sample(at: .now, kibibytes: self.pids.map { Self.residentKiB(of: $0) ?? 0 })
            self.samples.withLockedValue { $0.append(sample) }
            try? await Task.sleep(for: interval)
        }
    }

    /// Per process: the median over `range`.
    func median(in range: Range<ContinuousClock.Instant>) -> [Int] {
        let inside = self.samples.withLockedValue { $0.filter { range.contains($0.at) } }
        return self.pids.indices.map { index in
            let values = inside.map { $0.kibibytes[index] }.sorted()
            return values.isEmpty ? 0 : values[values.count / 2]
        }
    }

    /// Per process: the largest over `range`.
    func peak(in range: Range<ContinuousClock.Instant>) -> [Int] {
        let inside = self.samples.withLockedValue { $0.filter { range.contains($0.at) } }
        return self.pids.indices.map { index in inside.map { $0.kibibytes[index] }.max() ?? 0 }
    }

    /// VmRSS of a process in KiB, from /proc.
    static func residentKiB(of pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }
}
