public import Foundation
internal import NIOConcurrencyHelpers
public import NIOCore
public import NIOPosix

/// Watches, from a thread of its own, how long work waits to start on what the tests share:
/// Swift concurrency's cooperative pool and each of NIO's singleton event loops (or the loops
/// given). Every
/// ``Configuration/interval`` it queues a job on each and times how long the job waited.
///
/// A wait of seconds there fails the deadlines of unrelated tests (a commit, a call) though
/// nothing is wrong with them; this names where the wait was and, with gdb installed, writes
/// every thread's stack while it lasts. It found the two causes so far: tests computing on the
/// pool (see ``ComputeThreadsTrait``) and tests driving hundreds of HTTP/2 streams on the
/// singleton loops (see ``OwnEventLoopsTrait``).
///
/// Run by `StallMonitorTests` when `CHURNGUARD_STALL_MONITOR` holds a number of seconds:
/// `CHURNGUARD_STALL_MONITOR=150 ops/test`.
public final class StallMonitor: Sendable {
    /// How it watches.
    public struct Configuration: Sendable {
        /// How long to watch.
        public var duration: Duration
        /// How often to probe. Default 100 ms.
        public var interval: Duration
        /// A wait at least this long is reported. Default 1 s.
        public var threshold: Duration
        /// Where the stacks of a reported wait are written (`stall-N.txt`); nil: none. At most
        /// ``maxDumps`` are written.
        public var dumpDirectory: String?
        /// The most stack dumps written. Default 10.
        public var maxDumps: Int
        /// The event loops probed besides the pool. Default NIO's singleton loops.
        public var eventLoops: [any EventLoop]

        public init(
            duration: Duration,
            interval: Duration = .milliseconds(100),
            threshold: Duration = .seconds(1),
            dumpDirectory: String? = nil,
            maxDumps: Int = 10,
            eventLoops: [any EventLoop] = Array(MultiThreadedEventLoopGroup.singleton.makeIterator())
        ) {
            self.duration = duration
            self.interval = interval
            self.threshold = threshold
            self.dumpDirectory = dumpDirectory
            self.maxDumps = maxDumps
            self.eventLoops = eventLoops
        }
    }

    /// One wait at or past the threshold.
    public struct Stall: Sendable, CustomStringConvertible {
        /// When the probe was queued.
        public var queued: Date
        /// What was waited on: "the cooperative pool" or "event loop N" (its index in
        /// ``Configuration/eventLoops``).
        public var place: String
        /// How long the probe waited to start.
        public var waited: Duration
        /// The file holding every thread's stack while it waited, if one was written.
        public var stacks: String?

        public var description: String {
            "\(self.place) waited \(self.waited) from \(self.queued)" + (self.stacks.map { " (stacks: \($0))" } ?? "")
        }
    }

    /// Whether `CHURNGUARD_STALL_MONITOR` is set at all (a run asked for the monitor).
    public static var isRequested: Bool {
        ProcessInfo.processInfo.environment["CHURNGUARD_STALL_MONITOR"] != nil
    }

    /// The configuration from `CHURNGUARD_STALL_MONITOR` (seconds to watch), with stacks written
    /// to `CHURNGUARD_STALL_DUMPS` if set; nil when the first is not a number of seconds above 0.
    public static var requested: Configuration? {
        let environment = ProcessInfo.processInfo.environment
        guard let text = environment["CHURNGUARD_STALL_MONITOR"], let seconds = Double(text), seconds > 0 else {
            return nil
        }
        return Configuration(duration: .seconds(seconds), dumpDirectory: environment["CHURNGUARD_STALL_DUMPS"])
    }

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Watches for ``Configuration/duration``; the waits at or past the threshold, in order.
    public func watch() async throws -> [Stall] {
        try await OwnThread.run { self.watchBlocking() }
    }

    private func watchBlocking() -> [Stall] {
        let loops = self.configuration.eventLoops
        let places = ["the cooperative pool"] + loops.indices.map { "event loop \($0)" }
        let end = ContinuousClock.now + self.configuration.duration
        var stalls: [Stall] = []
        var dumps = 0
        while ContinuousClock.now < end {
            let queued = (date: Date(), instant: ContinuousClock.now)
            let started = NIOLockedValueBox<[ContinuousClock.Instant?]>(Array(repeating: nil, count: places.count))
            Task.detached { started.withLockedValue { $0[0] = .now } }
            for (index, loop) in loops.enumerated() {
                loop.execute { started.withLockedValue { $0[index + 1] = .now } }
            }
            var dumped: String?
            while started.withLockedValue({ $0.contains(nil) }) {
                Thread.sleep(forTimeInterval: 0.02)
                if dumped == nil, ContinuousClock.now - queued.instant >= self.configuration.threshold,
                    let directory = self.configuration.dumpDirectory, dumps < self.configuration.maxDumps
                {
                    dumps += 1
                    dumped = Self.dumpStacks(to: "\(directory)/stall-\(dumps).txt")
                }
            }
            for (place, start) in zip(places, started.withLockedValue { $0 }) {
                guard let start, start - queued.instant >= self.configuration.threshold else { continue }
                stalls.append(Stall(queued: queued.date, place: place, waited: start - queued.instant, stacks: dumped))
            }
            Thread.sleep(forTimeInterval: Self.seconds(self.configuration.interval))
        }
        return stalls
    }

    /// Writes every thread's innermost frames to `path` with gdb; the path, or nil without gdb.
    private static func dumpStacks(to path: String) -> String? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/gdb"),
            FileManager.default.createFile(atPath: path, contents: nil),
            let output = FileHandle(forWritingAtPath: path)
        else { return nil }
        let gdb = Process()
        gdb.executableURL = URL(fileURLWithPath: "/usr/bin/gdb")
        gdb.arguments = [
            "-batch", "-p", "\(ProcessInfo.processInfo.processIdentifier)", "-ex", "thread apply all bt 40",
        ]
        gdb.standardOutput = output
        gdb.standardError = FileHandle.nullDevice
        do {
            try gdb.run()
            gdb.waitUntilExit()
        } catch {
            return nil
        }
        return path
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
