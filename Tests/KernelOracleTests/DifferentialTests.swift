import FirewallModel
import FixtureSupport
import Foundation
import Testing

/// Random rulesets, the real kernel as the oracle: every probe's verdict from fwaudit's
/// interpreter must be the kernel's. Once per backend (`OracleBackend`): iptables text read by
/// the iptables-save loader, iptables-nft rules and native nft scripts read back over netlink.
/// A fixed seed and a bounded size here; a longer campaign with `scripts/differential-campaign`
/// (the same test, sized by FWAUDIT_ORACLE_* variables, one backend by FWAUDIT_ORACLE_BACKEND).
@Suite(.serialized, .needsNetworkNamespace)
struct KernelOracleDifferential {
    /// What the campaign reports it exercised: a feature and the text that shows it in a ruleset.
    static let features: [(String, String)] = [
        ("raw", "*raw"), ("mangle", "*mangle"), ("user chains", ":u1 -"), ("-g", " -g u"), ("RETURN", "-j RETURN"),
        ("REJECT", "-j REJECT"), ("negation", "! -"), ("multiport", "-m multiport"), ("iprange", "-m iprange"),
        ("ctstate", "--ctstate"), ("state", "--state"), ("--syn/--tcp-flags", "--syn"), ("icmp types", "-type"),
        ("-i", "-i "), ("-o", "-o "), ("MARK", "-j MARK"), ("mark", "-m mark"), ("CONNMARK", "-j CONNMARK"),
        ("connmark", "-m connmark"), ("notrack", "otrack"), ("LOG", "-j LOG"), ("limit", "-m limit"), ("hashlimit", "-m hashlimit"),
        ("connlimit", "-m connlimit"), ("recent", "-m recent"), ("quota", "-m quota"), ("DNAT", "-j DNAT"), ("REDIRECT", "-j REDIRECT"),
        ("SNAT", "-j SNAT"), ("MASQUERADE", "-j MASQUERADE"), ("--ctstate DNAT", "--ctstate DNAT"), ("--ctstate SNAT", "--ctstate SNAT"),
    ]

    /// What the nft scripts exercise, the same way.
    static let nftFeatures: [(String, String)] = [
        ("inet table", "table inet "), ("ip/ip6 tables", "table ip"), ("named port sets", "@ports"), ("named address sets", "@addresses"), ("adjacent intervals", "_adjacent"), ("overlapping intervals", "auto-merge;"), ("address verdict maps", "addr vmap"), ("anonymous sets", "{ "),
        ("verdict maps", " vmap "), ("concatenations", " . "), ("iif/oif by index", "if \""), ("iifname/oifname", "name "),
        ("jump", "jump "), ("goto", "goto "), ("return", "return"), ("ct state", "ct state"), ("meta mark", "meta mark"),
        ("ct mark", "ct mark"), ("notrack", "notrack"), ("reject", "reject"), ("log", "log prefix"), ("route chain", "type route"),
        ("limit rate", "limit rate"), ("limit rate over", "limit rate over"), ("meter", "meter "), ("set update with a limit", "add @"),
        ("ct count", "ct count"), ("quota", "quota "), ("dnat", "dnat "), ("redirect", "redirect"), ("snat", "snat "),
        ("masquerade", "masquerade"), ("ct status", "ct status"),
    ]

