import Audit
import FixtureSupport
import Gating
import PortMatrix
import Testing
import YAMLDocuments

@Suite struct Waivers {
    let today = CalendarDay("2026-11-25")!

    func waivers(_ body: String) throws -> [Waiver] {
        try WaiverLoader.load("version: 1\nwaivers:\n" + body, source: "waivers.yaml")
    }

    @Test func aWaiverByFingerprintKeepsTheFindingVisibleButInactive() throws {
        var report = try Scenario.named("shadowed-accept").audit()
        let fingerprint = report.findings[0].fingerprint
        Gate.apply(try waivers("""
          - fingerprint: \(fingerprint)
            reason: scanner block under review (CHG-42)
            owner: netops
            expires: 2026-12-31
        """), today: today, to: &report)
        #expect(report.findings.count == 1)
        #expect(report.findings[0].waiver?.reason == "scanner block under review (CHG-42)")
        #expect(!report.findings[0].isActive)
        #expect(report.summary.missing == 1 && report.summary.waived == 1)
        #expect(report.summary.compliant)
        #expect(GatePolicy().failing(report).isEmpty)
    }

    @Test func aPatternWaiverMatchesEveryFieldItGives() throws {
        var report = try Scenario.named("extra-port").audit()
        Gate.apply(try waivers("""
          - kind: extra
            protocol: tcp
            ports: "3389"
            reason: vendor access until the migration
            owner: it-ops
            expires: 2027-01-31
          - kind: extra
            ports: "22"
            reason: does not match anything
            owner: it-ops
            expires: 2027-01-31
        """), today: today, to: &report)
        #expect(report.findings[0].waiver != nil)
        #expect(report.diagnostics.contains { $0.message.contains("matches no finding") && $0.location?.line == 9 })
    }

    @Test func anExpiredWaiverStopsWaivingAndSaysSo() throws {
        var report = try Scenario.named("shadowed-accept").audit()
        Gate.apply(try waivers("""
          - flow: sip-mtls-from-partners
            reason: old exception
            owner: netops
            expires: 2026-11-24
        """), today: today, to: &report)
        #expect(report.findings[0].waiver == nil)
        #expect(report.findings[0].isActive)
        #expect(report.diagnostics.contains { $0.message.contains("expired on 2026-11-24") })
        #expect(GatePolicy().failing(report).count == 1)
    }

    @Test func aWaiverExpiringTodayStillWaives() throws {
        var report = try Scenario.named("shadowed-accept").audit()
        Gate.apply(try waivers("""
          - flow: sip-mtls-from-partners
            reason: last day
            owner: netops
            expires: 2026-11-25
        """), today: today, to: &report)
        #expect(report.findings[0].waiver != nil)
    }

    @Test(arguments: [
        ("  - {reason: r, owner: o, expires: 2026-12-31}", "waivers[0]: name a fingerprint"),
        ("  - {flow: x, owner: o, expires: 2026-12-31}", "waivers[0].reason: required"),
        ("  - {flow: x, reason: r, owner: o, expires: 31/12/2026}", "waivers[0].expires: expected a date YYYY-MM-DD"),
        ("  - {flow: x, reason: r, owner: o, expires: 2026-02-30}", "waivers[0].expires: expected a date YYYY-MM-DD"),
        ("  - {fingerprint: xyz, reason: r, owner: o, expires: 2026-12-31}", "waivers[0].fingerprint: a fingerprint is 16 hexadecimal digits"),
        ("  - {kind: open, reason: r, owner: o, expires: 2026-12-31}", "waivers[0].kind: unknown kind 'open'"),
        ("  - {flow: x, reason: r, owner: o, expires: 2026-12-31, until: never}", "waivers[0].until: unknown key 'until'"),
    ])
    func malformedWaiversAreErrorsWithTheirPlace(_ entry: String, _ expected: String) throws {
        let error = #expect(throws: DocumentError.self) { try self.waivers(entry) }
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
        #expect(error?.location.line == 3)
    }

    @Test func theVersionIsRequired() {
        let error = #expect(throws: DocumentError.self) { try WaiverLoader.load("waivers: []", source: "w.yaml") }
        #expect(error?.keyPath == "version")
    }
}

@Suite struct Baselines {
    @Test func onlyNewFindingsFailAndFixedOnesAreListed() throws {
        let before = try Scenario.named("shadowed-accept").audit()
        let stored = try Baseline.load(Baseline(before).render(), source: "baseline.json")
        #expect(stored == Baseline(before))

        var same = try Scenario.named("shadowed-accept").audit()
        Gate.apply(stored, to: &same)
        #expect(same.findings.allSatisfy { $0.inBaseline })
        #expect(GatePolicy().failing(same).isEmpty)

        var changed = try Scenario.named("extra-port").audit()
        Gate.apply(stored, to: &changed)
        #expect(changed.findings.map(\.inBaseline) == [false])
        #expect(changed.fixed.map(\.fingerprint) == before.findings.map(\.fingerprint))
        #expect(GatePolicy().failing(changed).count == 1)
    }

    @Test func aMalformedBaselineIsAnErrorWithItsPlace() {
        let error = #expect(throws: DocumentError.self) {
            try Baseline.load("{\"baselineVersion\": 1, \"findings\": [{\"fingerprint\": \"x\", \"kind\": \"gone\"}]}", source: "b.json")
        }
        #expect(error?.keyPath == "findings[0].kind")
    }
}

@Suite struct Policies {
    @Test func severityAndKindsSelectWhatFails() throws {
        let report = try Scenario.named("shadowed-accept").audit()
        #expect(GatePolicy(failOn: [.extra]).failing(report).isEmpty)
        #expect(GatePolicy(minimumSeverity: .critical).failing(report).isEmpty)
        #expect(GatePolicy(minimumSeverity: .high).failing(report).count == 1)
        #expect(GatePolicy(softFail: true).failing(report).isEmpty)
    }
}
