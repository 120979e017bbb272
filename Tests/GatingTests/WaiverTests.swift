import Audit
import FixtureSupport
import Gating
import PortMatrix
import Reporting
import Testing
import YAMLDocuments

@Suite struct Waivers {
    let today = CalendarDay("2026-11-25")!

    func waivers(_ body: String) throws -> [Waiver] {
        try WaiverLoader.load("version: 1\nwaivers:\n" + body, source: "waivers.yaml")
    }

    @Test func aWaiverByFingerprintKeepsTheFindingVisibleButInactive() throws {
        let audit = try Scenario.named("shadowed-accept").audit()
        let fingerprint = audit.findings[0].fingerprint
        let report = Gate(waivers: try WaiverLoader.load("""
        version: 1
        fingerprintVersion: 2
        waivers:
          - fingerprint: \(fingerprint)
            reason: scanner block under review (CHG-42)
            owner: netops
            expires: 2026-12-31
        """, source: "waivers.yaml"), today: today).judge(audit)
        #expect(report.findings.count == 1)
        #expect(report.findings[0].waiver?.reason == "scanner block under review (CHG-42)")
        #expect(!report.findings[0].isActive)
        #expect(report.summary.missing == 1 && report.summary.waived == 1)
        #expect(report.summary.compliant)
        #expect(report.failing.isEmpty)
    }

    @Test func aPatternWaiverMatchesEveryFieldItGives() throws {
        let report = Gate(waivers: try waivers("""
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
        """), today: today).judge(try Scenario.named("extra-port").audit())
        #expect(report.findings[0].waiver != nil)
        #expect(report.diagnostics.contains { $0.message.contains("matches no finding") && $0.location?.line == 9 })
    }

    @Test func anExpiredWaiverStopsWaivingAndSaysSo() throws {
        let report = Gate(waivers: try waivers("""
          - flow: sip-mtls-from-partners
            reason: old exception
            owner: netops
            expires: 2026-11-24
        """), today: today).judge(try Scenario.named("shadowed-accept").audit())
        #expect(report.findings[0].waiver == nil)
        #expect(report.findings[0].isActive)
        #expect(report.diagnostics.contains { $0.message.contains("expired on 2026-11-24") })
        #expect(report.failing.count == 1)
    }

    @Test func aWaiverExpiringTodayStillWaives() throws {
        let report = Gate(waivers: try waivers("""
          - flow: sip-mtls-from-partners
            reason: last day
            owner: netops
            expires: 2026-11-25
        """), today: today).judge(try Scenario.named("shadowed-accept").audit())
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

    @Test func aFingerprintOfTheOldVersionIsAnErrorThatSaysWhatToDo() throws {
        let error = #expect(throws: DocumentError.self) {
            try self.waivers("  - {fingerprint: 8d1fa72f6ace764d, reason: r, owner: o, expires: 2026-12-31}")
        }
        #expect(error?.description.contains("version-1 fingerprint") == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("fingerprintVersion: 2") == true)
        #expect(error?.location.line == 3)
        // Pattern waivers do not depend on fingerprints: files without a fingerprint version keep working.
        #expect(try self.waivers("  - {flow: x, reason: r, owner: o, expires: 2026-12-31}").count == 1)
    }

    @Test func theVersionIsRequired() {
        let error = #expect(throws: DocumentError.self) { try WaiverLoader.load("waivers: []", source: "w.yaml") }
        #expect(error?.keyPath == "version")
    }
}

@Suite struct Baselines {
    @Test func onlyNewFindingsFailAndFixedOnesAreListed() throws {
        let before = try Scenario.named("shadowed-accept").audit()
        let stored = try Baseline.load(BaselineReport.render(before), source: "baseline.json")
        #expect(stored.findings.map(\.fingerprint) == before.findings.map(\.fingerprint))
        #expect(stored.findings.map(\.message) == before.findings.map(\.messageText))

        let gate = Gate(today: CalendarDay("2026-11-25")!, baseline: stored)
        let same = gate.judge(try Scenario.named("shadowed-accept").audit())
        #expect(same.findings.allSatisfy { $0.inBaseline })
        #expect(same.failing.isEmpty)

        let changed = gate.judge(try Scenario.named("extra-port").audit())
        #expect(changed.findings.map(\.inBaseline) == [false])
        #expect(changed.fixed.map(\.fingerprint) == before.findings.map(\.fingerprint))
        #expect(changed.failing.count == 1)
    }

    @Test func aMalformedBaselineIsAnErrorWithItsPlace() {
        let error = #expect(throws: DocumentError.self) {
            try Baseline.load("{\"baselineVersion\": 2, \"fingerprintVersion\": 2, \"findings\": [{\"fingerprint\": \"x\", \"kind\": \"gone\"}]}", source: "b.json")
        }
        #expect(error?.keyPath == "findings[0].kind")
    }

    @Test func aBaselineOfVersionOneFingerprintsIsRefusedWithWhatToDo() {
        let error = #expect(throws: DocumentError.self) {
            try Baseline.load("{\"baselineVersion\": 1, \"tool\": \"fwaudit\", \"findings\": [{\"fingerprint\": \"8d1fa72f6ace764d\", \"kind\": \"missing\"}]}", source: "b.json")
        }
        #expect(error?.keyPath == "baselineVersion")
        #expect(error?.message.contains("fwaudit baseline create") == true, "\(error?.description ?? "")")
    }
}

@Suite struct Policies {
    @Test func severityAndKindsSelectWhatFails() throws {
        let report = try Scenario.named("shadowed-accept").audit()
        func failing(_ policy: GatePolicy) -> Int { Gate(policy: policy, today: CalendarDay("2026-11-25")!).judge(report).failing.count }
        #expect(failing(GatePolicy(failOn: [.extra])) == 0)
        #expect(failing(GatePolicy(minimumSeverity: .critical)) == 0)
        #expect(failing(GatePolicy(minimumSeverity: .high)) == 1)
        #expect(failing(GatePolicy(softFail: true)) == 0)
    }
}
