import FirewallModel

/// Translates `-j TARGET [options]` into an action.
///
/// Verdicts, `RETURN`, marks and address translation are modelled; targets that only observe or
/// annotate the packet (`LOG`, `CT`, `TCPMSS`, …) continue; targets that hand the verdict to
/// something else (`NFQUEUE`, `SYNPROXY`, unknown extensions) are opaque verdicts.
struct TargetParser {
    let name: Token
    let arguments: [Token]
    let family: AddressFamily
    let source: String
    let line: Int
    private(set) var diagnostics: [Diagnostic] = []

    init(name: Token, arguments: [Token], family: AddressFamily, source: String, line: Int) {
        self.name = name
        self.arguments = arguments
        self.family = family
        self.source = source
        self.line = line
    }

    /// The built-in verdicts, which take precedence over chain names.
    mutating func standardAction() throws(IptablesLoadingError) -> Action? {
        switch name.text {
        case "ACCEPT":
            _ = try options([:])
            return .verdict(.accept)
        case "DROP":
            _ = try options([:])
            return .verdict(.drop)
        case "REJECT":
            _ = try options(["--reject-with": 1])
            return .verdict(.reject)
        case "RETURN":
            _ = try options([:])
            return .return
        default:
            return nil
        }
    }

    /// Target extensions; nil when the name is not a known extension.
    mutating func extensionAction() throws(IptablesLoadingError) -> Action? {
        let target = name.text
        if target == "NOTRACK" || (target == "CT" && arguments.contains { $0.text == "--notrack" }) { return .notrack }
        if Action.continuingTargets.contains(target) { return .continue(target) }
        if Action.externalVerdictTargets.contains(target) {
            diagnostics.append(Diagnostic(.warning, "target '\(target)' is not modelled; its verdict is treated as unknown", at: ruleLocation))
            return .opaqueVerdict(target)
        }
        switch target {
        case "MARK": return try mark()
        case "CONNMARK": return try connectionMark()
        case "DNAT", "SNAT": return try addressTranslation()
        case "MASQUERADE":
            let given = try options(["--to-ports": 1, "--random": 0, "--random-fully": 0])
            if let ports = given.first(where: { $0.name.text == "--to-ports" })?.values.first {
                _ = try parse(ports) { text throws(ValueError) in try Values.portRange(text, separator: "-") }
            }
            return .nat(.masquerade)
        case "REDIRECT":
            let given = try options(["--to-ports": 1, "--random": 0])
            var ports: PortSet?
            if let value = given.first(where: { $0.name.text == "--to-ports" })?.values.first {
                ports = PortSet(try parse(value) { text throws(ValueError) in try Values.portRange(text, separator: "-") })
            }
            return .nat(.redirect(ports: ports))
        default:
            return nil
        }
    }

    // MARK: Marks

    private static let markModes: [String: Int] = [
        "--set-mark": 1, "--set-xmark": 1, "--and-mark": 1, "--or-mark": 1, "--xor-mark": 1,
    ]

    /// `MARK`: every mode is expressed as `mark = (mark & ~mask) ^ value`, as the kernel's xmark does.
    private mutating func mark() throws(IptablesLoadingError) -> Action {
        let given = try options(TargetParser.markModes)
        let (value, mask) = try markOperation(given, modes: TargetParser.markModes)
        return .setMark(value: value, mask: mask)
    }

    /// `CONNMARK`: `--set-*`/`--and-mark`/`--or-mark`/`--xor-mark` set the connection mark the same way
    /// as `MARK`; `--save-mark` and `--restore-mark` copy between packet and connection mark.
    private mutating func connectionMark() throws(IptablesLoadingError) -> Action {
        let spec = TargetParser.markModes.merging(["--save-mark": 0, "--restore-mark": 0, "--mask": 1, "--nfmask": 1, "--ctmask": 1]) { $1 }
        let given = try options(spec)
        let modes = given.filter { TargetParser.markModes[$0.name.text] != nil || $0.name.text == "--save-mark" || $0.name.text == "--restore-mark" }
        guard modes.count == 1 else {
            throw error(modes.isEmpty ? "CONNMARK needs --set-mark, --set-xmark, --save-mark or --restore-mark" : "CONNMARK takes one mode", at: modes.dropFirst().first?.name ?? name)
        }
        let mode = modes[0].name.text
        if mode == "--save-mark" || mode == "--restore-mark" {
            for option in given where ["--mask", "--nfmask", "--ctmask"].contains(option.name.text) {
                let mask = try parse(option.values[0]) { text throws(ValueError) in try Values.mark(text) }
                if mask != .max {
                    diagnostics.append(Diagnostic(.warning, "CONNMARK \(option.name.text) is not modelled; \(mode) is treated as copying the whole mark", at: ruleLocation))
                }
            }
            return .connectionMark(mode == "--save-mark" ? .save : .restore)
        }
        if let mask = given.first(where: { ["--mask", "--nfmask", "--ctmask"].contains($0.name.text) }) {
            throw error("option '\(mask.name.text)' only applies to --save-mark and --restore-mark", at: mask.name)
        }
        let (value, mask) = try markOperation(given, modes: TargetParser.markModes)
        return .connectionMark(.set(value: value, mask: mask))
    }

