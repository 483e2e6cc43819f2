// Prices per token (docs/usage.md, "Prices"): LiteLLM's `model_prices_and_context_window` shape,
// read from `.claude/exectrack/pricing.json` when there is one, else from the small dated table
// below. A model without a price keeps its tokens and gets no cost: a guessed price would be
// read as a fact.

/// The rates of one model in one tier, in US dollars per token.
public struct TokenRates: Equatable, Sendable {
    public var input: Double
    public var output: Double
    /// 5-minute cache writes (`cache_creation_input_token_cost`).
    public var cacheWrite: Double?
    /// 1-hour cache writes (`cache_creation_input_token_cost_above_1hr`).
    public var cacheWrite1h: Double?
    public var cacheRead: Double?
}

/// A model's prices: its base rates, and those that apply to a request whose prompt (input and
/// cache tokens) is above a threshold (`…_above_200k_tokens`).
public struct ModelPrice: Equatable, Sendable {
    public var base: TokenRates
    /// Highest threshold first; a missing rate in a tier is the base rate.
    public var tiers: [(aboveTokens: Int64, rates: TokenRates)]

    public static func == (a: ModelPrice, b: ModelPrice) -> Bool {
        a.base == b.base && a.tiers.map(\.aboveTokens) == b.tiers.map(\.aboveTokens) && a.tiers.map(\.rates) == b.tiers.map(\.rates)
    }

    /// The cost of one request, or nil when it has tokens of a kind this model has no rate for.
    public func cost(of request: RequestTokens) -> Double? {
        let prompt = request.input.addingSaturated(request.cacheWrite5m).addingSaturated(request.cacheWrite1h)
            .addingSaturated(request.cacheRead)
        let rates = tiers.first { prompt > $0.aboveTokens }?.rates ?? base
        func part(_ tokens: Int64, _ rate: Double?) -> Double? {
            tokens == 0 ? 0 : rate.map { Double(tokens) * $0 }
        }
        guard let input = part(request.input, rates.input), let output = part(request.output, rates.output),
              let write = part(request.cacheWrite5m, rates.cacheWrite), let write1h = part(request.cacheWrite1h, rates.cacheWrite1h),
              let read = part(request.cacheRead, rates.cacheRead) else { return nil }
        return input + output + write + write1h + read
    }
}

/// The tokens of one model request, as priced: cache writes split by how long they live.
public struct RequestTokens: Equatable, Sendable {
    public var input: Int64 = 0
    public var output: Int64 = 0
    public var cacheWrite5m: Int64 = 0
    public var cacheWrite1h: Int64 = 0
    public var cacheRead: Int64 = 0

    public init(input: Int64 = 0, output: Int64 = 0, cacheWrite5m: Int64 = 0, cacheWrite1h: Int64 = 0, cacheRead: Int64 = 0) {
        self.input = input
        self.output = output
        self.cacheWrite5m = cacheWrite5m
        self.cacheWrite1h = cacheWrite1h
        self.cacheRead = cacheRead
    }

    public var cacheWrite: Int64 { cacheWrite5m.addingSaturated(cacheWrite1h) }
}

/// Models and their prices, with where they came from (a path, or the built-in table's date).
public struct PriceTable: Sendable {
    public var source: String
    var prices: [String: ModelPrice]

    /// The price of `model` as named, or under LiteLLM's `anthropic/` prefix; no other guess.
    public func price(of model: String) -> ModelPrice? {
        prices[model] ?? prices["anthropic/" + model]
    }

    public var count: Int { prices.count }

    /// The cost fields read, each also with an `_above_<N>k_tokens` suffix; others are ignored.
    static let rateFields = ["input_cost_per_token", "output_cost_per_token", "cache_creation_input_token_cost",
                             "cache_creation_input_token_cost_above_1hr", "cache_read_input_token_cost"]

