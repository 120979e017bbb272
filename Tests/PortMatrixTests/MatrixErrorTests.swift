import FirewallModel
import PortMatrix
import Testing

/// Every error names the file, line and column of the offending node, the key path to it, and a
/// short message: `matrix.yaml:14:12: flows[3].ports: bad port range '600-500'`.
@Suite("Matrix errors")
struct MatrixErrorTests {
    @Test("a bad port range names the flow's ports at their line and column")
    func badPortRange() throws {
        let error = try #require(loadingError(matrix(flows: """
          - id: web
            protocol: tcp
            ports: 443
            from: partners
            to: edge
          - id: rtp
            protocol: udp
            ports: 600-500
            from: partners
            to: edge
        """)))
        #expect(error.keyPath == "flows[1].ports")
        #expect(error.location == SourceLocation(source: "matrix.yaml", line: 16, column: 12))
        #expect(error.message == "bad port range '600-500'")
        #expect(error.description == "matrix.yaml:16:12: flows[1].ports: bad port range '600-500'")
    }

    @Test("ports outside 0-65535, garbage and bad list items are errors at the item")
    func badPorts() throws {
        let outOfRange = try #require(loadingError(matrix(flows: "  - {id: a, protocol: tcp, ports: 70000, from: partners, to: edge}")))
        #expect(outOfRange.keyPath == "flows[0].ports")
        #expect(outOfRange.location.line == 9)
        #expect(outOfRange.message == "port out of range '70000' (0-65535)")

        let word = try #require(loadingError(matrix(flows: "  - {id: a, protocol: tcp, ports: https, from: partners, to: edge}")))
        #expect(word.message == "bad port 'https'")

        let item = try #require(loadingError(matrix(flows: """
          - id: a
            protocol: tcp
            ports:
              - 80
              - "9000-8000"
            from: partners
            to: edge
        """)))
        #expect(item.keyPath == "flows[0].ports[1]")
        #expect(item.location == SourceLocation(source: "matrix.yaml", line: 13, column: 9))
        #expect(item.message == "bad port range '9000-8000'")

        let empty = try #require(loadingError(matrix(flows: "  - {id: a, protocol: tcp, ports: [], from: partners, to: edge}")))
        #expect(empty.keyPath == "flows[0].ports")
        #expect(empty.message == "empty port list")

        let nested = try #require(loadingError(matrix(flows: "  - {id: a, protocol: tcp, ports: [[80]], from: partners, to: edge}")))
        #expect(nested.keyPath == "flows[0].ports[0]")
        #expect(nested.message == "expected a port or a range, found a list")

        let null = try #require(loadingError(matrix(flows: "  - {id: a, protocol: udp, ports: ~, from: partners, to: edge}")))
        #expect(null.keyPath == "flows[0].ports")
        #expect(null.message == "expected a port, a range or a list of them, found null")
    }

    @Test("a flow naming an undeclared zone is an error at from or to")
    func unknownZone() throws {
        let error = try #require(loadingError(matrix(flows: """
          - id: web
            protocol: tcp
            ports: 443
            from: internet
            to: edge
        """)))
        #expect(error.keyPath == "flows[0].from")
        #expect(error.location == SourceLocation(source: "matrix.yaml", line: 12, column: 11))
        #expect(error.message == "unknown zone 'internet'")

        let typo = try #require(loadingError(matrix(flows: "  - {id: web, protocol: tcp, ports: 443, from: partners, to: egde}")))
        #expect(typo.keyPath == "flows[0].to")
        #expect(typo.location.line == 9)
        #expect(typo.message == "unknown zone 'egde', did you mean 'edge'?")
    }

    @Test("a repeated flow id is an error at the second id, naming the first")
    func duplicateFlowID() throws {
        let error = try #require(loadingError(matrix(flows: """
          - {id: web, protocol: tcp, ports: 443, from: partners, to: edge}
          - {id: ssh, protocol: tcp, ports: 22, from: partners, to: edge}
          - {id: web, protocol: tcp, ports: 80, from: partners, to: edge}
        """)))
        #expect(error.keyPath == "flows[2].id")
        #expect(error.location == SourceLocation(source: "matrix.yaml", line: 11, column: 10))
        #expect(error.message == "duplicate flow id 'web' (first at line 9)")
    }

    @Test("an unknown key is an error at the key, wherever it is, with a hint for near misses")
    func unknownKey() throws {
        let inFlow = try #require(loadingError(matrix(flows: """
          - id: web
            proto: tcp
            ports: 443
            from: partners
            to: edge
        """)))
        #expect(inFlow.keyPath == "flows[0].proto")
        #expect(inFlow.location == SourceLocation(source: "matrix.yaml", line: 10, column: 5))
        #expect(inFlow.message == "unknown key 'proto', did you mean 'protocol'?")

        let inZone = try #require(loadingError("""
        version: 1
        zones:
          edge:
            addresses: [198.51.100.10]
            vlan: 12
        flows: []
        """))
        #expect(inZone.keyPath == "zones.edge.vlan")
        #expect(inZone.location.line == 5)
        #expect(inZone.message == "unknown key 'vlan'")

        let atTop = try #require(loadingError(matrix(flows: "  []", extra: "owner: netops")))
        #expect(atTop.keyPath == "owner")
        #expect(atTop.location == SourceLocation(source: "matrix.yaml", line: 8, column: 1))
    }

    @Test("a value of the wrong type is an error at the value")
    func wrongType() throws {
        let required = try #require(loadingError(matrix(flows: """
          - id: web
            protocol: tcp
            ports: 443
            from: partners
            to: edge
            required: "no"
        """)))
        #expect(required.keyPath == "flows[0].required")
        #expect(required.location == SourceLocation(source: "matrix.yaml", line: 14, column: 15))
        #expect(required.message == "expected true or false, found a string 'no'")

        let ports = try #require(loadingError(matrix(flows: "  - {id: web, protocol: tcp, ports: {http: 80}, from: partners, to: edge}")))
        #expect(ports.keyPath == "flows[0].ports")
        #expect(ports.message == "expected a port, a range or a list of them, found a mapping")

        let zones = try #require(loadingError("""
        version: 1
        zones:
          - edge
        flows: []
        """))
        #expect(zones.keyPath == "zones")
        #expect(zones.location.line == 3)
        #expect(zones.message == "expected a mapping of zone ids to zones, found a list")

        let flows = try #require(loadingError(matrix(flows: "  web: {}")))
        #expect(flows.keyPath == "flows")
        #expect(flows.location.line == 9)

        let local = try #require(loadingError("""
        version: 1
        zones:
          edge: {local: 1, addresses: [198.51.100.10]}
        flows: []
        """))
        #expect(local.keyPath == "zones.edge.local")
        #expect(local.message == "expected true or false, found a number '1'")

        let service = try #require(loadingError(matrix(flows: "  - {id: web, service: [a, b], protocol: tcp, ports: 443, from: partners, to: edge}")))
        #expect(service.keyPath == "flows[0].service")
        #expect(service.message == "expected a string, found a list")

        let flowItem = try #require(loadingError(matrix(flows: "  - web")))
        #expect(flowItem.keyPath == "flows[0]")
        #expect(flowItem.message == "expected a mapping, found a string 'web'")
    }

    @Test("a missing version is an error at the top of the file; only version 1 is read")
    func version() throws {
        let missing = try #require(loadingError("""
        zones:
          edge: {addresses: [198.51.100.10]}
        flows: []
        """))
        #expect(missing.keyPath == "version")
        #expect(missing.location == SourceLocation(source: "matrix.yaml", line: 1, column: 1))
        #expect(missing.description == "matrix.yaml:1:1: version: required, must be 1")

        let two = try #require(loadingError("""
        name: future
        version: 2
        flows: []
        """))
        #expect(two.keyPath == "version")
        #expect(two.location == SourceLocation(source: "matrix.yaml", line: 2, column: 10))
        #expect(two.message == "unsupported version '2', must be 1")

        let quoted = try #require(loadingError("version: \"1\"\nzones: {}\nflows: []"))
        #expect(quoted.keyPath == "version")
    }

    @Test("missing required keys are errors at the mapping that lacks them")
    func requiredKeys() throws {
        let noFlows = try #require(loadingError("version: 1\nzones: {}\n"))
        #expect(noFlows.keyPath == "flows")
        #expect(noFlows.location.line == 1)
        #expect(noFlows.message == "required")

        let noZones = try #require(loadingError("version: 1\nflows: []\n"))
        #expect(noZones.keyPath == "zones")

        let noFrom = try #require(loadingError(matrix(flows: """
          - {id: web, protocol: tcp, ports: 443, to: edge}
          - {id: ssh, protocol: tcp, ports: 22, from: partners, to: edge}
        """)))
        #expect(noFrom.keyPath == "flows[0].from")
        #expect(noFrom.location == SourceLocation(source: "matrix.yaml", line: 9, column: 5))

        let noProtocol = try #require(loadingError(matrix(flows: "  - {id: web, ports: 443, from: partners, to: edge}")))
        #expect(noProtocol.keyPath == "flows[0].protocol")

        let noAddresses = try #require(loadingError("version: 1\nzones:\n  edge: {local: true}\nflows: []\n"))
        #expect(noAddresses.keyPath == "zones.edge.addresses")
        #expect(noAddresses.location.line == 3)

        let emptyAddresses = try #require(loadingError("version: 1\nzones:\n  edge: {addresses: []}\nflows: []\n"))
        #expect(emptyAddresses.keyPath == "zones.edge.addresses")
        #expect(emptyAddresses.message == "must not be empty")
    }

    @Test("a bad address is an error at the list item")
    func badAddress() throws {
        let text = """
        version: 1
        zones:
          clients:
            addresses:
              - 192.0.2.0/24
              - 192.0.2.300
        flows: []
        """
        let error = try #require(loadingError(text))
        #expect(error.keyPath == "zones.clients.addresses[1]")
        #expect(error.location == SourceLocation(source: "matrix.yaml", line: 6, column: 9))
        #expect(error.message == "bad address '192.0.2.300'")

        func addressError(_ item: String) throws -> PortMatrixError {
            try #require(loadingError("version: 1\nzones:\n  z: {addresses: [\(item)]}\nflows: []\n"))
        }
        #expect(try addressError("10.0.0.0/33").message == "bad address '10.0.0.0/33'")
        #expect(try addressError("10.0.0.9-10.0.0.1").message == "bad address range '10.0.0.9-10.0.0.1', first address is above the last")
        #expect(try addressError("\"10.0.0.1-2001:db8::1\"").message == "address range '10.0.0.1-2001:db8::1' mixes IPv4 and IPv6")
        #expect(try addressError("10.0.0.0/255.0.255.0").message == "non-contiguous mask in '10.0.0.0/255.0.255.0'")
        #expect(try addressError("eth0").keyPath == "zones.z.addresses[0]")
        #expect(try addressError("any, 10.0.0.1").message == "'any' already covers every address; list it alone")
    }

    @Test("bad ids and interface names are errors at the value")
    func badNames() throws {
        let zoneID = try #require(loadingError("version: 1\nzones:\n  \"edge zone\": {addresses: [any]}\nflows: []\n"))
        #expect(zoneID.keyPath == "zones.edge zone")
        #expect(zoneID.location.line == 3)
        #expect(zoneID.message.hasPrefix("bad zone id 'edge zone'"))

        let flowID = try #require(loadingError(matrix(flows: "  - {id: -web, protocol: tcp, ports: 443, from: partners, to: edge}")))
        #expect(flowID.keyPath == "flows[0].id")
        #expect(flowID.message.hasPrefix("bad flow id '-web'"))

        let interface = try #require(loadingError("version: 1\nzones:\n  z: {addresses: [any], interfaces: [eth0, averylonginterfacename]}\nflows: []\n"))
        #expect(interface.keyPath == "zones.z.interfaces[1]")
        #expect(interface.message == "bad interface name 'averylonginterfacename'")
    }

    @Test("ports are required for tcp, udp and sctp, and forbidden for icmp, icmpv6 and any")
    func portsAndProtocols() throws {
        let onICMP = try #require(loadingError(matrix(flows: """
          - id: ping
            protocol: icmp
            ports: 8
            from: partners
            to: edge
        """)))
        #expect(onICMP.keyPath == "flows[0].ports")
        #expect(onICMP.location == SourceLocation(source: "matrix.yaml", line: 11, column: 12))
        #expect(onICMP.message == "ports apply to tcp, udp and sctp")

        let sourceOnAny = try #require(loadingError(matrix(flows: "  - {id: all, protocol: any, sourcePorts: 53, from: partners, to: edge}")))
        #expect(sourceOnAny.keyPath == "flows[0].sourcePorts")
        #expect(sourceOnAny.message == "ports apply to tcp, udp and sctp")

        let missing = try #require(loadingError(matrix(flows: """
          - id: web
            protocol: tcp
            from: partners
            to: edge
        """)))
        #expect(missing.keyPath == "flows[0].ports")
        #expect(missing.location == SourceLocation(source: "matrix.yaml", line: 9, column: 5))
        #expect(missing.message == "ports required for tcp")

        let missingBoth = try #require(loadingError(matrix(flows: "  - {id: dns, protocol: tcp+udp, from: partners, to: edge}")))
        #expect(missingBoth.message == "ports required for tcp+udp")

        let unknown = try #require(loadingError(matrix(flows: "  - {id: gre, protocol: grease, from: partners, to: edge}")))
        #expect(unknown.keyPath == "flows[0].protocol")
        #expect(unknown.message == "unknown protocol 'grease' (expected tcp, udp, tcp+udp, icmp, icmpv6, sctp, any, an /etc/protocols name such as esp, gre or vrrp, or a number from 0 to 255)")
        #expect(try #require(loadingError(matrix(flows: "  - {id: big, protocol: 256, from: partners, to: edge}"))).message.hasPrefix("unknown protocol '256'"))
        #expect(try #require(loadingError(matrix(flows: "  - {id: upper, protocol: ESP, from: partners, to: edge}"))).message.hasPrefix("unknown protocol 'ESP'"))

        let onESP = try #require(loadingError(matrix(flows: "  - {id: ike, protocol: esp, ports: 500, from: partners, to: edge}")))
        #expect(onESP.keyPath == "flows[0].ports")
        #expect(onESP.message == "ports apply to tcp, udp and sctp")

        let severity = try #require(loadingError(matrix(flows: "  - {id: web, protocol: tcp, ports: 443, from: partners, to: edge, severity: urgent}")))
        #expect(severity.keyPath == "flows[0].severity")
        #expect(severity.message == "unknown severity 'urgent' (expected low, medium, high or critical)")
    }

    @Test("an unknown allow item is an error at the item")
    func unknownAllowance() throws {
        let error = try #require(loadingError(matrix(flows: "  []", extra: "allow: [loopback, dhcp]")))
        #expect(error.keyPath == "allow[1]")
        #expect(error.location == SourceLocation(source: "matrix.yaml", line: 8, column: 19))
        #expect(error.message == "unknown allowance 'dhcp' (expected loopback, established, outbound, icmp or ndp)")

        let scalar = try #require(loadingError(matrix(flows: "  []", extra: "allow: loopback")))
        #expect(scalar.keyPath == "allow")
    }

    @Test("a YAML syntax error is reported at its line, without a key path")
    func yamlSyntax() throws {
        let error = try #require(loadingError("""
        version: 1
        zones:
          edge:
            addresses: [198.51.100.10
        flows: []
        """))
        #expect(error.keyPath == "")
        #expect(error.location.source == "matrix.yaml")
        #expect(error.location.line == 5)
        #expect(error.message.hasPrefix("yaml: "))
        #expect(error.description.hasPrefix("matrix.yaml:5:"))

        let badIndent = try #require(loadingError("version: 1\nzones:\n  edge:\n    addresses: [any]\n   local: true\nflows: []\n"))
        #expect(badIndent.location.line == 5)

        let empty = try #require(loadingError(""))
        #expect(empty.location == SourceLocation(source: "matrix.yaml", line: 1, column: 1))
        #expect(empty.message.hasPrefix("empty matrix"))

        let notMapping = try #require(loadingError("- version: 1\n"))
        #expect(notMapping.keyPath == "")
        #expect(notMapping.message == "expected a mapping, found a list")
    }

    @Test("a key repeated in one mapping is an error at the repetition, in YAML and in JSON")
    func duplicateKeys() throws {
        let yaml = try #require(loadingError("""
        version: 1
        zones:
          edge:
            addresses: [198.51.100.10]
          partners:
            addresses: [192.0.2.0/24]
          edge:
            addresses: [198.51.100.11]
        flows: []
        """))
        #expect(yaml.location == SourceLocation(source: "matrix.yaml", line: 7, column: 3))
        #expect(yaml.message == "duplicate key 'edge'")

        let inFlow = try #require(loadingError(matrix(flows: """
          - id: web
            protocol: tcp
            ports: 443
            ports: 80
            from: partners
            to: edge
        """)))
        #expect(inFlow.location.line == 12)
        #expect(inFlow.message == "duplicate key 'ports'")

        let json = try #require(loadingError("""
        {
          "version": 1,
          "zones": {"edge": {"addresses": ["198.51.100.10"]}},
          "flows": [
            {"id": "web", "protocol": "tcp",
             "ports": 443, "from": "edge", "to": "edge", "ports": 80}
          ]
        }
        """))
        #expect(json.location == SourceLocation(source: "matrix.yaml", line: 6, column: 50))
        #expect(json.message == "duplicate key 'ports'")
    }
}

@Suite("Matrix text details")
struct MatrixTextTests {
    @Test("a byte order mark at the start is ignored and does not shift columns")
    func byteOrderMark() throws {
        let loaded = try load("\u{FEFF}version: 1\nzones: {edge: {addresses: [any]}}\nflows: []\n")
        #expect(loaded.zones.map(\.id) == ["edge"])
        let error = try #require(loadingError("\u{FEFF}version: 3\nzones: {}\nflows: []\n"))
        #expect(error.location.column == 10)
    }

    @Test("Windows line endings load like Unix ones")
    func crlf() throws {
        let loaded = try load(lyncEdgeMatrix.replacing("\n", with: "\r\n"))
        #expect(loaded.flows.map(\.id) == ["sip-mtls-from-partners", "sip-tls-from-clients"])
        #expect(loaded.flows[1].location.line == 22)

        let duplicate = try #require(loadingError("version: 1\r\nzones: {}\r\nflows: []\r\nzones: {}\r\n"))
        #expect(duplicate.location == SourceLocation(source: "matrix.yaml", line: 4, column: 1))
    }

    @Test("a second YAML document is an error at its start")
    func secondDocument() throws {
        let error = try #require(loadingError("version: 1\nzones: {}\nflows: []\n---\nversion: 1\n"))
        #expect(error.location.line == 4)
        #expect(error.message == "yaml: a matrix is a single document, found another")
    }

    @Test("anchors and aliases are followed")
    func aliases() throws {
        let loaded = try load("""
        version: 1
        zones:
          edge: {local: true, addresses: &edge [198.51.100.10]}
          edge-too: {addresses: *edge}
        flows: []
        """)
        #expect(loaded.zone("edge-too")?.addresses.map(\.text) == ["198.51.100.10"])
    }
}

@Suite struct OverlappingPorts {
    @Test(arguments: ["\"80,70-90\"", "[80, \"70-90\"]", "\"443,443\""])
    func overlappingPortsAreAnError(_ ports: String) {
        let text = """
        version: 1
        zones:
          a: {addresses: [any]}
        flows:
          - {id: x, protocol: tcp, ports: \(ports), from: a, to: a}
        """
        let error = #expect(throws: PortMatrixError.self) { try PortMatrixLoader.load(text, source: "m.yaml") }
        #expect(error?.message.contains("overlapping ports") == true)
        #expect(error?.location.line == 5)
    }
}