    @Test(arguments: OracleBackend.selected)
    func randomRulesetsAgreeWithTheKernel(_ backend: OracleBackend) throws {
        guard OracleGate.ready() else { return }
        var settings = CampaignSettings.fromEnvironment()
        settings.backend = backend
        let start = Date()
        var probes = 0
        var disagreements: [Disagreement] = []
        var engineDisagreements: [String] = []
        var anomalies: [String] = []
        var disagreeingRulesets = 0, undecided = 0, clashes = 0
        var kernelSeconds = 0.0, fwauditSeconds = 0.0
        var coverage: [String: Int] = [:]
        var warnings: [String: (count: Int, example: String)] = [:]
        for index in 0..<settings.rulesets {
            let (ruleset, rulesetProbes) = Oracle.generate(index: index, settings: settings)
            let style = NftScript.style(forRuleset: index)
            let text = Testbed.text(ruleset, backend: backend, style: style)
            let features = backend == .nft ? KernelOracleDifferential.nftFeatures : KernelOracleDifferential.features
            for (feature, needle) in features where text.contains(needle) { coverage[feature, default: 0] += 1 }
            let comparison = try Oracle.compare(ruleset, probes: rulesetProbes, seed: settings.seed, index: index, backend: backend, style: style)
            if let needle = ProcessInfo.processInfo.environment["FWAUDIT_ORACLE_DUMP"], needle.isEmpty || text.contains(needle) {
                print("kernel oracle: ruleset \(index) (\(ruleset.family)):\n\(text)" + rulesetProbes.map { "  probe \($0)" }.joined(separator: "\n"))
            }
            probes += comparison.probes
            disagreements += comparison.disagreements
            engineDisagreements += comparison.engineDisagreements
            anomalies += comparison.anomalies
            undecided += comparison.undecided
            clashes += comparison.translationClashes
            for (kind, example) in comparison.warnings { warnings[kind, default: (0, "ruleset \(index): \(example)")].count += 1 }
            kernelSeconds += comparison.kernelSeconds
            fwauditSeconds += comparison.fwauditSeconds
            if !comparison.disagreements.isEmpty { disagreeingRulesets += 1 }
        }
        let compared = Date().timeIntervalSince(start)
        print("kernel oracle: \(backend): \(settings.rulesets) rulesets, \(probes) probes compared, \(disagreements.count) disagreements"
              + " (in \(disagreeingRulesets) rulesets; \(undecided) probes undecided by fwaudit (unknown conditions);"
              + " \(clashes) left out: translated onto an earlier probe's connection;"
              + " engine differs from the kernel or the interpreter: \(engineDisagreements.count); seed \(settings.seed);"
              + " \(String(format: "%.1f", compared)) s: kernel \(String(format: "%.1f", kernelSeconds)) s, fwaudit \(String(format: "%.1f", fwauditSeconds)) s)")
        let features = backend == .nft ? KernelOracleDifferential.nftFeatures : KernelOracleDifferential.features
        print("kernel oracle: \(backend): rulesets using " + features.map { "\($0.0) \(coverage[$0.0] ?? 0)" }.joined(separator: ", "))
        for (kind, value) in warnings.sorted(by: { ($0.value.count, $1.key) > ($1.value.count, $0.key) }).prefix(10) {
            print("kernel oracle: \(backend): fwaudit warns in \(value.count) rulesets: \(kind)\n    e.g. \(value.example)")
        }
        for anomaly in anomalies { Issue.record("harness anomaly: \(anomaly)") }
        for line in engineDisagreements.prefix(10) { print("kernel oracle: engine: \(line)") }

        // Shrink a few and report each: first one of each kind (kernel verdict, fwaudit verdict,
        // path), then one of each further ruleset; identical minimal cases are reported once.
        for disagreement in disagreements.prefix(100) { print("kernel oracle: disagreement: \(disagreement.summary)") }
        var chosen: [Disagreement] = []
        var kinds = Set<String>(), rulesets = Set<Int>()
        for disagreement in disagreements {
            let kind = "\(disagreement.kernelAccepts) \(disagreement.interpreterVerdict) \(disagreement.interpreterPath)"
            if kinds.insert(kind).inserted { chosen.append(disagreement); rulesets.insert(disagreement.rulesetIndex) }
        }
        for disagreement in disagreements where rulesets.insert(disagreement.rulesetIndex).inserted { chosen.append(disagreement) }
        var shrunk = 0
        var minimalCases = Set<GeneratedRuleset>()
        for disagreement in chosen.prefix(settings.shrinkLimit) {
            shrunk += 1
            let minimal = Oracle.shrink(disagreement, budget: settings.shrinkSeconds)
            guard minimalCases.insert(minimal).inserted else {
                print("kernel oracle: seed \(disagreement.seed) ruleset \(disagreement.rulesetIndex) shrinks to a case already reported")
                continue
            }
            let text = Oracle.regressionText(minimal, disagreement)
            var saved = ""
            if let directory = settings.saveDirectory {
                let name = "\(backend)-s\(settings.seed)-r\(disagreement.rulesetIndex)-p\(disagreement.probe.id)"
                if let path = try Oracle.save(text, ruleset: minimal, backend: backend, style: disagreement.style, name: name, directory: directory) { saved = "\nsaved as \(path)" }
                else { saved = "\nalready saved in \(directory)" }
            }
            print("kernel oracle: shrunk case:\n\(text)\(saved)")
            Issue.record("the kernel and fwaudit disagree: \(disagreement.summary)\nminimal case:\n\(text)\(saved)")
        }
        if disagreements.count > shrunk {
            Issue.record("\(disagreements.count) disagreements in all (\(shrunk) shrunk); first: \(disagreements[0].summary)")
        }
        print("kernel oracle: \(backend): total \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }
}
