/// Writes JSON deterministically in the layout `jq` prints (two-space indent, `"key": value`),
/// so a file edited by `jq` and then by this tool differs only where the data differs.
public enum JSONWriter {
    public enum Style: Sendable { case pretty, compact }

    /// The document's bytes; pretty output ends with one newline.
    public static func encode(_ value: JSONValue, style: Style = .pretty) -> String {
        var out = ""
        out.reserveCapacity(4096)
        write(value, style: style, indent: 0, into: &out)
        if style == .pretty { out.append("\n") }
        return out
    }

    private static func newline(_ out: inout String, _ indent: Int) {
        out.append("\n")
        out.append(String(repeating: " ", count: indent))
    }

    private static func write(_ value: JSONValue, style: Style, indent: Int, into out: inout String) {
        switch value {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .number(let literal): out.append(literal)
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            guard !elements.isEmpty else { out.append("[]"); return }
            out.append("[")
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(",") }
                if style == .pretty { newline(&out, indent + 2) }
                write(element, style: style, indent: indent + 2, into: &out)
            }
            if style == .pretty { newline(&out, indent) }
            out.append("]")
        case .object(let object):
            guard !object.isEmpty else { out.append("{}"); return }
            out.append("{")
            for (i, entry) in object.entries.enumerated() {
                if i > 0 { out.append(",") }
                if style == .pretty { newline(&out, indent + 2) }
                writeString(entry.key, into: &out)
                out.append(style == .pretty ? ": " : ":")
                write(entry.value, style: style, indent: indent + 2, into: &out)
            }
            if style == .pretty { newline(&out, indent) }
            out.append("}")
        }
    }

    /// Escapes what JSON requires and nothing else: `/` and non-ASCII text are written as is.
    public static func writeString(_ s: String, into out: inout String) {
        out.append("\"")
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case "\u{08}": out.append("\\b")
            case "\u{0C}": out.append("\\f")
            case "\u{00}"..."\u{1F}", "\u{7F}":
                let hex = String(scalar.value, radix: 16)
                out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out.append("\"")
    }
}
