import FirewallModel
import FixtureSupport
import FlowAnalysis
import Foundation

/// The settings of a differential run, from the environment (`scripts/differential-campaign` sets them).
struct CampaignSettings: Sendable {
    var rulesets = 20
    var probesPerRuleset = 30
    var seed: UInt64 = 1
    /// How many disagreements to shrink (each takes seconds to a minute), and the time each may take.
    var shrinkLimit = 1
    var shrinkSeconds: Double = 40
    /// Where to write shrunk cases (nil: only report them).
    var saveDirectory: String?
    /// Generator features to leave out (`raw`, `mangle`, `ctstate`, `raw-conntrack`, `notrack`,
    /// `mark`, `connmark`, `iprange`, `user-chains`).
    var excluded: Set<String> = []
    /// Every how many rulesets one is IPv6 (0: never).
    var ipv6Every = 4
    /// How rulesets reach the kernel and fwaudit (`FWAUDIT_ORACLE_BACKEND`; the test picks it when unset).
    var backend: OracleBackend = .iptablesLegacy

    static func fromEnvironment() -> CampaignSettings {
        let environment = ProcessInfo.processInfo.environment
        var settings = CampaignSettings()
        if let value = environment["FWAUDIT_ORACLE_RULESETS"].flatMap({ Int($0) }) { settings.rulesets = value }
        // Probe ids travel in the 16-bit IPv4 identification field.
        if let value = environment["FWAUDIT_ORACLE_PROBES"].flatMap({ Int($0) }) { settings.probesPerRuleset = min(value, 60_000) }
        if let value = environment["FWAUDIT_ORACLE_SEED"].flatMap({ UInt64($0) }) { settings.seed = value }
        if let value = environment["FWAUDIT_ORACLE_SHRINK"].flatMap({ Int($0) }) { settings.shrinkLimit = value }
        if let value = environment["FWAUDIT_ORACLE_SHRINK_SECONDS"].flatMap({ Double($0) }) { settings.shrinkSeconds = value }
        if let value = environment["FWAUDIT_ORACLE_SAVE"], !value.isEmpty { settings.saveDirectory = value }
        if let value = environment["FWAUDIT_ORACLE_EXCLUDE"] {
            settings.excluded = Set(value.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
        }
        if let value = environment["FWAUDIT_ORACLE_IPV6_EVERY"].flatMap({ Int($0) }) { settings.ipv6Every = value }
        if let value = OracleBackend.selected.first, OracleBackend.selected.count == 1 { settings.backend = value }
        return settings
    }
}

/// One probe on which the kernel and fwaudit disagree.
struct Disagreement: Sendable {
    var seed: UInt64
    var rulesetIndex: Int
    var ruleset: GeneratedRuleset
    var backend: OracleBackend
    var style: NftScript.Style
    var probe: Probe
    var kernelAccepts: Bool
    var interpreterVerdict: Verdict
    var interpreterDecision: String
    var interpreterPath: PathKind
    var engineVerdict: Verdict?

    var summary: String {
        "\(backend) seed \(seed) ruleset \(rulesetIndex): \(probe): kernel \(kernelAccepts ? "accept" : "drop"), "
            + "fwaudit \(interpreterVerdict.rawValue) on the \(interpreterPath.rawValue) path (by \(interpreterDecision)), "
            + "engine \(engineVerdict?.rawValue ?? "mixed")"
    }
}

/// The outcome of comparing one ruleset's probes.
struct RulesetComparison: Sendable {
    var probes = 0
    var disagreements: [Disagreement] = []
    /// Engine verdicts that differ from the kernel (the interpreter may still agree).
    var engineDisagreements: [String] = []
    /// Things that say the harness, not fwaudit, is wrong (a probe seen on the wrong hook, a send error).
    var anomalies: [String] = []
    /// Probes whose verdict depends on unknown conditions (fwaudit allows both).
    var undecided = 0
    /// Probes conntrack dropped on confirming them because an earlier probe was translated to the
    /// same connection: left out of the comparison.
    var translationClashes = 0
    /// fwaudit's warnings about the rules under test (the observer table's aside), by kind (numbers
    /// blanked, so one kind counts once per ruleset), each with one full example: what the loaders
    /// do not model.
    var warnings: [String: String] = [:]
    /// Seconds spent in the kernel (namespaces, loading, sending) and in fwaudit (loading, interpreter, engine).
    var kernelSeconds = 0.0
    var fwauditSeconds = 0.0
}

enum Oracle {
    /// The kernel's verdicts for `probes` on `text`, in a fresh testbed; nil when iptables-restore rejects the text.
    static func kernel(_ text: String, family: AddressFamily, probes: [Probe], layout: Layout = .router) throws -> [Int: KernelObservation]? {
        try both(text, family: family, backend: .iptablesLegacy, probes: probes, layout: layout)?.observations
    }

