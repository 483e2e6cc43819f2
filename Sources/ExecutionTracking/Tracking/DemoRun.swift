import ExecutionCore

/// `exectrack demo`: a realistic run of the F001 spec in examples/specs/F001 in a scratch project, with real
/// (shortened) task durations, one error and its retry, and a report after every layer.
public struct DemoRun {
    /// The same text as `examples/specs/F001/layered-tasks.md` (a test keeps them equal).
    public static let tasksMarkdown = """
# Feature: AI Chat Interface

Layered implementation plan for F001. Each layer starts when the one before it is complete.

## Layer 0: Infrastructure
- Setup database schema (`/db:migrate chat`, db-agent, easy)
- Initialize API structure (`/api:scaffold chat`, backend-agent, easy)

## Layer 1: Core Services
- Implement message storage service (`/implement:service messages`, backend-agent, medium)
- Implement conversation service (`/implement:service conversations`, backend-agent, medium)
- Integrate LLM provider client (`/implement:client llm`, ai-agent, hard)
- Add streaming response handler (`/implement:stream chat`, backend-agent, hard)
- Add authentication middleware (`/implement:middleware auth`, security-agent, medium)

## Layer 2: Features
- Build chat window component (`/ui:component ChatWindow`, frontend-agent, medium)
- Build message list with streaming (`/ui:component MessageList`, frontend-agent, hard)
- Add conversation history sidebar (`/ui:component HistorySidebar`, frontend-agent, medium)
- Add markdown and code rendering (`/ui:component MessageContent`, frontend-agent, easy)

## Layer 3: Integration
- Write end-to-end chat tests (`/testing:e2e chat`, test-agent, medium)
- Wire up deployment configuration (`/deploy:configure chat`, devops-agent, easy)

"""

    public let tracker: Tracker
    /// Base time a task takes, in milliseconds; harder tasks take two or three times as long.
    public let paceMs: Int
    public let sleep: (Int) -> Void
    public let emit: (String) -> Void

    public init(tracker: Tracker, paceMs: Int, sleep: @escaping (Int) -> Void, emit: @escaping (String) -> Void) {
        self.tracker = tracker
        self.paceMs = paceMs
        self.sleep = sleep
        self.emit = emit
    }

    /// Sets up the project under the tracker's root and runs the whole lifecycle.
    public func run() throws(TrackerError) {
        let spec = try SpecID("F001")
        try tracker.store.writeProjectFile("specs/F001/layered-tasks.md", Self.tasksMarkdown)
        try tracker.store.writeProjectFile(".claude/.keep", "")
        emit("$ exectrack init F001")
        let initial = try tracker.initialize(spec, tasksFile: nil, force: false).status
        emit("Initialized .claude/execution/F001.json: \(initial.totalTasks) tasks in \(initial.layers.count) layers\n")

        for layer in initial.layers {
            emit("── \(layer.key) \(layer.name): \(layer.tasks.count) tasks")
            for task in layer.tasks {
                try work(spec, layer: layer.key, task: task)
            }
            emit("$ exectrack complete-layer F001 \(layer.key)")
            _ = try tracker.completeLayer(spec, layer: layer.key, force: false)
            emit("$ exectrack report F001")
            emit(ProgressReport.text(try tracker.snapshot(spec)))
        }
    }

    private func work(_ spec: SpecID, layer: String, task: ExecutionTask) throws(TrackerError) {
        let index = String(task.index)
        emit("$ exectrack update F001 \(layer) \(index) in_progress    # \(task.description)")
        _ = try tracker.update(spec, layer: layer, task: index, status: "in_progress", details: TaskUpdateDetails())
        sleep(paceMs * effort(task.complexity))
        // One error and its retry: a timeout in L1, logged, then retried successfully.
        if layer == "L1" && task.index == 3 && task.attempts == 0 {
            let message = "Database connection timeout"
            emit("$ exectrack error F001 L1 3 \"\(message)\" --severity high")
            _ = try tracker.logError(spec, layer: layer, task: index, message: message, severity: .high,
                                     category: nil, recovery: nil)
            emit("$ exectrack report F001    # mid-layer, after the error")
            emit(ProgressReport.text(try tracker.snapshot(spec)))
            emit("$ exectrack update F001 L1 3 in_progress    # retry")
            _ = try tracker.update(spec, layer: layer, task: index, status: "in_progress", details: TaskUpdateDetails())
            sleep(paceMs * effort(task.complexity))
        }
        emit("$ exectrack update F001 \(layer) \(index) complete")
        _ = try tracker.update(spec, layer: layer, task: index, status: "complete",
                               details: TaskUpdateDetails(output: "done by \(task.agent ?? "agent")"))
    }

    private func effort(_ complexity: String?) -> Int {
        switch complexity?.lowercased() {
        case "hard", "complex": 3
        case "medium", "moderate", "mid": 2
        default: 1
        }
    }
}
