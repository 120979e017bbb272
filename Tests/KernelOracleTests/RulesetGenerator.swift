import FirewallModel
import FlowAnalysis

/// Draws random rulesets within what `IptablesLoader` models exactly, and probes aimed at the
/// boundaries of the values those rulesets mention.
///
/// Covered: filter, mangle and raw tables; user chains reached by `-j` and `-g` (never in a
/// loop), `RETURN`, policies ACCEPT and DROP; `-s`/`-d` prefixes, `-p tcp|udp|icmp|253`,
/// `--sport`/`--dport` ports and ranges, `multiport` (`--sports`, `--dports`, `--ports`),
/// `--syn`, `--tcp-flags`, `conntrack --ctstate` and `state --state`, `-i`/`-o` (eth0, eth1,
/// eth+, eth2, lo), `iprange`, ICMP types by name, number and type/code, `mark`, `connmark`,
/// `comment`; ACCEPT, DROP, REJECT, LOG, MARK, CONNMARK and (raw) CT --notrack / NOTRACK
/// targets; negation of every match that has one. Throttles (`limit`, `hashlimit`, `connlimit`,
/// `recent`, `quota`) with limits no probe run comes near, and `recent` lists that are checked but
/// never set (names `w…`) or set but never checked (`s…`): every probe sees the kernel give their
/// within-limits answer, whatever the probes before it did. Address translation: a nat table with
/// DNAT and REDIRECT in PREROUTING and OUTPUT (to the host, to the bridge-like network behind br0,
/// to the far side) and SNAT and MASQUERADE in POSTROUTING, each to one address and port; rules
/// that test the translation (`--ctstate DNAT`, `SNAT`; nft `ct status dnat`, `snat`).
struct RulesetGenerator {
    var rng: SplitMix64
    let family: AddressFamily
    let layout: Layout
    /// Features to leave out (`raw`, `mangle`, `ctstate`, …), so a campaign can look past a known disagreement.
    let excluded: Set<String>

    /// Throttles drawn so far, for unique hashlimit, recent and meter names.
    private(set) var throttleCount = 0

    /// Addresses and ports the rules mention, and their neighbours: where probes should land.
    private(set) var boundaryAddresses: [UInt128] = []
    private(set) var boundaryPorts: [UInt16] = []

    init(rng: SplitMix64, family: AddressFamily, layout: Layout, excluded: Set<String> = []) {
        self.rng = rng
        self.family = family
        self.layout = layout
        self.excluded = excluded
    }

