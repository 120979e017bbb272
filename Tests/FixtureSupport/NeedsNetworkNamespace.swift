import Testing

/// What a test that needs a private network namespace does on this machine.
///
/// - namespaces available (`unshare -n` works): the test runs;
/// - unavailable: the test is skipped, saying why;
/// - unavailable and `FWAUDIT_REQUIRE_NETNS=1` (CI): the test fails instead of skipping.
public enum NamespaceRequirement: Equatable, Sendable {
    case run
    case skip(String)
    case fail(String)

    /// Why a test that needs a namespace is skipped.
    public static let skipMessage = "needs a private network namespace (unshare -n): run as root or allow user namespaces; "
        + "FWAUDIT_REQUIRE_NETNS=1 makes this a failure"

    /// Why it fails when namespaces are required.
    public static let failureMessage = "FWAUDIT_REQUIRE_NETNS=1, but this test needs a private network namespace (unshare -n) "
        + "and none can be made here: run as root or allow user namespaces"

    /// The decision, from whether namespaces work here and whether a missing one must fail.
    public static func decide(available: Bool, required: Bool) -> NamespaceRequirement {
        if available { return .run }
        return required ? .fail(failureMessage) : .skip(skipMessage)
    }

    /// The decision for this machine and environment.
    public static var here: NamespaceRequirement {
        decide(available: Namespaces.available, required: Namespaces.required)
    }
}

/// Thrown while planning a test that needs a namespace where none can be made and
/// `FWAUDIT_REQUIRE_NETNS=1`: Swift Testing records it as an issue of every test it covers.
public struct NetworkNamespaceRequired: Error, CustomStringConvertible, Sendable {
    public let description: String
}

extension Trait where Self == ConditionTrait {
    /// For tests and suites that load rules into the kernel in a private network namespace:
    /// runs them where `unshare -n` works, skips them (saying why) where it does not, and
    /// fails them there instead when `FWAUDIT_REQUIRE_NETNS=1`.
    public static var needsNetworkNamespace: Self {
        needsNetworkNamespace { NamespaceRequirement.here }
    }

    /// The same trait, deciding with `decision` instead of this machine (how the trait itself is tested).
    public static func needsNetworkNamespace(
        deciding decision: @escaping @Sendable () -> NamespaceRequirement
    ) -> Self {
        .enabled(Comment(rawValue: NamespaceRequirement.skipMessage)) {
            switch decision() {
            case .run: return true
            case .skip: return false
            case .fail(let message): throw NetworkNamespaceRequired(description: message)
            }
        }
    }
}
