import ExecutionCore
import ExecutionTracking

/// `exectrack help --json`: every command with its arguments and options, for tools (the tests
/// build their command lines from it, so a new command cannot be left out of them).
enum CommandTable {
    static var json: JSONValue {
        .array(CommandLineInterface.subcommands.map { command in
            let spec = command.spec
            var o = JSONObject()
            o.append("name", .string(spec.name))
            o.append("aliases", .strings(spec.aliases))
            o.append("summary", .string(spec.summary))
            o.append("positionals", .array(spec.positionals.map { p in
                var positional = JSONObject()
                positional.append("name", .string(p.name))
                positional.append("required", .bool(p.required))
                positional.append("kind", .string(p.kind.name))
                positional.append("choices", .strings(p.kind.choices))
                return .object(positional)
            }))
            o.append("options", .array(spec.allOptions.map { option in
                var entry = JSONObject()
                entry.append("name", .string(option.name))
                entry.append("value", .optional(option.valueName))
                entry.append("value_optional", .bool(option.valueIsOptional))
                entry.append("required", .bool(option.required))
                entry.append("kind", .optional(option.kind?.name))
                entry.append("choices", .strings(option.kind?.choices ?? []))
                return .object(entry)
            }))
            return .object(o)
        })
    }
}
