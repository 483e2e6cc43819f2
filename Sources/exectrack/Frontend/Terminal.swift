#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ExecutionCore
import ExecutionTracking

/// What stdout is connected to, and control of it when it is a terminal.
enum Terminal {
    static var isTerminal: Bool { isatty(1) == 1 }

    /// Colour only on a terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb;
    /// width from COLUMNS or the terminal itself.
    static var style: TextStyle {
        guard isTerminal else { return .plain }
        let noColor = !(Console.environment("NO_COLOR") ?? "").isEmpty || Console.environment("TERM") == "dumb"
        return TextStyle(color: !noColor, width: columns)
    }

    static var columns: Int {
        if let text = Console.environment("COLUMNS"), let n = Int(text), n > 0 { return n }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// Rows to fit the watch view in: LINES, else the terminal's, else 24.
    static var rows: Int {
        if let text = Console.environment("LINES"), let n = Int(text), n > 0 { return n }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 { return Int(size.ws_row) }
        return 24
    }

    // Escape sequences for the watch view.
    static let enterAlternateScreen = "\u{1B}[?1049h"
    static let leaveAlternateScreen = "\u{1B}[?1049l"
    static let hideCursor = "\u{1B}[?25l"
    static let showCursor = "\u{1B}[?25h"
    static let home = "\u{1B}[H"
    static let clearToEnd = "\u{1B}[J"
    static let clearLineEnd = "\u{1B}[K"
}

/// Set by SIGINT/SIGTERM so a loop can restore the terminal before exiting.
nonisolated(unsafe) var receivedSignal: Int32 = 0

enum Signals {
    static func catchInterrupts() {
        signal(SIGINT) { receivedSignal = $0 }
        signal(SIGTERM) { receivedSignal = $0 }
        // A parent may have left these blocked in the mask we inherited (thread pools do).
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }
}
