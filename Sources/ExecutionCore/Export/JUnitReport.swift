/// JUnit XML for CI systems (`export --format junit`): one `<testsuite>` per layer, one
/// `<testcase>` per task. Failed tasks carry their logged error; skipped and not-yet-run tasks
/// are `<skipped>`, so a partial run reads as partial, not as failed.
public enum JUnitReport {
    public static func xml(_ file: StatusFile, now: Timestamp) -> String {
        var status = file
        status.recomputeDerivedFields()
        let errorsByTask = Dictionary(grouping: status.errors.filter { $0.taskIndex != nil }) {
            "\($0.layer)#\($0.taskIndex!)"
        }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        // Each gate attempt is a test case of its layer's suite (docs/gates.md).
        let gateResults = status.layers.flatMap { $0.gates ?? [] }
        let totalSeconds = seconds(status.allTasks.compactMap({ $0.durationMs }).saturatingSum()
            .addingSaturated(gateResults.compactMap(\.durationMs).saturatingSum()))
        let notRun = status.allTasks.filter { $0.status != .complete && $0.status != .failed }.count
        let gateFailures = gateResults.filter { $0.status == .failed }.count
        out += "<testsuites name=\"\(escape(suiteTitle(status)))\" tests=\"\(status.totalTasks + gateResults.count)\" "
            + "failures=\"\(status.failedTasks + gateFailures)\" errors=\"0\" skipped=\"\(notRun)\" time=\"\(totalSeconds)\" "
            + "timestamp=\"\(now.iso8601)\">\n"
        for layer in status.layers {
            let gates = layer.gates ?? []
            let layerSeconds = seconds(layer.tasks.compactMap({ $0.durationMs }).saturatingSum()
                .addingSaturated(gates.compactMap(\.durationMs).saturatingSum()))
            let layerNotRun = layer.tasks.filter { $0.status != .complete && $0.status != .failed }.count
            out += "  <testsuite name=\"\(escape("\(layer.key) \(layer.name)"))\" tests=\"\(layer.totalTasks + gates.count)\" "
                + "failures=\"\(layer.failedTasks + gates.filter { $0.status == .failed }.count)\" errors=\"0\" "
                + "skipped=\"\(layerNotRun)\" time=\"\(layerSeconds)\""
                + (layer.startedAt.map { " timestamp=\"\($0.iso8601)\"" } ?? "") + ">\n"
            for task in layer.tasks {
                let name = (task.id ?? "\(layer.key).\(task.index)") + " " + task.description
                out += "    <testcase name=\"\(escape(name))\" classname=\"\(escape("\(status.feature).\(layer.key)"))\" "
                    + "time=\"\(seconds(task.durationMs ?? 0))\">\n"
                let usage = UsageAttributes.of(task.usage, agent: task.agent)
                if !usage.isEmpty {
                    out += "      <properties>\n"
                    for (key, value) in usage { out += "        <property name=\"\(key)\" value=\"\(escape(value.text))\"/>\n" }
                    out += "      </properties>\n"
                }
                switch task.status {
                case .failed:
                    let error = errorsByTask["\(layer.key)#\(task.index)"]?.last
                    let message = task.error ?? error?.message ?? "task failed"
                    var body = message
                    if let error {
                        body += "\nseverity: \(error.severity.rawValue), category: \(error.category.rawValue)"
                        if let recovery = error.recoveryAction { body += "\nrecovery: \(recovery)" }
                    }
                    out += "      <failure message=\"\(escape(message))\" type=\"\(error?.category.rawValue ?? "failed")\">"
                        + escape(body) + "</failure>\n"
                case .skipped:
                    out += "      <skipped message=\"skipped\"/>\n"
                case .pending:
                    out += "      <skipped message=\"not run yet (pending)\"/>\n"
                case .inProgress:
                    out += "      <skipped message=\"still running\"/>\n"
                case .complete:
                    break
                }
                if let output = task.output { out += "      <system-out>\(escape(output))</system-out>\n" }
                out += "    </testcase>\n"
            }
            for gate in gates { out += gateCase(gate, layer: layer, spec: status.feature) }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    /// `gate tests (attempt 2)`: a failed attempt fails with its details; a warning says so on
    /// its output.
    static func gateCase(_ gate: GateResult, layer: ExecutionLayer, spec: String) -> String {
        var out = "    <testcase name=\"\(escape("gate \(gate.name) (attempt \(gate.attempt))"))\" "
            + "classname=\"\(escape("\(spec).\(layer.key).gates"))\" time=\"\(seconds(gate.durationMs ?? 0))\">\n"
        let summary = GateText.attempt(gate)
        switch gate.status {
        case .failed:
            out += "      <failure message=\"\(escape(summary))\" type=\"gate\">" + escape(gate.details ?? summary) + "</failure>\n"
        case .warn:
            out += "      <system-out>\(escape("warning: " + (gate.details ?? summary)))</system-out>\n"
        case .passed:
            if let details = gate.details { out += "      <system-out>\(escape(details))</system-out>\n" }
        }
        return out + "    </testcase>\n"
    }

    static func suiteTitle(_ status: StatusFile) -> String {
        status.featureName == status.feature ? status.feature : "\(status.feature): \(status.featureName)"
    }

    /// Seconds with millisecond precision: `12.345`.
    static func seconds(_ duration: Int64) -> String {
        let ms = max(0, duration)
        let whole = ms / 1000
        let fraction = String(ms % 1000)
        return "\(whole)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// XML text and attribute escaping. Characters XML 1.0 cannot carry at all (most control
    /// characters) are shown as `\u{1}`-style escapes instead of being dropped.
    static func escape(_ text: String) -> String {
        text.markupEscaped(apostrophe: "&apos;") { scalar in
            switch scalar {
            case "\r": "&#13;"
            case "\t": "&#9;"
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: "\\u{\(String(scalar.value, radix: 16))}"
            default: nil
            }
        }
    }
}