    /// A LiteLLM price file: an object of models, each an object. A cost field this reads that is
    /// not a number of zero or more fails, naming the model and field; entries without both an
    /// input and an output rate price nothing.
    public static func parse(_ bytes: [UInt8], source: String) -> Result<PriceTable, FieldProblem> {
        guard let json = try? JSONParser.parse(bytes) else { return .failure(FieldProblem("is not JSON")) }
        guard let models = json.objectValue else { return .failure(FieldProblem("expected an object of models at the top level")) }
        var prices: [String: ModelPrice] = [:]
        for (name, value) in models.entries {
            guard let entry = value.objectValue else {
                return .failure(FieldProblem("expected an object of prices", field: name))
            }
            var base: [String: Double] = [:]
            var tiers: [Int64: [String: Double]] = [:]
            for (key, raw) in entry.entries {
                guard let (field, threshold) = rateField(key) else { continue }
                if threshold == 0 {
                    return .failure(FieldProblem("expected _above_<N>k_tokens with N a whole number of thousands from 1 to 10^9",
                                                 field: "\(name).\(key)"))
                }
                guard case .number(let number) = raw, let rate = number.double, rate.isFinite,
                      (0...UsageLimits.maxDollarsPerToken).contains(rate) else {
                    return .failure(FieldProblem("expected a number of dollars per token from 0 to 1, found \(JSONWriter.encode(raw, style: .compact).prefix(40))",
                                                 field: "\(name).\(key)"))
                }
                if let threshold { tiers[threshold, default: [:]][field] = rate } else { base[field] = rate }
            }
            guard let baseRates = rates(base, over: nil) else { continue }
            prices[name] = ModelPrice(base: baseRates, tiers: tiers.keys.sorted(by: >).compactMap { threshold in
                rates(tiers[threshold]!, over: baseRates).map { (threshold, $0) }
            })
        }
        return .success(PriceTable(source: source, prices: prices))
    }

