import FirewallModel
import PortMatrix
import Testing

@Suite("Loading a port matrix")
struct MatrixLoadingTests {
    @Test("the reference example loads with its name, reference, zones, flows and allowances")
    func referenceExample() throws {
        let matrix = try load(lyncEdgeMatrix, source: "matrices/lync-edge.yaml")

        #expect(matrix.name == "Lync Server 2013 Edge - public IM connectivity")
        #expect(matrix.reference == "Port summary - public IM connectivity (Lync Server 2013)")
        #expect(matrix.source == "matrices/lync-edge.yaml")
        #expect(matrix.allowances == [.loopback, .established])

        #expect(matrix.zones.map(\.id) == ["access-edge", "pic-partners", "clients"])
        let edge = try #require(matrix.zone("access-edge"))
        #expect(edge.isLocal)
        #expect(!edge.isAny)
        #expect(edge.addresses.map(\.text) == ["198.51.100.10", "2001:db8:e::10"])
        #expect(edge.interfaces == [InterfacePattern(name: "eth0", isWildcard: false)])
        #expect(edge.location == SourceLocation(source: "matrices/lync-edge.yaml", line: 5, column: 3))

        let partners = try #require(matrix.zone("pic-partners"))
        #expect(!partners.isLocal)
        #expect(partners.addresses.map(\.text) == ["192.0.2.0/24", "2001:db8:f00::/48"])

        let clients = try #require(matrix.zone("clients"))
        #expect(clients.isAny)
        #expect(clients.addresses.isEmpty)
        #expect(clients.interfaces.isEmpty)
        #expect(matrix.zone("nowhere") == nil)

        #expect(matrix.flows.count == 2)
        let sip = matrix.flows[0]
        #expect(sip.id == "sip-mtls-from-partners")
        #expect(sip.service == "Access/SIP(MTLS)")
        #expect(sip.protocol == .tcp)
        #expect(sip.ports == PortSet(value: 5061))
        #expect(sip.portsText == "5061")
        #expect(sip.sourcePorts == nil)
        #expect(sip.from == "pic-partners")
        #expect(sip.to == "access-edge")
        #expect(sip.note == "For public IM connectivity and federation over SIP")
        #expect(sip.isRequired)
        #expect(sip.severity == .high)
        #expect(sip.location == SourceLocation(source: "matrices/lync-edge.yaml", line: 15, column: 5))

        let tls = matrix.flows[1]
        #expect(tls.id == "sip-tls-from-clients")
        #expect(tls.service == nil)
        #expect(tls.note == nil)
        #expect(tls.ports == PortSet(value: 443))
        #expect(tls.from == "clients")
        #expect(!tls.isRequired)
        #expect(tls.location.line == 22)
    }

    @Test("the same matrix written as JSON loads to the same zones and flows")
    func jsonInput() throws {
        let json = """
        {
          "version": 1,
          "name": "Lync Server 2013 Edge - public IM connectivity",
          "reference": "Port summary - public IM connectivity (Lync Server 2013)",
          "zones": {
            "access-edge": {"local": true, "addresses": ["198.51.100.10", "2001:db8:e::10"], "interfaces": ["eth0"]},
            "pic-partners": {"addresses": ["192.0.2.0/24", "2001:db8:f00::/48"], "interfaces": ["eth0"]},
            "clients": {"addresses": ["any"]}
          },
          "flows": [
            {"id": "sip-mtls-from-partners", "service": "Access/SIP(MTLS)", "protocol": "tcp", "ports": 5061,
             "from": "pic-partners", "to": "access-edge", "note": "For public IM connectivity and federation over SIP"},
            {"id": "sip-tls-from-clients", "protocol": "tcp", "ports": 443, "from": "clients", "to": "access-edge",
             "required": false}
          ],
          "allow": ["loopback", "established"]
        }
        """
        let fromJSON = try load(json, source: "lync-edge.json")
        let fromYAML = try load(lyncEdgeMatrix, source: "lync-edge.json")

        func withoutLocations(_ matrix: PortMatrix) -> PortMatrix {
            var matrix = matrix
            let nowhere = SourceLocation(source: "")
            for index in matrix.zones.indices { matrix.zones[index].location = nowhere }
            for index in matrix.flows.indices { matrix.flows[index].location = nowhere }
            return matrix
        }
        #expect(withoutLocations(fromJSON) == withoutLocations(fromYAML))
        #expect(fromJSON.flows[1].location.line == 13)
        #expect(fromJSON.zone("clients")?.location.line == 8)
    }

