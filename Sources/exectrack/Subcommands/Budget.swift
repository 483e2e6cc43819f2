import ExecutionCore
import ExecutionTracking

enum BudgetCommand: Subcommand {
    static let usd = Option<Double?>.decimal("--usd", "X", "set the budget, in dollars", in: 0...1_000_000_000, noun: "a number of dollars")
    static let clear = Option<Bool>.flag("--clear", "remove the budget")
    static let json = Option<Bool>.flag("--json", "print the budget and spend as JSON")

    static let name = "budget"
    static let spec = CommandSpec(
        name: name,
        summary: "Show or set a spec's budget in dollars",
        positionals: [.spec],
        options: [usd.spec, clear.spec, json.spec],
        discussion: """
        Without options, shows the budget and the known spend (docs/usage.md). The first time the
        spend goes over the budget, the event budget.exceeded is logged (notification rules can
        act on it); setting a budget already exceeded logs it at once.
        """)

    static func run(_ arguments: ParsedArguments, _ context: Context) throws(TrackerError) -> Int32 {
        let spec = try context.spec(arguments)
        let amount = try arguments.read(usd)
        let clearing = try arguments.read(clear)
        if amount != nil, clearing { throw TrackerError(.usage, "give --usd X or --clear, not both") }
        let status = amount != nil || clearing
            ? try context.tracker.setBudget(spec, usd: amount)
            : try context.tracker.store.load(context.tracker.store.resolve(spec))
        if try arguments.read(json) {
            Console.out(JSONWriter.encode(UsageText.budgetJSON(status)))
        } else {
            for line in UsageText.budgetLines(status) { Console.line(line) }
        }
        return 0
    }
}
