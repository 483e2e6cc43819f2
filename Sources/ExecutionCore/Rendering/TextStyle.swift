/// How text output is dressed: colour (terminals only, never with NO_COLOR) and the width to
/// fit. The front end decides; renderers only follow.
public struct TextStyle: Equatable, Sendable {
    public var color: Bool
    /// Terminal columns to fit, or nil (pipes, files, CI logs): then bars are always 10 cells.
    public var width: Int?

    public init(color: Bool, width: Int?) {
        self.color = color
        self.width = width
    }

    public static let plain = TextStyle(color: false, width: nil)

    /// Cells for a bar when `used` columns of the line are taken: as many as fit, up to 30;
    /// none when fewer than 5 fit.
    func barWidth(used: Int) -> Int {
        guard let width else { return 10 }
        let cells = min(30, width - used)
        return cells < 5 ? 0 : cells
    }

    func paint(_ text: String, for status: LayerStatus) -> String {
        switch status {
        case .complete: paint(text, code: "32")
        case .inProgress: paint(text, code: "33")
        case .failed: paint(text, code: "31")
        case .pending: paint(text, code: "2")
        }
    }

    func paint(_ text: String, for status: ExecutionStatus) -> String {
        switch status {
        case .complete: paint(text, code: "32")
        case .inProgress, .paused, .blocked: paint(text, code: "33")
        case .failed: paint(text, code: "31")
        case .pending: paint(text, code: "2")
        }
    }

    func paint(_ text: String, code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
