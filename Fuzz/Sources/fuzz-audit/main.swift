/// Fuzzes the whole audit: an iptables-save text (read as IPv4) that loads is audited against one
/// of three matrices, a Docker host, a port-forwarding router and a host whose zones name no
/// interfaces, picked by the input's length. The audit must finish, never trap, whatever the
/// rules translate, mark or jump to. Seeds: every iptables fixture, including the hosts that
/// translate addresses (`Fixtures/hosts/*/*.v4`), and the shared corpus's `iptables/`.
import Audit
import FirewallModel
import FuzzDriver
import IptablesLoading
import PortMatrix

let matrices: [PortMatrix] = [
    """
    version: 1
    name: docker host
    host: {forwarding: true}
    zones:
      host: {local: true, addresses: [198.51.100.20], interfaces: [eth0]}
      containers: {addresses: [172.17.0.0/16], interfaces: [docker0]}
      internet: {addresses: [any], interfaces: [eth0]}
    flows:
      - {id: web, protocol: tcp, ports: 8080, from: internet, to: host}
      - {id: out, protocol: any, from: containers, to: internet}
    allow: [loopback, established]
    """,
    """
    version: 1
    name: router
    zones:
      wan: {local: true, addresses: [203.0.113.1], interfaces: [eth0]}
      gateway: {local: true, addresses: [192.168.1.1], interfaces: [lan0]}
      lan: {addresses: [192.168.1.0/24], interfaces: [lan0]}
      internet: {addresses: [any], interfaces: [eth0]}
    flows:
      - {id: ssh, protocol: tcp, ports: 2222, from: internet, to: wan}
      - {id: lan-out, protocol: any, from: lan, to: internet}
      - {id: dns, protocol: tcp+udp, ports: 53, from: lan, to: gateway}
    allow: [loopback, established, outbound]
    """,
    """
    version: 1
    name: server
    host: {addresses: [10.0.0.11], forwarding: false}
    zones:
      nodes: {addresses: [10.0.0.0/24]}
      anyone: {addresses: [any]}
    flows:
      - {id: api, protocol: tcp, ports: 6443, from: nodes, to: nodes}
      - {id: icmp, protocol: icmp, from: anyone, to: nodes}
    allow: [loopback]
    """,
].map { try! PortMatrixLoader.load($0, source: "fuzz.yaml") }

Fuzzer.runText { text in
    guard let ruleset = try? IptablesLoader.load(text, source: "fuzz.v4", family: .ipv4) else { return }
    let matrix = matrices[text.utf8.count % matrices.count]
    let auditor = Auditor(matrix: matrix, matrixPath: "fuzz.yaml", rulesets: [.ipv4: ruleset],
                          inputs: [AuditInput(kind: "iptables-save", path: "fuzz.v4", family: .ipv4)])
    _ = auditor.run()
}
