import ExecutionCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The only reader of the system clocks; pure code receives the time as a parameter.
public enum SystemClock {
    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(millisecondsSinceEpoch: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }

    /// Seconds on a clock that never jumps: for timeouts and redraw pacing.
    public static func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Distinguishes temp files of one process: nanoseconds of the monotonic clock.
    static func uniqueSuffix() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return String(UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec), radix: 36)
    }

    public static func sleep(milliseconds: Int) {
        guard milliseconds > 0 else { return }
        usleep(UInt32(milliseconds) * 1000)
    }

    /// Sleeps in short steps, returning early once `interrupted` says so (a signal arrived).
    public static func sleep(milliseconds: Int, unlessInterrupted interrupted: () -> Bool) {
        var left = milliseconds
        while left > 0, !interrupted() {
            let step = min(left, 50)
            usleep(UInt32(step) * 1000)
            left -= step
        }
    }
}
