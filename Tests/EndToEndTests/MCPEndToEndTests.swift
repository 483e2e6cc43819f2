import Foundation
import Testing

/// `exectrack mcp` (docs/mcp.md) as clients use it: driven by the official MCP Python SDK, and by
/// hand with raw JSON-RPC lines, malformed ones included.
@Suite struct MCPEndToEndTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mcp")

    func project() throws -> Project {
        let project = try Project(specs: ["F001": f001Tasks])
        #expect(try project.run(["init", "F001"]).exitCode == 0)
        return project
    }

    /// Python with the SDK, or the test is skipped saying what to install.
    func python() throws -> URL {
        let python = try Tool.python3.required()
        let probe = try runProcess(python, ["-c", "import mcp, mcp_types, jsonschema"], environment: [:], in: FileManager.default.temporaryDirectory)
        if probe.exitCode != 0 { try skipTest("the MCP Python SDK is not installed (pip install mcp jsonschema)") }
        return python
    }

    @Test func theOfficialSDKClaimsEveryTaskOnceFromTwoSessions() throws {
        let python = try python()
        let project = try project()
        let run = try runProcess(python, [Self.fixtures.appendingPathComponent("client.py").path, exectrackBinary.path, project.root.path, "F001"],
                                 environment: [:], in: project.root)
        #expect(run.exitCode == 0, "\(run.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)\n\(run.stderr)")
        #expect(summary["tools"] as? Int == 11)
        #expect(summary["claimed"] as? Int == 13, "every task claimed once, across both sessions")
        #expect((summary["by_session"] as? [Int])?.allSatisfy { $0 > 0 } == true, "both sessions got work: \(summary["by_session"] ?? "")")
        #expect(summary["protocol_version"] as? String == "2025-11-25")
        #expect((summary["notifications"] as? Int ?? 0) >= 1, "the subscribed report was announced as updated")
        #expect((summary["errors"] as? [String])?.count == 10)

        // What the files say, read apart from the server: each task started once, all done, valid.
        let status = try project.status("F001")
        #expect(status["completed_tasks"] as? Int == 13)
        let log = try String(contentsOf: project.url(".claude/execution/F001.events.jsonl"), encoding: .utf8)
        let started = log.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["type"] as? String == "dev.exectrack.task.started" }.compactMap { $0["subject"] as? String }
        #expect(started.count == 13 && Set(started).count == 13, "\(started)")
        let valid = try project.run(["validate", "F001"])
        #expect(valid.exitCode == 0, "\(valid.stdout)\(valid.stderr)")
    }

    /// Sends `lines` (the last without its newline, then end of input) and returns each line
    /// the server wrote, parsed.
    func exchange(_ project: Project, _ lines: [String]) throws -> (responses: [[String: Any]], result: RunResult) {
        try project.write("requests.jsonl", lines.joined(separator: "\n"))
        let result = try runProcess(exectrackBinary, ["mcp"], environment: [:], in: project.root, stdin: project.url("requests.jsonl"))
        let responses = try result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
        }
        return (responses, result)
    }

    func errorCode(_ response: [String: Any]) -> Int? { (response["error"] as? [String: Any])?["code"] as? Int }

    @Test func theLifecycleAndMalformedInputAsJSONRPCAndMCPSay() throws {
        let project = try project()
        let initialize = #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"1999-01-01","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}"#
        let (responses, result) = try exchange(project, [
            #"{"jsonrpc":"2.0","id":0,"method":"tools/list"}"#,
            #"{"jsonrpc":"2.0","id":"p0","method":"ping"}"#,
            #"{"jsonrpc":"2.0","id":"d0","method":"server/discover"}"#,
            initialize,
            #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            initialize.replacingOccurrences(of: #""id":1"#, with: #""id":2"#),
            "this is not JSON",
            "[]",
            "",
            #"{"jsonrpc":"1.0","id":3,"method":"ping"}"#,
            #"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
            #"{"jsonrpc":"2.0","id":4,"method":"bogus/method"}"#,
            #"{"jsonrpc":"2.0","method":"notifications/bogus"}"#,
            #"{"jsonrpc":"2.0","id":99,"result":{}}"#,
            #"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"claim","arguments":[1]}}"#,
            #"{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"exec","arguments":{}}}"#,
            #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"claim","arguments":{"spec":"F001","ttl":"forever"}}}"#,
            #"{"jsonrpc":"2.0","id":8,"method":"resources/read","params":{"uri":"file:///etc/passwd"}}"#,
            #"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"next","arguments":{"spec":"F001","limit":2}}}"#,
            #"{"jsonrpc":"2.0","id":"last","method":"ping"}"#,
        ])
        #expect(result.exitCode == 0, "clean exit at end of input")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        var byID: [String: [String: Any]] = [:]
        for response in responses {
            #expect(response["jsonrpc"] as? String == "2.0")
            byID["\(response["id"] ?? "none")"] = response
        }
        // Sixteen requests and malformed lines are answered; notifications, a response and the blank line are not.
        #expect(responses.count == 16, "\(responses)")
        #expect(errorCode(byID["d0"]!) == -32601, "a newer revision's probe is an unknown method, initialized or not")
        #expect(errorCode(byID["0"]!) == -32600, "tools/list before initialize")
        #expect(byID["p0"]?["result"] != nil, "ping is answered before initialize")
        let agreed = (byID["1"]?["result"] as? [String: Any])?["protocolVersion"] as? String
        #expect(agreed == "2025-11-25", "an unknown version gets the server's newest")
        #expect(errorCode(byID["2"]!) == -32600, "a second initialize")
        let nullIDs = responses.filter { $0["id"] is NSNull }.compactMap(errorCode)
        #expect(nullIDs.sorted() == [-32700, -32600, -32600].sorted(), "not JSON, a batch, a null id: \(nullIDs)")
        #expect(errorCode(byID["3"]!) == -32600, "jsonrpc 1.0")
        #expect(errorCode(byID["4"]!) == -32601)
        #expect(errorCode(byID["5"]!) == -32602, "arguments that are not an object")
        #expect(errorCode(byID["6"]!) == -32602, "an unknown tool is a protocol error")
        let refused = try #require(byID["7"]?["result"] as? [String: Any])
        #expect(refused["isError"] as? Bool == true, "a bad ttl is a tool error the model can read")
        #expect(((refused["content"] as? [[String: Any]])?.first?["text"] as? String)?.contains("ttl must be a duration") == true)
        #expect(errorCode(byID["8"]!) == -32002, "a resource that is not a report")
        let next = try #require((byID["9"]?["result"] as? [String: Any])?["structuredContent"] as? [String: Any])
        #expect((next["tasks"] as? [[String: Any]])?.count == 2)
        #expect(byID["last"]?["result"] != nil, "the request cut off by the end of input is answered")
        // The refused claim changed nothing.
        #expect(try project.status("F001")["completed_tasks"] as? Int == 0)
        #expect(!(try String(contentsOf: project.statusURL("F001"), encoding: .utf8)).contains("in_progress"))
    }

    /// A server kept open: another process's writes between two calls are seen by the next call,
    /// and the server holds no lock while it waits (the command's lock wait is one second).
    @Test func everyCallReadsTheFileAfreshAndNoLockIsHeldBetweenCalls() throws {
        let project = try project()
        let process = Process()
        process.executableURL = exectrackBinary
        process.arguments = ["mcp"]
        process.currentDirectoryURL = project.root
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_CONFIG_HOME"] = emptyConfigDirectory.path
        environment.removeValue(forKey: "EXECTRACK_ROOT")
        process.environment = environment
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var buffer = Data()
        func call(_ line: String) throws -> [String: Any] {
            input.fileHandleForWriting.write(Data((line + "\n").utf8))
            while !buffer.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                try #require(!chunk.isEmpty, "the server closed its output")
                buffer.append(chunk)
            }
            let end = buffer.firstIndex(of: UInt8(ascii: "\n"))!
            let line = buffer[buffer.startIndex..<end]
            buffer.removeSubrange(buffer.startIndex...end)
            return try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        }
        func tasks(_ response: [String: Any]) -> [String] {
            (((response["result"] as? [String: Any])?["structuredContent"] as? [String: Any])?["tasks"] as? [[String: Any]] ?? [])
                .compactMap { $0["description"] as? String }
        }
        _ = try call(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{}}}"#)
        let before = tasks(try call(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"next","arguments":{"spec":"F001"}}}"#))
        #expect(before.contains("Setup database schema"))
        let cli = try project.run(["update", "F001", "L0", "0", "complete"], environment: ["EXECTRACK_LOCK_TIMEOUT": "1"])
        #expect(cli.exitCode == 0, "\(cli.stderr)")
        let after = tasks(try call(#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"next","arguments":{"spec":"F001"}}}"#))
        #expect(!after.contains("Setup database schema"), "the task the CLI completed is no longer offered: \(after)")
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