    /// The kernel's verdicts for `probes` on `text` loaded by `backend` in a fresh testbed, and
    /// fwaudit's reading of the same (read back from the kernel before the probes are sent);
    /// nil when the loading tool rejects the text.
    static func both(_ text: String, family: AddressFamily, backend: OracleBackend, probes: [Probe], layout: Layout = .router,
                     source: String = "generated") throws -> (observations: [Int: KernelObservation], fwaudit: FwauditVerdicts)? {
        let testbed = try Testbed(layout)
        defer { testbed.close() }
        do {
            try testbed.load(text, family: family, backend: backend)
        } catch is Commands.Failure {
            return nil
        }
        let fwaudit = try testbed.fwaudit(text, family: family, backend: backend, source: source)
        return (try testbed.send(probes), fwaudit)
    }

    /// Runs `probes` through the kernel and through fwaudit and compares.
    static func compare(_ ruleset: GeneratedRuleset, probes: [Probe], seed: UInt64, index: Int, backend: OracleBackend = .iptablesLegacy,
                        style: NftScript.Style = .inet, layout: Layout = .router) throws -> RulesetComparison {
        let text = Testbed.text(ruleset, backend: backend, style: style)
        let tool = backend == .nft ? "nft -f" : backend == .iptablesNft ? "iptables-nft-restore" : "iptables-restore"
        var result = RulesetComparison()
        var clock = Date()
        func lap() -> Double { let now = Date(); defer { clock = now }; return now.timeIntervalSince(clock) }
        let testbed = try Testbed(layout)
        defer { testbed.close() }
        do {
            try testbed.load(text, family: ruleset.family, backend: backend)
        } catch {
            result.anomalies.append("\(backend) seed \(seed) ruleset \(index): \(tool) rejected the generated ruleset: \(error)\n\(text)")
            return result
        }
        result.kernelSeconds += lap()
        let fwaudit: FwauditVerdicts
        do {
            fwaudit = try testbed.fwaudit(text, family: ruleset.family, backend: backend)
        } catch {
            result.anomalies.append("\(backend) seed \(seed) ruleset \(index): fwaudit cannot load what \(tool) accepted: \(error)\n\(text)")
            return result
        }

        result.fwauditSeconds += lap()
        for diagnostic in fwaudit.ruleset.diagnostics where diagnostic.severity >= .warning
            && diagnostic.location?.detail?.contains(Testbed.observerTable) != true {
            let kind = diagnostic.message.replacingOccurrences(of: "0x[0-9a-f]+|[0-9]+", with: "#", options: .regularExpression)
            if result.warnings[kind] == nil { result.warnings[kind] = "\(diagnostic)" }
        }
        // Probes of the other family (through an inet table): fwaudit's view of the same read for that family.
        let otherFamily = FwauditVerdicts(ruleset: fwaudit.ruleset, family: ruleset.family == .ipv4 ? .ipv6 : .ipv4, layout: layout)
        let observations = try testbed.send(probes)
        testbed.close()
        result.kernelSeconds += lap()
        defer { result.fwauditSeconds += lap() }
        for probe in probes {
            let fwaudit = probe.packet.family == ruleset.family ? fwaudit : otherFamily
            let observation = observations[probe.id] ?? KernelObservation()
            let local = probe.isLocal(layout)
            if !ruleset.translates && ((local && observation.seenAtPostrouting) || (!local && observation.seenAtInput)) {
                result.anomalies.append("seed \(seed) ruleset \(index): \(probe) seen on an unexpected hook: \(observation)")
                continue
            }
            if let error = observation.sendError, probe.side != .host || error != "EPERM" {
                result.anomalies.append("seed \(seed) ruleset \(index): \(probe) could not be sent: \(error)")
                continue
            }
            if !observation.arrived && observation.sendError == nil {
                result.anomalies.append("seed \(seed) ruleset \(index): \(probe) never reached the host's netfilter hooks")
                continue
            }
            if observation.sendError != nil && observation.seenAtPostrouting && ruleset.translates {
                // Two probes translated to one connection (a protocol without ports, one target
                // address): conntrack drops the second when it confirms it, after every chain.
                // That is a collision between probes, not a verdict of the ruleset.
                result.translationClashes += 1
                continue
            }
            if observation.sendError != nil && observation.seenAtPostrouting {
                result.anomalies.append("seed \(seed) ruleset \(index): \(probe) failed with EPERM but was seen leaving")
                continue
            }
            result.probes += 1
            let kernelAccepts = probe.accepted(by: observation, layout: layout)
            // With unknown conditions on its path fwaudit allows both verdicts; it is wrong only
            // when the kernel's verdict is not among those it allows.
            let possible = fwaudit.possibleAcceptance(probe)
            if possible.count > 1 { result.undecided += 1 }
            if !possible.contains(kernelAccepts) {
                let trace = fwaudit.trace(probe)
                result.disagreements.append(Disagreement(
                    seed: seed, rulesetIndex: index, ruleset: ruleset, backend: backend, style: style, probe: probe, kernelAccepts: kernelAccepts,
                    interpreterVerdict: trace.verdict, interpreterDecision: trace.deciding?.location.description ?? "no decision",
                    interpreterPath: trace.path, engineVerdict: fwaudit.engineVerdict(probe)))
            }
            for (name, engine) in [("engine", fwaudit.engine), ("rule-by-rule engine", fwaudit.ruleByRuleEngine)] {
                let acceptance = fwaudit.engineAcceptance(probe, by: engine)
                if !acceptance.contains(kernelAccepts) || acceptance.count != possible.count {
                    result.engineDisagreements.append("seed \(seed) ruleset \(index): \(probe): kernel \(kernelAccepts ? "accept" : "drop"), \(name) \(verdictNames(acceptance)), interpreter \(verdictNames(possible))")
                }
            }
        }
        return result
    }

