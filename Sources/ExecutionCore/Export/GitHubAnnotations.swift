/// GitHub Actions annotation lines (`export --format annotations`, docs/gates.md): what needs a
/// reviewer's eye in a CI log — each gate whose latest attempt failed (`::error`) or warned
/// (`::warning`), each unresolved error (`::error` when high or critical, else `::warning`) —
/// then a `::notice` with the spec's progress.
public enum GitHubAnnotations {
    public static func lines(_ file: StatusFile) -> String {
        var status = file
        status.recomputeDerivedFields()
        var out = ""
        for layer in status.layers {
            for name in GateText.names(of: layer) {
                guard let latest = layer.latestResult(of: name), latest.status != .passed else { continue }
                // A waived layer's failure is a warning that says who waived it and why.
                let waived = layer.gatesOverriddenAt != nil
                let level = latest.status == .failed && !waived ? "error" : "warning"
                let required = layer.requires(gate: name) ? "required " : ""
                var tail = latest.details.map { "\n" + $0.split(separator: "\n").suffix(10).joined(separator: "\n") } ?? ""
                if waived { tail += "\nwaived: \(layer.gatesOverrideReason ?? "no reason given")" }
                out += command(level, title: "\(status.feature) \(layer.key) \(required)gate \(name)", message: GateText.attempt(latest) + tail)
            }
        }
        for error in status.errors where error.resolvedAt == nil {
            let level = error.severity == .critical || error.severity == .high ? "error" : "warning"
            let place = error.taskIndex.map { "\(error.layer).\($0)" } ?? error.layer
            out += command(level, title: "\(status.feature) \(place) \(error.severity.rawValue) \(error.category.rawValue) error",
                           message: error.message + (error.recoveryAction.map { "\nrecovery: \($0)" } ?? ""))
        }
        out += command("notice", title: status.feature, message: ProgressReport.summaryLine(status))
        return out
    }

    /// `::level title=…::message`, escaped as GitHub's workflow commands require.
    static func command(_ level: String, title: String, message: String) -> String {
        "::\(level) title=\(escape(title, property: true))::\(escape(message, property: false))\n"
    }

    static func escape(_ text: String, property: Bool) -> String {
        var out = ""
        for c in SecretMask.mask(text).unicodeScalars {
            switch c {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            case ":" where property: out += "%3A"
            case "," where property: out += "%2C"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