    @Test("a JSON error is reported at its line and key path")
    func jsonError() throws {
        let json = """
        {
          "version": 1,
          "zones": {"edge": {"addresses": ["198.51.100.10"]}},
          "flows": [
            {"id": "web", "protocol": "tcp", "ports": "443",
             "from": "edge", "to": "edg"}
          ]
        }
        """
        let error = try #require(loadingError(json, source: "m.json"))
        #expect(error.keyPath == "flows[0].to")
        #expect(error.location == SourceLocation(source: "m.json", line: 6, column: 28))
        #expect(error.message == "unknown zone 'edg', did you mean 'edge'?")
    }

    @Test("the name defaults to the file name; the reference is optional")
    func defaultName() throws {
        let loaded = try load(matrix(flows: "  []"), source: "audits/matrices/edge.yaml")
        #expect(loaded.name == "edge.yaml")
        #expect(loaded.reference == nil)
        #expect(loaded.flows.isEmpty)
        #expect(try load(matrix(flows: "  []"), source: "edge.yaml").name == "edge.yaml")
    }

    @Test("without allow, loopback and established traffic are tolerated; allow: [] tolerates nothing")
    func allowances() throws {
        #expect(try load(matrix(flows: "  []")).allowances == [.loopback, .established])
        #expect(try load(matrix(flows: "  []", extra: "allow: []")).allowances == [])
        let all = try load(matrix(flows: "  []", extra: "allow: [loopback, established, outbound, icmp, ndp]"))
        #expect(all.allowances == Set(Allowance.allCases))
        #expect(try load(matrix(flows: "  []", extra: "allow: [icmp, icmp]")).allowances == [.icmp])
    }

    @Test("ports are written as a port, a range, a comma list or a list of those, and normalized")
    func portSpellings() throws {
        let loaded = try load(matrix(flows: """
          - {id: single, protocol: tcp, ports: 5061, from: partners, to: edge}
          - {id: range, protocol: tcp, ports: "50000-59999", from: partners, to: edge}
          - id: colon-range
            protocol: udp
            ports: 1000:1020
            from: partners
            to: edge
          - {id: comma, protocol: tcp, ports: "443,80", from: partners, to: edge}
          - id: ftp                  # 20:21 is a sexagesimal integer in YAML 1.1; the text is what counts
            protocol: tcp
            ports: 20:21
            from: partners
            to: edge
          - id: plain-comma
            protocol: tcp
            ports: 80,443
            from: partners
            to: edge
          - id: list
            protocol: tcp+udp
            ports: [80, "8000-8080", 8081]
            from: partners
            to: edge
          - {id: all, protocol: sctp, ports: any, from: partners, to: edge}
        """))
        let texts = loaded.flows.map { $0.portsText ?? "-" }
        #expect(texts == ["5061", "50000-59999", "1000-1020", "80,443", "20-21", "80,443", "80,8000-8081", "any"])
        #expect(loaded.flows[2].ports == PortSet(1000...1020))
        #expect(loaded.flows[4].ports == PortSet(20...21))
        #expect(loaded.flows[6].ports == PortSet(ranges: [80...80, 8000...8081]))
        #expect(loaded.flows[7].ports == PortSet.full)
    }

    @Test("source ports are optional (nil means any) and use the port syntax")
    func sourcePorts() throws {
        let loaded = try load(matrix(flows: """
          - {id: ntp, protocol: udp, ports: 123, sourcePorts: 123, from: edge, to: partners}
          - {id: dns, protocol: udp, ports: 53, from: edge, to: partners}
        """))
        #expect(loaded.flows[0].sourcePorts == PortSet(value: 123))
        #expect(loaded.flows[1].sourcePorts == nil)
    }

