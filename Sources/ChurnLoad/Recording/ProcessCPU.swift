#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// CPU time this process has used (user plus system), for the client's share of a run.
public enum ProcessCPU {
    /// Seconds of CPU used by every thread of this process so far.
    public static func seconds() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Seconds of CPU other processes have used so far, together; nil when one is gone.
    public static func seconds(ofProcesses pids: [Int32]) -> Double? {
        var total = 0.0
        for pid in pids {
            guard let seconds = Self.seconds(ofProcess: pid) else { return nil }
            total += seconds
        }
        return total
    }

    /// Seconds of CPU another process has used so far (from `/proc/PID/stat`); nil when it is gone
    /// or the system has no `/proc`.
    public static func seconds(ofProcess pid: Int32) -> Double? {
        guard let file = fopen("/proc/\(pid)/stat", "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 1024)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
        let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // The command name (field 2) may hold spaces; fields after its closing parenthesis are plain.
        guard let close = line.lastIndex(of: ")") else { return nil }
        let fields = line[line.index(after: close)...].split(separator: " ")
        // utime and stime are fields 14 and 15; fields[0] here is field 3.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