    /// `cache_read_input_token_cost_above_200k_tokens` → (`cache_read_input_token_cost`, 200,000);
    /// a tier whose N is not a whole number of thousands from 1 to 10^9 has threshold 0.
    private static func rateField(_ key: String) -> (String, Int64?)? {
        if rateFields.contains(key) { return (key, nil) }
        guard key.hasSuffix("k_tokens") else { return nil }
        var malformed: String?
        for field in rateFields where key.hasPrefix(field + "_above_") {
            let digits = key.dropFirst(field.count + "_above_".count).dropLast("k_tokens".count)
            if let thousands = Int64(digits), (1...1_000_000_000).contains(thousands) { return (field, thousands * 1000) }
            // `…_above_1hr_above_200k_tokens` also starts with `…_above_`: only digits make a bad tier.
            if !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) { malformed = field }
        }
        return malformed.map { ($0, 0) }
    }

    private static func rates(_ fields: [String: Double], over base: TokenRates?) -> TokenRates? {
        guard let input = fields["input_cost_per_token"] ?? base?.input,
              let output = fields["output_cost_per_token"] ?? base?.output else { return nil }
        return TokenRates(input: input, output: output,
                          cacheWrite: fields["cache_creation_input_token_cost"] ?? base?.cacheWrite,
                          cacheWrite1h: fields["cache_creation_input_token_cost_above_1hr"] ?? base?.cacheWrite1h,
                          cacheRead: fields["cache_read_input_token_cost"] ?? base?.cacheRead)
    }

    /// The table shipped with the tool: Anthropic's current models as LiteLLM 1.110.2 priced
    /// them (2026-12-07). `.claude/exectrack/pricing.json` replaces it.
    public static let builtIn: PriceTable = {
        guard case .success(let table) = parse(Array(builtInJSON.utf8), source: builtInSource) else {
            preconditionFailure("the built-in price table does not parse")
        }
        return table
    }()

    public static let builtInSource = "the built-in price table (LiteLLM 1.110.2, 2026-12-07)"

    static let builtInJSON = """
    {
      "claude-fable-5": {"input_cost_per_token": 1e-05, "output_cost_per_token": 5e-05, "cache_creation_input_token_cost": 1.25e-05, "cache_creation_input_token_cost_above_1hr": 2e-05, "cache_read_input_token_cost": 1e-06},
      "claude-fable-5-1": {"input_cost_per_token": 1e-05, "output_cost_per_token": 5e-05, "cache_creation_input_token_cost": 1.25e-05, "cache_creation_input_token_cost_above_1hr": 2e-05, "cache_read_input_token_cost": 2.5e-07},
      "claude-haiku-4-5": {"input_cost_per_token": 1e-06, "output_cost_per_token": 5e-06, "cache_creation_input_token_cost": 1.25e-06, "cache_creation_input_token_cost_above_1hr": 2e-06, "cache_read_input_token_cost": 1e-07},
      "claude-haiku-4-5-20251001": {"input_cost_per_token": 1e-06, "output_cost_per_token": 5e-06, "cache_creation_input_token_cost": 1.25e-06, "cache_creation_input_token_cost_above_1hr": 2e-06, "cache_read_input_token_cost": 1e-07},
      "claude-haiku-5-5": {"input_cost_per_token": 1e-07, "output_cost_per_token": 5e-07, "cache_creation_input_token_cost": 1.25e-07, "cache_creation_input_token_cost_above_1hr": 2e-07, "cache_read_input_token_cost": 1e-08, "cache_creation_input_token_cost_above_100k_tokens": 6.25e-07, "cache_creation_input_token_cost_above_1hr_above_100k_tokens": 1e-06, "cache_read_input_token_cost_above_100k_tokens": 5e-08, "input_cost_per_token_above_100k_tokens": 5e-07, "output_cost_per_token_above_100k_tokens": 2.5e-06},
      "claude-mythos-5": {"input_cost_per_token": 1e-05, "output_cost_per_token": 5e-05, "cache_creation_input_token_cost": 1.25e-05, "cache_creation_input_token_cost_above_1hr": 2e-05, "cache_read_input_token_cost": 1e-06},
      "claude-mythos-5-1": {"input_cost_per_token": 1e-05, "output_cost_per_token": 5e-05, "cache_creation_input_token_cost": 1.25e-05, "cache_creation_input_token_cost_above_1hr": 2e-05, "cache_read_input_token_cost": 2.5e-07},
      "claude-mythos-preview": {"input_cost_per_token": 1e-05, "output_cost_per_token": 5e-05, "cache_creation_input_token_cost": 1.25e-05, "cache_creation_input_token_cost_above_1hr": 2e-05, "cache_read_input_token_cost": 1e-06},
      "claude-opus-4-5": {"input_cost_per_token": 5e-06, "output_cost_per_token": 2.5e-05, "cache_creation_input_token_cost": 6.25e-06, "cache_creation_input_token_cost_above_1hr": 1e-05, "cache_read_input_token_cost": 5e-07},
      "claude-opus-4-5-20251101": {"input_cost_per_token": 5e-06, "output_cost_per_token": 2.5e-05, "cache_creation_input_token_cost": 6.25e-06, "cache_creation_input_token_cost_above_1hr": 1e-05, "cache_read_input_token_cost": 5e-07},
      "claude-opus-4-6": {"input_cost_per_token": 5e-06, "output_cost_per_token": 2.5e-05, "cache_creation_input_token_cost": 6.25e-06, "cache_creation_input_token_cost_above_1hr": 1e-05, "cache_read_input_token_cost": 5e-07},
      "claude-opus-4-6-20260205": {"input_cost_per_token": 5e-06, "output_cost_per_token": 2.5e-05, "cache_creation_input_token_cost": 6.25e-06, "cache_creation_input_token_cost_above_1hr": 1e-05, "cache_read_input_token_cost": 5e-07},
      "claude-opus-4-7": {"input_cost_per_token": 5e-06, "output_cost_per_token": 2.5e-05, "cache_creation_input_token_cost": 6.25e-06, "cache_creation_input_token_cost_above_1hr": 1e-05, "cache_read_input_token_cost": 5e-07},
      "claude-opus-4-7-20260416": {"input_cost_per_token": 5e-06, "output_cost_per_token": 2.5e-05, "cache_creation_input_token_cost": 6.25e-06, "cache_creation_input_token_cost_above_1hr": 1e-05, "cache_read_input_token_cost": 5e-07},
      "claude-opus-4-8": {"input_cost_per_token": 5e-06, "output_cost_per_token": 2.5e-05, "cache_creation_input_token_cost": 6.25e-06, "cache_creation_input_token_cost_above_1hr": 1e-05, "cache_read_input_token_cost": 5e-07},
      "claude-opus-5": {"input_cost_per_token": 5e-06, "output_cost_per_token": 2.5e-05, "cache_creation_input_token_cost": 6.25e-06, "cache_creation_input_token_cost_above_1hr": 1e-05, "cache_read_input_token_cost": 5e-07},
      "claude-opus-5-5": {"input_cost_per_token": 4e-06, "output_cost_per_token": 2e-05, "cache_creation_input_token_cost": 5e-06, "cache_creation_input_token_cost_above_1hr": 8e-06, "cache_read_input_token_cost": 2e-07},
      "claude-sonnet-4-5": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05, "cache_creation_input_token_cost": 3.75e-06, "cache_creation_input_token_cost_above_1hr": 6e-06, "cache_read_input_token_cost": 3e-07},
      "claude-sonnet-4-5-20250929": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05, "cache_creation_input_token_cost": 3.75e-06, "cache_creation_input_token_cost_above_1hr": 6e-06, "cache_read_input_token_cost": 3e-07},
      "claude-sonnet-4-6": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05, "cache_creation_input_token_cost": 3.75e-06, "cache_creation_input_token_cost_above_1hr": 6e-06, "cache_read_input_token_cost": 3e-07},
      "claude-sonnet-5": {"input_cost_per_token": 2e-06, "output_cost_per_token": 1e-05, "cache_creation_input_token_cost": 2.5e-06, "cache_creation_input_token_cost_above_1hr": 4e-06, "cache_read_input_token_cost": 2e-07},
      "claude-sonnet-5-5": {"input_cost_per_token": 2e-06, "output_cost_per_token": 1e-05, "cache_creation_input_token_cost": 2.5e-06, "cache_creation_input_token_cost_above_1hr": 4e-06, "cache_read_input_token_cost": 1e-07}
    }
    """
}