    // MARK: - Random helpers

    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < probability }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func pick<T>(_ values: [T]) -> T { values[int(0...values.count - 1)] }

    var width: Int { family.bitWidth }
    var fullMask: UInt128 { family == .ipv4 ? UInt128(UInt32.max) : .max }

    func format(_ value: UInt128) -> String { IPAddress.format(value, family: family) }
    func parse(_ text: String) -> UInt128 { IPAddress(text)!.value }

    // MARK: - Addresses

    /// An address near the testbed's networks or a random public one.
    mutating func anchorAddress() -> UInt128 {
        let local = layout.localAddresses(family).map(\.value)
        let peers = layout.links.map { parse(family == .ipv4 ? $0.peerV4 : $0.peerV6) }
        if family == .ipv4 {
            switch int(0...9) {
            case 0: return pick(local)
            case 1: return pick(peers)
            case 2: return parse("192.0.2.0") + UInt128(int(1...254))
            case 3: return parse("198.51.100.0") + UInt128(int(1...254))
            case 4: return parse("203.0.113.0") + UInt128(int(0...255))
            case 5: return parse("10.0.0.0") + UInt128(int(0...0xff_ffff))
            default:
                var first = int(1...223)
                while first == 10 || first == 127 { first = int(1...223) }
                return UInt128(first) << 24 | UInt128(int(0...0xff_ffff))
            }
        } else {
            switch int(0...9) {
            case 0: return pick(local)
            case 1: return pick(peers)
            case 2: return parse("2001:db8:1::") + UInt128(int(1...0xffff))
            case 3: return parse("2001:db8:2::") + UInt128(int(1...0xffff))
            case 4: return parse("2001:db8:a::") + (UInt128(int(0...0xffff)) << 64) + UInt128(int(0...0xffff))
            case 5: return parse("2001:db8:ffff::") + UInt128(int(0...0xffff_ffff))
            default:
                return parse("2a00::") | UInt128(UInt64.random(in: 0...UInt64.max, using: &rng) & 0x000f_ffff_ffff_ffff) << 64
                    | UInt128(int(0...0xffff))
            }
        }
    }

    mutating func prefix() -> (text: String, low: UInt128, high: UInt128) {
        let lengths = family == .ipv4 ? [8, 12, 16, 20, 24, 26, 28, 30, 31, 32, 32] : [16, 32, 48, 56, 64, 80, 96, 112, 120, 126, 127, 128, 128]
        let length = pick(lengths)
        let anchor = anchorAddress()
        let hostBits = width - length
        let hostMask: UInt128 = hostBits == 0 ? 0 : (UInt128(1) << UInt128(hostBits)) - 1
        let low = anchor & ~hostMask & fullMask, high = low | hostMask
        for value in [low, high, anchor] { boundaryAddresses.append(value) }
        if low > 0 { boundaryAddresses.append(low - 1) }
        if high < fullMask { boundaryAddresses.append(high + 1) }
        // iptables-save writes host addresses with their full length.
        return ("\(format(low))/\(length)", low, high)
    }

    /// Whether a probe may carry `value`: unicast, routable in the testbed, not a subnet broadcast.
    func usable(_ value: UInt128) -> Bool {
        if layout.reservedDestinations(family).contains(value) { return false }
        if family == .ipv4 {
            let first = value >> 24
            return first != 0 && first != 127 && first < 224
        }
        return value >> 125 == 1   // 2000::/3, global unicast
    }

    // MARK: - Ports

    mutating func port() -> UInt16 {
        let value: UInt16 = chance(0.6) ? pick([1, 22, 53, 80, 443, 1023, 1024, 3478, 5061, 8080, 40000, 65535]) : UInt16(int(1...65535))
        notePort(value)
        return value
    }

    mutating func notePort(_ value: UInt16) {
        boundaryPorts.append(value)
        if value > 1 { boundaryPorts.append(value - 1) }
        if value < 65535 { boundaryPorts.append(value + 1) }
    }

    mutating func portSpec() -> String {
        if chance(0.6) { return "\(port())" }
        var a = port(), b = chance(0.5) ? port() : UInt16(clamping: Int(a) + int(0...2000))
        notePort(b)
        if a > b { swap(&a, &b) }
        // multiport refuses a range whose ends are equal ("invalid portrange").
        return a == b ? "\(a)" : "\(a):\(b)"
    }

    // MARK: - Rules

    enum ChainKind { case prerouting, input, forward, output, postrouting, user }

    static let baseChains: [String: [String]] = [
        "raw": ["PREROUTING", "OUTPUT"],
        "mangle": ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
        "filter": ["INPUT", "FORWARD", "OUTPUT"],
    ]

    mutating func ruleset() -> GeneratedRuleset {
        var tables: [GeneratedRuleset.Table] = []
        if !excluded.contains("raw") && chance(0.35) { tables.append(table("raw")) }
        if !excluded.contains("mangle") && chance(0.4) { tables.append(table("mangle")) }
        tables.append(table("filter"))
        if !excluded.contains("nat") && chance(0.35) { tables.append(natTable()) }
        return GeneratedRuleset(family: family, tables: tables)
    }

    // MARK: - Address translation

    /// A nat table: policies ACCEPT (the kernel refuses filtering there), a few translations.
    mutating func natTable() -> GeneratedRuleset.Table {
        var chains: [GeneratedRuleset.Chain] = []
        for base in ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"] {
            let count = base == "INPUT" ? 0 : int(0...3)
            chains.append(GeneratedRuleset.Chain(name: base, policy: "ACCEPT", rules: (0..<count).map { _ in natRule(chain: base) }))
        }
        return GeneratedRuleset.Table(name: "nat", chains: chains)
    }

    /// One address a translation sends connections to: the host itself, the network behind br0,
    /// the far side, or a network routed through eth0.
    mutating func translationTarget() -> UInt128 {
        let links = layout.links
        switch int(0...5) {
        case 0: return pick(layout.localAddresses(family)).value
        case 1, 2:
            // The bridge-like network: its peer or another host on it.
            let bridge = links.last!
            let peer = parse(family == .ipv4 ? bridge.peerV4 : bridge.peerV6)
            return chance(0.5) ? peer : peer + UInt128(int(1...40))
        case 3: return parse(family == .ipv4 ? links[1].peerV4 : links[1].peerV6)
        default: return family == .ipv4 ? parse("10.0.0.0") + UInt128(int(1...0xffff)) : parse("2001:db8:a::") + UInt128(int(1...0xffff))
        }
    }

    mutating func natRule(chain: String) -> GeneratedRuleset.Rule {
        var matches: [String] = []
        if chance(0.3) { matches.append("\(negation())-s \(prefix().text)") }
        if chance(0.35) { matches.append("\(negation())-d \(prefix().text)") }
        if chain == "PREROUTING" && chance(0.25) { matches.append("\(negation())-i \(interfaceName())") }
        if chain == "POSTROUTING" && chance(0.3) { matches.append("\(negation())-o \(interfaceName())") }
        var proto: String?
        if chance(0.7) {
            proto = pick(["tcp", "tcp", "udp"])
            matches.append("-p \(proto!)")
            if chance(0.7) { matches.append("-m \(proto!) \(negation(0.1))--dport \(portSpec())") }
        }
        let roll = int(0...9)
        let target: String
        switch chain {
        case "PREROUTING", "OUTPUT":
            if roll < 5 {
                let address = format(translationTarget())
                let port = proto != nil && chance(0.5) ? port() : nil
                let written = family == .ipv4 ? address : (port == nil ? address : "[\(address)]")
                target = "-j DNAT --to-destination \(written)\(port.map { ":\($0)" } ?? "")"
            } else if roll < 8 {
                target = proto != nil && chance(0.6) ? "-j REDIRECT --to-ports \(port())" : "-j REDIRECT"
            } else {
                target = roll == 8 ? "-j ACCEPT" : "-j RETURN"
            }
        default:
            if roll < 5 {
                target = "-j SNAT --to-source \(format(pick(layout.localAddresses(family)).value))"
            } else if roll < 8 {
                target = "-j MASQUERADE"
            } else {
                target = "-j ACCEPT"
            }
        }
        return GeneratedRuleset.Rule(matches: matches, target: target)
    }

    mutating func table(_ name: String) -> GeneratedRuleset.Table {
        let userCount = excluded.contains("user-chains") ? 0 : int(0...3)
        let userNames = (0..<userCount).map { "u\($0 + 1)" }
        var chains: [GeneratedRuleset.Chain] = []
        for base in RulesetGenerator.baseChains[name]! {
            let policy = name == "filter" ? (chance(0.5) ? "DROP" : "ACCEPT") : (chance(0.85) ? "ACCEPT" : "DROP")
            let count = int(0...(name == "filter" ? 7 : 4))
            let rules = (0..<count).map { _ in rule(table: name, chain: base, callees: userNames) }
            chains.append(GeneratedRuleset.Chain(name: base, policy: policy, rules: rules))
        }
        for (index, user) in userNames.enumerated() {
            let count = int(1...5)
            // Only later chains are callees: no loops.
            let callees = Array(userNames[(index + 1)...])
            let rules = (0..<count).map { _ in rule(table: name, chain: user, callees: callees) }
            chains.append(GeneratedRuleset.Chain(name: user, policy: nil, rules: rules))
        }
        return GeneratedRuleset.Table(name: name, chains: chains)
    }

    mutating func negation(_ probability: Double = 0.2) -> String { chance(probability) ? "! " : "" }

    mutating func interfaceName() -> String { pick(["eth0", "eth1", "eth+", "eth2", "lo", "eth0", "eth1"]) }

    mutating func rule(table: String, chain: String, callees: [String]) -> GeneratedRuleset.Rule {
        var matches: [String] = []
        let inAllowed = ["PREROUTING", "INPUT", "FORWARD"].contains(chain) || chain.hasPrefix("u")
        let outAllowed = ["FORWARD", "OUTPUT", "POSTROUTING"].contains(chain) || chain.hasPrefix("u")
        if chance(0.3) { matches.append("\(negation())-s \(prefix().text)") }
        if chance(0.3) { matches.append("\(negation())-d \(prefix().text)") }
        if inAllowed && chance(0.2) { matches.append("\(negation())-i \(interfaceName())") }
        if outAllowed && chance(0.2) { matches.append("\(negation())-o \(interfaceName())") }
        if chance(0.65) {
            let icmpName = family == .ipv4 ? "icmp" : "ipv6-icmp"
            let proto = pick(["tcp", "tcp", "tcp", "udp", "udp", icmpName, icmpName, "253"])
            if chance(0.08) {
                matches.append("! -p \(proto)")
            } else {
                matches.append("-p \(proto)")
                matches += protocolMatches(proto)
            }
        }
        // In the raw table the packet has no connection yet: conntrack-based matches are a hazard of their own.
        let conntrackHere = table != "raw" || !excluded.contains("raw-conntrack")
        if chance(0.08) && !excluded.contains("iprange") {
            let low = anchorAddress(), high = low + UInt128(int(0...300))
            for value in [low, high] { boundaryAddresses.append(value); boundaryAddresses.append(value + 1); if value > 0 { boundaryAddresses.append(value - 1) } }
            let option = chance(0.5) ? "--src-range" : "--dst-range"
            if high <= fullMask { matches.append("-m iprange \(negation())\(option) \(format(low))-\(format(high))") }
        }
        if conntrackHere && !excluded.contains("ctstate") && chance(0.2) {
            if chance(0.8) {
                // DNAT and SNAT: whether a nat rule translated the connection (without a nat table they never hold).
                let states = pick(["NEW", "NEW", "RELATED,ESTABLISHED", "INVALID", "NEW,ESTABLISHED", "UNTRACKED", "DNAT", "SNAT"])
                matches.append("-m conntrack \(negation())--ctstate \(states)")
            } else {
                matches.append("-m state \(negation())--state \(pick(["NEW", "RELATED,ESTABLISHED"]))")
            }
        }
        if !excluded.contains("mark") && chance(0.1) {
            // Full masks are decided exactly; a mask on a few low bits is an unknown condition for fwaudit.
            matches.append("-m mark \(negation())--mark \(pick(["0x1", "0x2", "0x3", "0x0", "0x100/0xffffff00", "0x2/0x2", "0x0/0x1"]))")
        }
        if conntrackHere && !excluded.contains("connmark") && chance(0.06) {
            matches.append("-m connmark \(negation())--mark \(pick(["0x1", "0x0", "0x2", "0x100/0xffffff00"]))")
        }
        if !excluded.contains("throttles") && chance(0.12) { matches.append(throttle(conntrackHere: conntrackHere)) }
        if chance(0.04) { matches.append("-m comment --comment oracle-\(int(1...999))") }
        return GeneratedRuleset.Rule(matches: matches, target: target(table: table, chain: chain, callees: callees))
    }

    /// A throttle match, as iptables-save writes it. Connection limits need connection tracking, so
    /// they are drawn only where the packet has a connection (`conntrackHere`).
    mutating func throttle(conntrackHere: Bool) -> String {
        throttleCount += 1
        let number = throttleCount
        var kinds = ["limit", "hashlimit", "recent", "recent", "quota"]
        if conntrackHere { kinds += ["connlimit", "connlimit"] }
        switch pick(kinds) {
        case "limit":
            return "-m limit --limit 10000/sec --limit-burst 10000"
        case "hashlimit":
            let option = chance(0.5) ? "--hashlimit-upto" : "--hashlimit-above"
            return "-m hashlimit \(option) 10000/sec --hashlimit-burst 10000 --hashlimit-mode srcip --hashlimit-name h\(number)"
        case "connlimit":
            let option = chance(0.5) ? "--connlimit-upto" : "--connlimit-above"
            return "-m connlimit \(negation())\(option) 100000 --connlimit-mask \(width) --connlimit-saddr"
        case "quota":
            return "-m quota \(negation())--quota 1000000000"
        default:
            if chance(0.3) { return "-m recent --set --name s\(number) --mask \(format(fullMask)) --rsource" }
            let mode = pick(["--rcheck --seconds 60", "--update --seconds 60 --hitcount \(int(2...5))", "--rcheck", "--update", "--remove"])
            return "-m recent \(negation())\(mode) --name w\(number) --mask \(format(fullMask)) --rsource"
        }
    }

    mutating func protocolMatches(_ proto: String) -> [String] {
        var result: [String] = []
        switch proto {
        case "tcp", "udp":
            if chance(0.45) { result.append("-m \(proto) \(negation())--dport \(portSpec())") }
            if chance(0.2) { result.append("-m \(proto) \(negation())--sport \(portSpec())") }
            if chance(0.2) {
                let option = pick(["--dports", "--dports", "--sports", "--ports"])
                let list = (0..<int(1...4)).map { _ in portSpec() }
                result.append("-m multiport \(negation())\(option) \(list.joined(separator: ","))")
            }
            if proto == "tcp" && chance(0.12) {
                result.append(chance(0.6) ? "-m tcp \(negation())--syn" : "-m tcp --tcp-flags \(pick(["SYN,ACK SYN", "FIN,SYN,RST,ACK SYN", "ACK ACK", "SYN,RST SYN", "ALL SYN"]))")
            }
        case "icmp":
            if chance(0.55) {
                let type = pick(["echo-request", "8", "8/0", "8/1", "13", "timestamp-request", "15", "17", "address-mask-request",
                                 "echo-reply", "destination-unreachable", "any"])
                result.append("-m icmp \(negation())--icmp-type \(type)")
            }
        case "ipv6-icmp":
            if chance(0.55) {
                let type = pick(["echo-request", "128", "128/0", "128/1", "139", "echo-reply", "destination-unreachable", "135"])
                result.append("-m icmp6 \(negation())--icmpv6-type \(type)")
            }
        default:
            break
        }
        return result
    }

    mutating func target(table: String, chain: String, callees: [String]) -> String? {
        let isUser = chain.hasPrefix("u")
        // Only the raw table may stop connection tracking.
        if table == "raw" && !excluded.contains("notrack") && chance(0.12) { return chance(0.5) ? "-j CT --notrack" : "-j NOTRACK" }
        let roll = int(0...99)
        switch roll {
        case 0..<30: return "-j ACCEPT"
        case 30..<55: return "-j DROP"
        case 55..<62:
            // Written the way iptables-save prints it.
            guard table == "filter" else { return "-j DROP" }
            return family == .ipv4 ? "-j REJECT --reject-with icmp-port-unreachable" : "-j REJECT --reject-with icmp6-port-unreachable"
        case 62..<72: return isUser || chance(0.2) ? "-j RETURN" : "-j ACCEPT"
        case 72..<86: return callees.isEmpty ? "-j DROP" : "-j \(pick(callees))"
        case 86..<91: return callees.isEmpty ? "-j ACCEPT" : "-g \(pick(callees))"
        case 91..<94: return "-j LOG --log-prefix oracle:"
        case 94..<97:
            if excluded.contains("mark") { return "-j ACCEPT" }
            return "-j MARK --set-xmark \(pick(["0x1/0xffffffff", "0x2/0x2", "0x3/0xffffffff", "0x0/0x1"]))"
        case 97..<99:
            if excluded.contains("connmark") || (table == "raw" && excluded.contains("raw-conntrack")) { return "-j ACCEPT" }
            return "-j CONNMARK \(pick(["--set-xmark 0x1/0xffffffff", "--set-xmark 0x2/0xffffffff", "--save-mark", "--restore-mark"]))"
        default: return nil
        }
    }

    // MARK: - Probes

    /// `count` new-connection probes with ids from `firstID`, no two in one conntrack tuple (either way round).
    mutating func probes(count: Int, firstID: Int) -> [Probe] {
        var probes: [Probe] = []
        var tuples = Set<[UInt128]>()
        var attempts = 0
        while probes.count < count && attempts < count * 20 {
            attempts += 1
            let probe = self.probe(id: firstID + probes.count)
            let packet = probe.packet
            let ports: [UInt128] = packet.hasPorts ? [UInt128(packet.sourcePort), UInt128(packet.destinationPort)] : [0, 0]
            let forward = [UInt128(packet.layer4Protocol), packet.source, ports[0], packet.destination, ports[1]]
            let reverse = [UInt128(packet.layer4Protocol), packet.destination, ports[1], packet.source, ports[0]]
            // ICMP tuples carry the probe's own id: never shared.
            if !packet.isICMP {
                if tuples.contains(forward) || tuples.contains(reverse) { continue }
                tuples.insert(forward)
            }
            probes.append(probe)
        }
        return probes
    }

    mutating func probeAddress(excluding: AddressSet) -> UInt128 {
        for _ in 0..<50 {
            let candidate = !boundaryAddresses.isEmpty && chance(0.7) ? pick(boundaryAddresses) : anchorAddress()
            if usable(candidate) && !excluding.contains(candidate) { return candidate }
        }
        return family == .ipv4 ? parse("203.0.113.99") : parse("2001:db8:ffff::99")
    }

    mutating func probePort() -> UInt16 {
        !boundaryPorts.isEmpty && chance(0.75) ? pick(boundaryPorts) : (chance(0.5) ? UInt16(int(1024...65535)) : port())
    }

    mutating func probe(id: Int) -> Probe {
        let local = layout.localSet(family)
        let sides: [ProbeSide] = [.host, .host, .host] + layout.links.flatMap { [ProbeSide.link($0.name), .link($0.name), .link($0.name)] }
        let side = pick(sides)
        let icmp: UInt8 = family == .ipv4 ? 1 : 58
        let proto: UInt8 = pick([6, 6, 6, 6, 17, 17, 17, icmp, icmp, 253])
        var source: UInt128, destination: UInt128
        if side == .host {
            source = chance(0.85) ? pick(layout.localAddresses(family)).value : probeAddress(excluding: local)
            destination = probeAddress(excluding: local)
        } else {
            // The peer's own address would never leave the peer.
            guard case .link(let name) = side, let link = layout.links.first(where: { $0.name == name }) else { fatalError() }
            let peer = AddressSet(value: parse(family == .ipv4 ? link.peerV4 : link.peerV6))
            source = probeAddress(excluding: local)
            destination = chance(0.45) ? pick(layout.localAddresses(family)).value : probeAddress(excluding: local.union(peer))
        }
        var packet = Packet(family: family, layer4Protocol: proto, source: source, destination: destination)
        if proto == 6 || proto == 17 {
            packet.sourcePort = chance(0.5) ? probePort() : UInt16(int(32768...60999))
            packet.destinationPort = probePort()
        }
        if proto == 6 {
            // SYN opens a connection; a lone ACK is picked up mid-stream as new too (nf_conntrack_tcp_loose).
            packet.tcpFlags = pick([0x02, 0x02, 0x02, 0x02, 0x02, 0x02, 0x10, 0xc2])
        }
        if proto == icmp {
            // Only the types connection tracking opens a connection with.
            let type: UInt16 = family == .ipv4 ? pick([8, 8, 8, 13, 15, 17]) : pick([128, 128, 139])
            packet.icmpType = type << 8 | (chance(0.8) ? 0 : UInt16(int(1...3)))
        }
        return Probe(id: id, side: side, packet: packet, layout: layout)
    }
}