    /// The single mark operation among `given`, as an xmark `(value, mask)` pair.
    private func markOperation(_ given: [TargetOption], modes: [String: Int]) throws(IptablesLoadingError) -> (UInt32, UInt32) {
        let chosen = given.filter { modes[$0.name.text] != nil }
        guard chosen.count == 1 else {
            throw error(chosen.isEmpty ? "\(name.text) needs --set-mark, --set-xmark, --and-mark, --or-mark or --xor-mark" : "\(name.text) takes one mark operation",
                        at: chosen.dropFirst().first?.name ?? name)
        }
        let option = chosen[0]
        let value = option.values[0]
        switch option.name.text {
        case "--set-xmark":
            let mark = try parse(value) { text throws(ValueError) in try Values.markAndMask(text) }
            return (mark.value, mark.mask)
        case "--set-mark":
            // iptables turns `--set-mark V/M` into xmark V/(M|V): the bits of V are set, not toggled.
            let mark = try parse(value) { text throws(ValueError) in try Values.markAndMask(text) }
            return (mark.value, mark.mask | mark.value)
        case "--and-mark":
            let bits = try parse(value) { text throws(ValueError) in try Values.mark(text) }
            return (0, ~bits)
        case "--or-mark":
            let bits = try parse(value) { text throws(ValueError) in try Values.mark(text) }
            return (bits, bits)
        default: // --xor-mark
            let bits = try parse(value) { text throws(ValueError) in try Values.mark(text) }
            return (bits, 0)
        }
    }

    // MARK: Address translation

    private func addressTranslation() throws(IptablesLoadingError) -> Action {
        let isDestination = name.text == "DNAT"
        let optionName = isDestination ? "--to-destination" : "--to-source"
        let given = try options([optionName: 1, "--random": 0, "--random-fully": 0, "--persistent": 0])
        let targets = given.filter { $0.name.text == optionName }
        guard !targets.isEmpty else { throw error("\(name.text) needs \(optionName)", at: name) }
        var addresses: AddressSet?
        var ports: PortSet?
        for option in targets {
            let parsed = try parse(option.values[0]) { text throws(ValueError) in try Values.natTarget(text, family: family) }
            if let more = parsed.addresses { addresses = (addresses ?? AddressSet()).union(more) }
            if let more = parsed.ports { ports = (ports ?? PortSet()).union(more) }
        }
        return .nat(isDestination ? .destination(address: addresses, ports: ports) : .source(address: addresses, ports: ports))
    }

    // MARK: Options

    /// Groups the target's words as `--option value…` and checks them against `spec` (option → value count).
    private func options(_ spec: [String: Int]) throws(IptablesLoadingError) -> [TargetOption] {
        var grouped: [TargetOption] = []
        for token in arguments {
            if token.isBang { throw error("target options cannot be negated", at: token) }
            if !token.quoted, token.text.hasPrefix("--") {
                guard spec[token.text] != nil else {
                    throw error("unknown option '\(token.text)' for target '\(name.text)'", at: token)
                }
                grouped.append(TargetOption(name: token, values: []))
            } else if let last = grouped.last, last.values.count < spec[last.name.text] ?? 0 {
                grouped[grouped.count - 1].values.append(token)
            } else {
                throw error("unexpected word '\(token.text)'", at: token)
            }
        }
        for option in grouped where option.values.count < spec[option.name.text] ?? 0 {
            throw error("option '\(option.name.text)' needs a value", at: option.name)
        }
        return grouped
    }

    private var ruleLocation: SourceLocation { SourceLocation(source: source, line: line) }

    private func parse<T>(_ token: Token, _ body: (String) throws(ValueError) -> T) throws(IptablesLoadingError) -> T {
        do {
            return try body(token.text)
        } catch {
            throw self.error(error.message, at: token)
        }
    }

    private func error(_ message: String, at token: Token) -> IptablesLoadingError {
        IptablesLoadingError(location: SourceLocation(source: source, line: line, column: token.column), message: message)
    }
}

/// One `--option value…` group after `-j TARGET`.
struct TargetOption {
    var name: Token
    var values: [Token]
}
