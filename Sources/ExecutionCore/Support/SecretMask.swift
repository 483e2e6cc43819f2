/// Masks the shapes of common secrets in text that exectrack stores or sends on (error and
/// warning messages, notification texts, command output tails), so a key pasted into a message
/// never reaches a file or a chat channel. The shapes are listed in docs/notifications.md,
/// "Secrets"; each keeps its recognisable start and loses the rest (`sk-***`).
public enum SecretMask {
    public static let marker = "***"

    /// `text` with every secret shape masked; the same string when there is none.
    public static func mask(_ text: String) -> String {
        var bytes = Array(text.utf8)
        guard maskInPlace(&bytes) else { return text }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Every string in `value` masked (keys kept).
    public static func mask(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let s): .string(mask(s))
        case .array(let items): .array(items.map(mask))
        case .object(let object): .object(JSONObject(object.entries.map { ($0.key, mask($0.value)) }))
        default: value
        }
    }

    /// Tokens known by their prefix: the prefix, then at least `minimum` characters of the token's alphabet.
    private static let prefixed: [(prefix: [UInt8], minimum: Int, alphabet: @Sendable (UInt8) -> Bool)] = [
        (Array("sk-".utf8), 16, isTokenByte),
        (Array("github_pat_".utf8), 20, isTokenByte),
        (Array("ghp_".utf8), 20, isAlphanumeric),
        (Array("gho_".utf8), 20, isAlphanumeric),
        (Array("ghu_".utf8), 20, isAlphanumeric),
        (Array("ghs_".utf8), 20, isAlphanumeric),
        (Array("ghr_".utf8), 20, isAlphanumeric),
        (Array("glpat-".utf8), 20, isTokenByte),
        (Array("xoxb-".utf8), 10, isTokenByte),
        (Array("xoxp-".utf8), 10, isTokenByte),
        (Array("xoxa-".utf8), 10, isTokenByte),
        (Array("xoxr-".utf8), 10, isTokenByte),
        (Array("xoxs-".utf8), 10, isTokenByte),
        (Array("AKIA".utf8), 16, isUpperOrDigit),
        (Array("ASIA".utf8), 16, isUpperOrDigit),
        (Array("https://hooks.slack.com/".utf8), 8, isURLByte),
    ]

    /// Names whose value follows `=` or `:` (`password=…`, `"api_key": "…"`), matched in any case.
    private static let secretNames: [[UInt8]] = [
        "password", "passwd", "pwd", "secret", "client_secret", "token", "access_token", "refresh_token",
        "api_key", "apikey", "api-key", "access_key", "secret_key", "private_key", "auth_token",
    ].map { Array($0.utf8) }

    private static let bearer = Array("bearer ".utf8)
    private static let begin = Array("-----BEGIN ".utf8)
    private static let privateKeyEnd = Array("PRIVATE KEY-----".utf8)
    private static let end = Array("-----END ".utf8)

    /// Masks `bytes` in place; false when nothing was masked.
    static func maskInPlace(_ bytes: inout [UInt8]) -> Bool {
        var out: [UInt8] = []
        var changed = false
        var i = 0
        let marker = Array(Self.marker.utf8)
        func startsWord(_ at: Int) -> Bool { at == 0 || !isTokenByte(bytes[at - 1]) }
        while i < bytes.count {
            if let (keep, skip) = secretAt(bytes, i, startsWord: startsWord(i)) {
                out += bytes[i..<i + keep]
                out += marker
                i += skip
                changed = true
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        if changed { bytes = out }
        return changed
    }

    /// At `i`, a secret: how many bytes to keep (its recognisable start) and how many it spans.
    /// Tokens, bearer values and key blocks start a word; a secret's name may end one
    /// (`DB_PASSWORD=`, `X-Api-Key:`).
    private static func secretAt(_ bytes: [UInt8], _ i: Int, startsWord: Bool) -> (keep: Int, skip: Int)? {
        if startsWord, let found = tokenAt(bytes, i) { return found }
        for name in secretNames where has(bytes, name, at: i, ignoringCase: true) {
            var j = i + name.count
            guard j >= bytes.count || !isTokenByte(bytes[j]) else { continue }
            if j < bytes.count, bytes[j] == UInt8(ascii: "\"") { j += 1 }
            while j < bytes.count, bytes[j] == UInt8(ascii: " ") { j += 1 }
            guard j < bytes.count, bytes[j] == UInt8(ascii: "=") || bytes[j] == UInt8(ascii: ":") else { continue }
            j += 1
            while j < bytes.count, bytes[j] == UInt8(ascii: " ") { j += 1 }
            // A quoted value runs to its closing quote, spaces and all.
            if j < bytes.count, bytes[j] == UInt8(ascii: "\"") || bytes[j] == UInt8(ascii: "'") {
                let quote = bytes[j]
                j += 1
                let run = span(bytes, from: j) { $0 != quote && $0 != UInt8(ascii: "\n") }
                if run >= 1 { return (j - i, j - i + run) }
                continue
            }
            let run = span(bytes, from: j) { !isSpaceOrQuote($0) && $0 != UInt8(ascii: "&") && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: ";") }
            if run >= 1 { return (j - i, j - i + run) }
        }
        return nil
    }

    private static func tokenAt(_ bytes: [UInt8], _ i: Int) -> (keep: Int, skip: Int)? {
        for (prefix, minimum, alphabet) in prefixed where has(bytes, prefix, at: i, ignoringCase: false) {
            let run = span(bytes, from: i + prefix.count, alphabet)
            if run >= minimum { return (prefix.count, prefix.count + run) }
        }
        if has(bytes, bearer, at: i, ignoringCase: true) {
            let run = span(bytes, from: i + bearer.count) { isTokenByte($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "~") }
            if run >= 8 { return (bearer.count, bearer.count + run) }
        }
        if has(bytes, begin, at: i, ignoringCase: false), let header = privateKeyHeader(bytes, i) {
            // To the END line's close, or to the end of the text when it is cut off.
            var j = header
            while j < bytes.count, !has(bytes, end, at: j, ignoringCase: false) { j += 1 }
            if j < bytes.count, let close = firstIndex(of: privateKeyEnd, in: bytes, from: j) { j = close + privateKeyEnd.count }
            return (header - i, j - i)
        }
        return nil
    }

    /// After `-----BEGIN `, the end of a `… PRIVATE KEY-----` header on the same line, or nil.
    private static func privateKeyHeader(_ bytes: [UInt8], _ i: Int) -> Int? {
        var j = i + begin.count
        while j < bytes.count, bytes[j] != UInt8(ascii: "\n"), j - i < 80 {
            if has(bytes, privateKeyEnd, at: j, ignoringCase: false) { return j + privateKeyEnd.count }
            j += 1
        }
        return nil
    }

    private static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        var j = from
        while j + needle.count <= bytes.count {
            if has(bytes, needle, at: j, ignoringCase: false) { return j }
            j += 1
        }
        return nil
    }

    private static func has(_ bytes: [UInt8], _ needle: [UInt8], at i: Int, ignoringCase: Bool) -> Bool {
        guard i + needle.count <= bytes.count else { return false }
        for k in needle.indices {
            let a = bytes[i + k], b = needle[k]
            if a == b { continue }
            guard ignoringCase, lowercased(a) == lowercased(b) else { return false }
        }
        return true
    }

    private static func span(_ bytes: [UInt8], from start: Int, _ alphabet: (UInt8) -> Bool) -> Int {
        var j = start
        while j < bytes.count, alphabet(bytes[j]) { j += 1 }
        return j - start
    }

    private static func lowercased(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }
    private static func isAlphanumeric(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
    private static func isUpperOrDigit(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 65 && b <= 90) }
    private static func isTokenByte(_ b: UInt8) -> Bool { isAlphanumeric(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") }
    private static func isURLByte(_ b: UInt8) -> Bool { b > 32 && b < 127 && !isSpaceOrQuote(b) && b != UInt8(ascii: "<") && b != UInt8(ascii: ">") }
    private static func isSpaceOrQuote(_ b: UInt8) -> Bool {
        b == 32 || b == 9 || b == 10 || b == 13 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") || b == UInt8(ascii: "\\")
    }
}