    /// The family of ruleset `index`.
    static func family(of index: Int, settings: CampaignSettings) -> AddressFamily {
        settings.ipv6Every > 0 && index % settings.ipv6Every == settings.ipv6Every - 1 ? .ipv6 : .ipv4
    }

    /// Ruleset `index` of a campaign and its probes: a pure function of the seed and the index.
    static func generate(index: Int, settings: CampaignSettings, layout: Layout = .router) -> (GeneratedRuleset, [Probe]) {
        var generator = RulesetGenerator(rng: SplitMix64.forRuleset(seed: settings.seed, index: index),
                                         family: family(of: index, settings: settings), layout: layout, excluded: settings.excluded)
        let ruleset = generator.ruleset()
        var probes = generator.probes(count: settings.probesPerRuleset, firstID: 1)
        if settings.backend == .nft && NftScript.style(forRuleset: index) != .perFamily {
            // An inet table filters both families: a third as many probes of the other family,
            // which only the rules without a family-specific match may decide.
            let other: AddressFamily = ruleset.family == .ipv4 ? .ipv6 : .ipv4
            var crossing = RulesetGenerator(rng: generator.rng, family: other, layout: layout, excluded: settings.excluded)
            probes += crossing.probes(count: settings.probesPerRuleset / 3, firstID: settings.probesPerRuleset + 1)
        }
        return (ruleset, probes)
    }