    @Test("icmp, icmpv6 and any flows carry no ports")
    func portlessProtocols() throws {
        let loaded = try load(matrix(flows: """
          - {id: ping, protocol: icmp, from: partners, to: edge}
          - {id: ping6, protocol: icmpv6, from: partners, to: edge}
          - {id: everything, protocol: any, from: edge, to: partners}
        """))
        #expect(loaded.flows.map(\.protocol) == [.icmp, .icmpv6, .any])
        #expect(loaded.flows.allSatisfy { $0.ports == nil && $0.portsText == nil && $0.sourcePorts == nil })
    }

    @Test("required defaults to true and severity to high; both can be set")
    func requiredAndSeverity() throws {
        let loaded = try load(matrix(flows: """
          - {id: a, protocol: tcp, ports: 22, from: partners, to: edge}
          - {id: b, protocol: tcp, ports: 22, from: partners, to: edge, required: false, severity: low}
          - {id: c, protocol: tcp, ports: 22, from: partners, to: edge, required: true, severity: critical}
          - {id: d, protocol: tcp, ports: 22, from: partners, to: edge, severity: medium}
        """))
        #expect(loaded.flows.map(\.isRequired) == [true, false, true, true])
        #expect(loaded.flows.map(\.severity) == [.high, .low, .critical, .medium])
    }

    @Test("zone addresses accept hosts, prefixes, masks and ranges; interfaces accept eth+ wildcards")
    func addressAndInterfaceSpellings() throws {
        let loaded = try load("""
        version: 1
        zones:
          lan:
            addresses: [10.0.0.1, 10.1.0.0/16, 10.2.0.0/255.255.0.0, 10.3.0.5-10.3.0.9, "2001:db8::1-2001:db8::ff"]
            interfaces: [eth+, bond0, "veth*"]
          anywhere:
            addresses: any
            interfaces: wan0
        flows: []
        """)
        let lan = try #require(loaded.zone("lan"))
        #expect(lan.addresses.map(\.text) == ["10.0.0.1", "10.1.0.0/16", "10.2.0.0/255.255.0.0", "10.3.0.5-10.3.0.9", "2001:db8::1-2001:db8::ff"])
        #expect(lan.addresses[3].family == .ipv4)
        #expect(lan.addresses[3].addresses == AddressSet(0x0a03_0005...0x0a03_0009))
        #expect(lan.interfaces == [
            InterfacePattern(name: "eth", isWildcard: true),
            InterfacePattern(name: "bond0", isWildcard: false),
            InterfacePattern(name: "veth", isWildcard: true),
        ])
        let anywhere = try #require(loaded.zone("anywhere"))
        #expect(anywhere.isAny)
        #expect(anywhere.interfaces == [InterfacePattern(name: "wan0", isWildcard: false)])
        #expect(loaded.zones.map(\.isLocal) == [false, false])
    }

    @Test("a flow may connect a zone to itself and zones may be declared after use in the file")
    func zoneOrder() throws {
        let loaded = try load("""
        version: 1
        flows:
          - {id: peers, protocol: udp, ports: 4789, from: dc, to: dc}
        zones:
          dc: {addresses: [10.0.0.0/8]}
        """)
        #expect(loaded.flows[0].from == "dc")
        #expect(loaded.flows[0].to == "dc")
    }

    @Test("flows print as one readable line")
    func flowDescription() throws {
        let loaded = try load(lyncEdgeMatrix)
        #expect(loaded.flows.map(\.description) == [
            "sip-mtls-from-partners: tcp 5061 pic-partners -> access-edge",
            "sip-tls-from-clients: tcp 443 clients -> access-edge (optional)",
        ])
        #expect(loaded.zones[0].description == "access-edge (local; 198.51.100.10, 2001:db8:e::10; via eth0)")
        #expect(loaded.zones[2].description == "clients (any)")
    }
}
