import FixtureSupport
import Testing

/// The one rule for tests that need a private network namespace: run where one can be made,
/// skip (saying why) where it cannot, fail there instead when FWAUDIT_REQUIRE_NETNS=1.
@Suite struct NeedsNetworkNamespaceTests {
    @Test func availableNamespacesRunTheTestWhetherOrNotTheyAreRequired() {
        #expect(NamespaceRequirement.decide(available: true, required: false) == .run)
        #expect(NamespaceRequirement.decide(available: true, required: true) == .run)
    }

    @Test func unavailableNamespacesSkipTheTestSayingWhyAndHowToRequireThem() {
        guard case .skip(let message) = NamespaceRequirement.decide(available: false, required: false) else {
            Issue.record("unavailable, not required: \(NamespaceRequirement.decide(available: false, required: false)), not a skip")
            return
        }
        #expect(message.contains("unshare -n"))
        #expect(message.contains("root"))
        #expect(message.contains("FWAUDIT_REQUIRE_NETNS=1"))
    }

    @Test func unavailableRequiredNamespacesFailTheTest() {
        guard case .fail(let message) = NamespaceRequirement.decide(available: false, required: true) else {
            Issue.record("unavailable, required: \(NamespaceRequirement.decide(available: false, required: true)), not a failure")
            return
        }
        #expect(message.contains("FWAUDIT_REQUIRE_NETNS=1"))
        #expect(message.contains("unshare -n"))
    }

    /// The trait turns the three decisions into Swift Testing's: enabled, disabled with the skip
    /// message as its comment, and an error (which the runner records as an issue of the test).
    @Test func theTraitRunsSkipsOrFailsAsDecided() async throws {
        #expect(try await ConditionTrait.needsNetworkNamespace(deciding: { .run }).evaluate())

        let skipping = ConditionTrait.needsNetworkNamespace(deciding: { NamespaceRequirement.decide(available: false, required: false) })
        #expect(try await !skipping.evaluate())
        #expect(skipping.comments == [Comment(rawValue: NamespaceRequirement.skipMessage)])

        let failing = ConditionTrait.needsNetworkNamespace(deciding: { NamespaceRequirement.decide(available: false, required: true) })
        let error = await #expect(throws: NetworkNamespaceRequired.self) { try await failing.evaluate() }
        #expect(error?.description == NamespaceRequirement.failureMessage)
    }

    /// The trait every namespace test uses decides from this machine and FWAUDIT_REQUIRE_NETNS.
    @Test func theSharedTraitDecidesForThisMachine() async throws {
        let here = NamespaceRequirement.decide(available: Namespaces.available, required: Namespaces.required)
        #expect(NamespaceRequirement.here == here)
        switch here {
        case .run: #expect(try await ConditionTrait.needsNetworkNamespace.evaluate())
        case .skip: #expect(try await !ConditionTrait.needsNetworkNamespace.evaluate())
        case .fail: await #expect(throws: NetworkNamespaceRequired.self) { try await ConditionTrait.needsNetworkNamespace.evaluate() }
        }
    }
}
