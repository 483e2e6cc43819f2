import ExecutionCore
import ExecutionTracking

enum McpCommand: Subcommand {
    static let name = "mcp"
    static let spec = CommandSpec(
        name: name,
        summary: "Serve the tracker to agents as MCP tools over stdio (JSON-RPC, one message per line)",
        discussion: """
        A Model Context Protocol server for Claude Code and other MCP clients (docs/mcp.md): tools
        list, next, claim, update, error, heartbeat, usage, gate, report, metrics and agents, and
        each spec's report as a resource (exectrack://spec/<SPEC>/report) with change notifications.
        Register it with: exectrack setup mcp. No tool runs a command. Reads stdin until it ends;
        writes only protocol messages to stdout. Leases taken through it name the client and this
        connection's session ($EXECTRACK_SESSION_ID when set).
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let hex = String(UInt64.random(in: .min ... .max), radix: 16)
        let session = Console.environment("EXECTRACK_SESSION_ID").flatMap { $0.isEmpty ? nil : $0 }
            ?? "mcp-" + String(repeating: "0", count: 16 - hex.count) + hex
        var server = MCPServer(tracker: context.tracker, version: CommandLineInterface.version, session: session)
        return server.serve()
    }
}
