import FirewallModel
import PortMatrix

/// The format's reference example (Lync Server 2013 Edge, public IM connectivity), line for line.
let lyncEdgeMatrix = """
version: 1
name: Lync Server 2013 Edge - public IM connectivity
reference: "Port summary - public IM connectivity (Lync Server 2013)"
zones:
  access-edge:
    local: true                    # addresses on the audited host
    addresses: [198.51.100.10, "2001:db8:e::10"]
    interfaces: [eth0]             # optional: where this zone's traffic enters/leaves
  pic-partners:
    addresses: [192.0.2.0/24, "2001:db8:f00::/48"]
    interfaces: [eth0]
  clients:
    addresses: [any]
flows:
  - id: sip-mtls-from-partners     # unique, stable; used in reports and waivers
    service: Access/SIP(MTLS)      # free text from the documentation
    protocol: tcp
    ports: 5061
    from: pic-partners
    to: access-edge
    note: For public IM connectivity and federation over SIP
  - id: sip-tls-from-clients
    protocol: tcp
    ports: 443
    from: clients
    to: access-edge
    required: false                # tolerated: never "extra", never "missing"
allow: [loopback, established]
"""

/// A minimal valid matrix whose flows are `flows` (YAML lines, indented by two): zones `edge` (local)
/// and `partners` on lines 2-7, then `extra` (one line, when given), then `flows:` — on line 8, so the
/// first flow item is on line 9 (one more with `extra`).
func matrix(flows: String, extra: String = "") -> String {
    """
    version: 1
    zones:
      edge:
        local: true
        addresses: [198.51.100.10]
      partners:
        addresses: [192.0.2.0/24]
    \(extra.isEmpty ? "" : extra + "\n")flows:
    \(flows)
    """
}

/// Loads `text`, expecting failure; nil when it loads.
func loadingError(_ text: String, source: String = "matrix.yaml") -> PortMatrixError? {
    do {
        _ = try PortMatrixLoader.load(text, source: source)
        return nil
    } catch {
        return error
    }
}

/// Loads `text`, which must be valid.
func load(_ text: String, source: String = "matrix.yaml") throws -> PortMatrix {
    try PortMatrixLoader.load(text, source: source)
}