    // MARK: - Shrinking

    /// Whether `ruleset` still makes the kernel and the interpreter disagree on `probe`.
    static func disagrees(_ ruleset: GeneratedRuleset, probe: Probe, backend: OracleBackend, style: NftScript.Style, layout: Layout = .router) -> Bool {
        let text = Testbed.text(ruleset, backend: backend, style: style)
        guard let result = try? both(text, family: backend == .nft ? probe.packet.family : ruleset.family, backend: backend, probes: [probe], layout: layout),
              let observation = result.observations[probe.id] else { return false }
        return !result.fwaudit.possibleAcceptance(probe).contains(probe.accepted(by: observation, layout: layout))
    }

    /// Removes tables, chains, rules and matches while the disagreement stays, within `budget` seconds.
    static func shrink(_ disagreement: Disagreement, budget: TimeInterval = 120, layout: Layout = .router) -> GeneratedRuleset {
        let start = Date()
        var current = disagreement.ruleset
        var changed = true
        while changed && Date().timeIntervalSince(start) < budget {
            changed = false
            var position = 0
            while true {
                let candidates = current.reductions()
                guard position < candidates.count, Date().timeIntervalSince(start) < budget else { break }
                if disagrees(candidates[position], probe: disagreement.probe, backend: disagreement.backend, style: disagreement.style, layout: layout) {
                    current = candidates[position]
                    changed = true
                    // The list is rebuilt from the smaller ruleset; earlier positions were tried already.
                } else {
                    position += 1
                }
            }
        }
        return current
    }

    /// The regression file for a shrunk case.
    static func regressionText(_ shrunk: GeneratedRuleset, _ disagreement: Disagreement, layout: Layout = .router) -> String {
        let backend = disagreement.backend
        let text = Testbed.text(shrunk, backend: backend, style: disagreement.style)
        let family = backend == .nft ? disagreement.probe.packet.family : shrunk.family
        let fwaudit = try? both(text, family: family, backend: backend, probes: [], layout: layout, source: "case")?.fwaudit
        let trace = fwaudit?.trace(disagreement.probe)
        let engine = fwaudit?.engineVerdict(disagreement.probe)
        let header = [
            "fwaudit kernel-oracle regression: the kernel and fwaudit disagree about one packet on this ruleset.",
            "Found by the differential campaign (backend \(backend)\(backend == .nft ? ", style \(disagreement.style.rawValue)" : ""), seed \(disagreement.seed), ruleset \(disagreement.rulesetIndex)),"
                + " shrunk from \(disagreement.ruleset.ruleCount) rules to \(shrunk.ruleCount); replayed by Tests/KernelOracleTests (router layout).",
            "backend: \(backend)",
            "probe: \(disagreement.probe.line)",
            "packet: \(disagreement.probe.packet)",
            "kernel: \(disagreement.kernelAccepts ? "accept" : "drop")",
            "fwaudit: \(trace?.verdict.rawValue ?? "?") on the \(trace?.path.rawValue ?? "?") path, by \(trace?.deciding?.location.description ?? "?"); engine: \(engine?.rawValue ?? "mixed")",
        ]
        return Testbed.text(shrunk, backend: backend, style: disagreement.style, header: header)
    }

    /// Writes a shrunk case unless an identical ruleset is already saved; returns the path written.
    static func save(_ text: String, ruleset: GeneratedRuleset, backend: OracleBackend, style: NftScript.Style, name: String, directory: String) throws -> String? {
        let url = URL(fileURLWithPath: directory, relativeTo: packageRoot)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let body = Testbed.text(ruleset, backend: backend, style: style)
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        for file in existing {
            guard let content = try? String(contentsOf: url.appendingPathComponent(file), encoding: .utf8) else { continue }
            let rules = content.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n") + "\n"
            if rules == body { return nil }
        }
        let suffix = backend == .nft ? ".nft" : ruleset.family == .ipv4 ? ".v4" : ".v6"
        let file = url.appendingPathComponent(name + suffix)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }
}
