/// `[████████░░] 80%`-style bars for text reports and step summaries.
public enum ProgressBar {
    /// The bar alone, `width` cells; a cell is filled for each full 1/width of the percentage.
    public static func bar(percent: Int, width: Int = 10) -> String {
        let clamped = max(0, min(100, percent))
        let filled = clamped * width / 100
        return String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    }
}
