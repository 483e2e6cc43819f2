/// What of the watch view fits on the terminal: the report from its top (the header first), cut
/// to the terminal's rows, and each line cut to its columns so that no line wraps onto the next.
/// When lines are cut, one line says how many, and the footer (what is watched, warnings) stays.
public enum WatchScreen {
    public static func lines(body: String, footer: [String], rows: Int, columns: Int) -> [String] {
        let report = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let shown: [String]
        if report.count + footer.count <= rows {
            shown = report + footer
        } else if rows >= footer.count + 2 {
            let kept = rows - footer.count - 1
            shown = Array(report.prefix(kept)) + ["… \(report.count - kept) more lines: enlarge the terminal"] + footer
        } else {
            shown = Array(report.prefix(max(0, rows)))
        }
        return shown.map { $0.clipped(toWidth: max(1, columns)) }
    }
}
