import FirewallModel
import YAMLDocuments
import Yams

/// Reads matrix format version 1 (YAML; JSON is valid YAML) into a ``PortMatrix``.
///
/// Works on the composed node tree, not on `Codable`, so that every error can name the line and
/// column of the offending node and the key path that leads to it.
public enum PortMatrixLoader {
    /// The matrix format version this loader reads.
    public static let formatVersion = 1

    /// Loads a matrix from `text`; `source` names the input in locations (a path as the user gave it).
    public static func load(_ text: String, source: String) throws(PortMatrixError) -> PortMatrix {
        let root = try YAMLDocument.compose(text, source: source, emptyMessage: "empty matrix, expected a mapping starting with 'version: 1'")
        return try MatrixReader(source: source).matrix(root)
    }

    /// Every error the matrix has that can be found in one reading, in document order: a bad
    /// zone or flow does not hide the next one (`fwaudit matrix check`). Empty when it loads.
    public static func check(_ text: String, source: String) -> [PortMatrixError] {
        let root: Node
        do {
            root = try YAMLDocument.compose(text, source: source, emptyMessage: "empty matrix, expected a mapping starting with 'version: 1'")
        } catch {
            return [error]
        }
        let collector = MatrixReader.ErrorCollector()
        do {
            _ = try MatrixReader(source: source, collector: collector).matrix(root)
        } catch {
            collector.errors.append(error)
        }
        return collector.errors.sorted { ($0.location.line ?? 0, $0.location.column ?? 0) < ($1.location.line ?? 0, $1.location.column ?? 0) }
    }
}

/// The walk over the composed YAML tree.
struct MatrixReader: DocumentReader {
    let source: String
    /// When set, errors in one zone, flow or top-level key are collected and reading goes on.
    var collector: ErrorCollector? = nil

    /// Errors collected while reading on.
    final class ErrorCollector {
        var errors: [PortMatrixError] = []
    }

    /// `body`'s value; when collecting, an error is kept and `fallback` stands in for the value.
    func attempt<Value>(_ fallback: Value, _ body: () throws(PortMatrixError) -> Value) throws(PortMatrixError) -> Value {
        do {
            return try body()
        } catch {
            guard let collector else { throw error }
            collector.errors.append(error)
            return fallback
        }
    }

    static let rootKeys = ["version", "name", "reference", "host", "zones", "flows", "allow", "clientPorts", "denyLists"]
    static let hostKeys = ["addresses", "forwarding", "clientPorts"]
    static let zoneKeys = ["local", "addresses", "interfaces"]
    static let flowKeys = ["id", "service", "protocol", "ports", "sourcePorts", "from", "to", "note", "required", "severity"]

    func matrix(_ root: Node) throws(PortMatrixError) -> PortMatrix {
        guard case .mapping(let mapping) = root else {
            throw error(at: root, "", "expected a mapping, found \(kind(root))")
        }
        // The version decides how to read everything else, so it is checked first.
        guard let version = mapping.first(where: { $0.key.scalar?.string == "version" })?.value else {
            throw error(at: root, "version", "required, must be \(PortMatrixLoader.formatVersion)")
        }
        guard version.tagName == .int, version.int == PortMatrixLoader.formatVersion else {
            let text = version.scalar?.string ?? kind(version)
            throw error(at: version, "version", "unsupported version '\(text)', must be \(PortMatrixLoader.formatVersion)")
        }

        let fields = try self.fields(root, path: "", allowed: Self.rootKeys)
        let defaultName = source.split(separator: "/").last.map(String.init) ?? source
        let name = try attempt(defaultName) { () throws(PortMatrixError) in
            try fields.optional("name").map { (node) throws(PortMatrixError) in try nonEmptyString(node, "name") } ?? defaultName
        }
        let reference = try attempt(nil) { () throws(PortMatrixError) in
            try fields.optional("reference").map { (node) throws(PortMatrixError) in try string(node, "reference") }
        }
        let zonesNode = try fields.required("zones")
        let zones = try self.zones(zonesNode)
        // Flows may name a zone whose own definition has an error: that is one error, not two.
        let declared = zonesNode.mapping.map { $0.compactMap { $0.key.scalar?.string } } ?? zones.map(\.id)
        let flows = try self.flows(fields.required("flows"), zones: zones, declared: Set(declared))
        let allowances = try attempt(Allowance.defaults) { () throws(PortMatrixError) in
            try fields.optional("allow").map { (node) throws(PortMatrixError) in try self.allowances(node) } ?? Allowance.defaults
        }
        let host = try attempt(HostDeclaration()) { () throws(PortMatrixError) in
            try fields.optional("host").map { (node) throws(PortMatrixError) in try self.host(node) } ?? HostDeclaration()
        }
        let clientPorts = try attempt(PortMatrix.defaultClientPorts) { () throws(PortMatrixError) in
            try fields.optional("clientPorts").map { (node) throws(PortMatrixError) in try self.ports(node, "clientPorts") }
                ?? PortMatrix.defaultClientPorts
        }
        let denyLists = try attempt([]) { () throws(PortMatrixError) in
            try fields.optional("denyLists").map { (node) throws(PortMatrixError) in try self.denyLists(node) } ?? []
        }
        return PortMatrix(name: name, reference: reference, source: source, zones: zones, flows: flows, allowances: allowances,
                          host: host, clientPorts: clientPorts, denyLists: denyLists)
    }

    // MARK: Host

    func host(_ node: Node) throws(PortMatrixError) -> HostDeclaration {
        let fields = try self.fields(node, path: "host", allowed: Self.hostKeys)
        var addresses: [AddressPrefix] = []
        if let addressNode = fields.optional("addresses") {
            for (index, item) in try list(addressNode, "host.addresses", of: "addresses").enumerated() {
                let itemPath = addressNode.sequence == nil ? "host.addresses" : "host.addresses[\(index)]"
                let text = try string(item, itemPath)
                switch AddressSyntax.parse(text) {
                case .success(let prefix): addresses.append(prefix)
                case .failure(let problem): throw error(at: item, itemPath, text == "any" ? "the host's addresses are its own, not 'any'" : problem.message)
                }
            }
        }
        let forwarding = try fields.optional("forwarding").map { (node) throws(PortMatrixError) in try bool(node, "host.forwarding") }
        let clientPorts = try fields.optional("clientPorts").map { (node) throws(PortMatrixError) in try self.ports(node, "host.clientPorts") }
            ?? HostDeclaration.defaultClientPorts
        return HostDeclaration(addresses: addresses, forwarding: forwarding, clientPorts: clientPorts, location: location(node))
    }

    // MARK: Deny lists

    func denyLists(_ node: Node) throws(PortMatrixError) -> [DenyList] {
        var result: [DenyList] = []
        for (index, item) in try list(node, "denyLists", of: "chain-name globs or @set names").enumerated() {
            let path = node.sequence == nil ? "denyLists" : "denyLists[\(index)]"
            let text = try string(item, path)
            guard let entry = DenyList(text) else { throw error(at: item, path, "expected a chain-name glob (f2b-*) or a set name (@blocklist)") }
            result.append(entry)
        }
        return result
    }

    // MARK: Zones

    func zones(_ node: Node) throws(PortMatrixError) -> [Zone] {
        guard case .mapping(let mapping) = node else {
            throw error(at: node, "zones", "expected a mapping of zone ids to zones, found \(kind(node))")
        }
        var zones: [Zone] = []
        for (key, value) in mapping {
            let zone = try attempt(nil) { () throws(PortMatrixError) -> Zone? in
                let id = try string(key, "zones")
                let path = "zones.\(id)"
                guard Identifier.isValid(id) else { throw error(at: key, path, "bad zone id '\(id)'; \(Identifier.rule)") }
                return try self.zone(id: id, key: key, value: value, path: path)
            }
            if let zone { zones.append(zone) }
        }
        return zones
    }

    func zone(id: String, key: Node, value: Node, path: String) throws(PortMatrixError) -> Zone {
        let fields = try self.fields(value, path: path, allowed: Self.zoneKeys)
        let isLocal = try fields.optional("local").map { (node) throws(PortMatrixError) in try bool(node, "\(path).local") } ?? false

        let addressesPath = "\(path).addresses"
        let addressNode = try fields.required("addresses")
        let items = try list(addressNode, addressesPath, of: "addresses")
        if items.isEmpty { throw error(at: addressNode, addressesPath, "must not be empty") }
        var isAny = false
        var addresses: [AddressPrefix] = []
        for (index, item) in items.enumerated() {
            let itemPath = addressNode.sequence == nil ? addressesPath : "\(addressesPath)[\(index)]"
            let text = try string(item, itemPath)
            if text == "any" {
                isAny = true
            } else {
                switch AddressSyntax.parse(text) {
                case .success(let prefix): addresses.append(prefix)
                case .failure(let problem): throw error(at: item, itemPath, problem.message)
                }
            }
        }
        if isAny && items.count > 1 {
            throw error(at: addressNode, addressesPath, "'any' already covers every address; list it alone")
        }

        var interfaces: [InterfacePattern] = []
        if let interfaceNode = fields.optional("interfaces") {
            let interfacesPath = "\(path).interfaces"
            let items = try list(interfaceNode, interfacesPath, of: "interface names")
            for (index, item) in items.enumerated() {
                let itemPath = interfaceNode.sequence == nil ? interfacesPath : "\(interfacesPath)[\(index)]"
                let text = try string(item, itemPath)
                guard let pattern = InterfaceSyntax.parse(text) else {
                    throw error(at: item, itemPath, "bad interface name '\(text)'")
                }
                interfaces.append(pattern)
            }
        }
        return Zone(id: id, isLocal: isLocal, isAny: isAny, addresses: addresses, interfaces: interfaces, location: location(key))
    }

    // MARK: Flows

    func flows(_ node: Node, zones: [Zone], declared: Set<String>? = nil) throws(PortMatrixError) -> [Flow] {
        guard case .sequence(let sequence) = node else {
            throw error(at: node, "flows", "expected a list of flows, found \(kind(node))")
        }
        let zoneIDs = declared ?? Set(zones.map(\.id))
        var seen: [String: SourceLocation] = [:]
        var flows: [Flow] = []
        for (index, item) in sequence.enumerated() {
            let flow = try attempt(nil) { () throws(PortMatrixError) -> Flow? in
                try self.flow(item, index: index, zoneIDs: zoneIDs, seen: &seen)
            }
            if let flow { flows.append(flow) }
        }
        return flows
    }

    /// One item of `flows`; `seen` holds the ids read so far, to refuse duplicates.
    func flow(_ item: Node, index: Int, zoneIDs: Set<String>, seen: inout [String: SourceLocation]) throws(PortMatrixError) -> Flow {
        let path = "flows[\(index)]"
        let fields = try self.fields(item, path: path, allowed: Self.flowKeys)

        let idNode = try fields.required("id")
        let id = try string(idNode, "\(path).id")
        guard Identifier.isValid(id) else { throw error(at: idNode, "\(path).id", "bad flow id '\(id)'; \(Identifier.rule)") }
        if let first = seen[id] {
            throw error(at: idNode, "\(path).id", "duplicate flow id '\(id)' (first at line \(first.line ?? 0))")
        }
        seen[id] = location(item)

        let service = try fields.optional("service").map { (node) throws(PortMatrixError) in try string(node, "\(path).service") }
        let note = try fields.optional("note").map { (node) throws(PortMatrixError) in try string(node, "\(path).note") }

        let protocolNode = try fields.required("protocol")
        let protocolText = try string(protocolNode, "\(path).protocol")
        guard let flowProtocol = FlowProtocol(rawValue: protocolText) else {
            let names = FlowProtocol.keywords.map(\.rawValue).joined(separator: ", ")
            throw error(at: protocolNode, "\(path).protocol",
                        "unknown protocol '\(protocolText)' (expected \(names), an /etc/protocols name such as esp, gre or vrrp, or a number from 0 to 255)")
        }

        var ports: PortSet?
        var sourcePorts: PortSet?
        if flowProtocol.hasPorts {
            guard let portsNode = fields.optional("ports") else {
                throw error(at: item, "\(path).ports", "ports required for \(flowProtocol.rawValue)")
            }
            ports = try self.ports(portsNode, "\(path).ports")
            sourcePorts = try fields.optional("sourcePorts").map { (node) throws(PortMatrixError) in try self.ports(node, "\(path).sourcePorts") }
        } else {
            for key in ["ports", "sourcePorts"] {
                if let node = fields.optional(key) {
                    throw error(at: node, "\(path).\(key)", "ports apply to tcp, udp and sctp")
                }
            }
        }

        let from = try zoneReference(fields.required("from"), "\(path).from", zoneIDs)
        let to = try zoneReference(fields.required("to"), "\(path).to", zoneIDs)
        let isRequired = try fields.optional("required").map { (node) throws(PortMatrixError) in try bool(node, "\(path).required") } ?? true

        var severity = Severity.high
        if let severityNode = fields.optional("severity") {
            let text = try string(severityNode, "\(path).severity")
            guard let value = Severity(rawValue: text) else {
                throw error(at: severityNode, "\(path).severity", "unknown severity '\(text)' (expected low, medium, high or critical)")
            }
            severity = value
        }

        return Flow(id: id, service: service, protocol: flowProtocol, ports: ports, sourcePorts: sourcePorts,
                    from: from, to: to, note: note, isRequired: isRequired, severity: severity, location: location(item))
    }

    func zoneReference(_ node: Node, _ path: String, _ zoneIDs: Set<String>) throws(PortMatrixError) -> String {
        let id = try string(node, path)
        guard zoneIDs.contains(id) else {
            let hint = Suggestion.closest(to: id, in: zoneIDs.sorted()).map { ", did you mean '\($0)'?" } ?? ""
            throw error(at: node, path, "unknown zone '\(id)'\(hint)")
        }
        return id
    }

    /// `5061`, `"80,443"`, `"50000-59999"` or a list of those.
    func ports(_ node: Node, _ path: String) throws(PortMatrixError) -> PortSet {
        switch node {
        case .scalar(let scalar) where node.tagName != .null:
            switch PortSyntax.check(scalar.string) {
            case .success(let ports): return ports
            case .failure(let problem): throw error(at: node, path, problem.message)
            }
        case .sequence(let sequence):
            if sequence.isEmpty { throw error(at: node, path, "empty port list") }
            var ports = PortSet()
            for (index, item) in sequence.enumerated() {
                let itemPath = "\(path)[\(index)]"
                guard case .scalar = item, item.tagName != .null else {
                    throw error(at: item, itemPath, "expected a port or a range, found \(kind(item))")
                }
                let itemPorts = try self.ports(item, itemPath)
                if !ports.isDisjoint(with: itemPorts) {
                    throw error(at: item, itemPath, "overlapping ports: \(itemPorts.intersection(ports).portSyntax) already listed")
                }
                ports = ports.union(itemPorts)
            }
            return ports
        default:
            throw error(at: node, path, "expected a port, a range or a list of them, found \(kind(node))")
        }
    }

    // MARK: Allowances

    func allowances(_ node: Node) throws(PortMatrixError) -> Set<Allowance> {
        guard case .sequence(let sequence) = node else {
            throw error(at: node, "allow", "expected a list, found \(kind(node))")
        }
        var result: Set<Allowance> = []
        for (index, item) in sequence.enumerated() {
            let path = "allow[\(index)]"
            let text = try string(item, path)
            guard let allowance = Allowance(rawValue: text) else {
                throw error(at: item, path, "unknown allowance '\(text)' (expected loopback, established, outbound, icmp or ndp)")
            }
            result.insert(allowance)
        }
        return result
    }
}

/// Zone and flow ids: `[A-Za-z0-9][A-Za-z0-9._-]*`.
enum Identifier {
    static let rule = "ids are letters, digits, '.', '_' and '-', starting with a letter or digit"

    static func isValid(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, isAlphanumeric(first) else { return false }
        return text.unicodeScalars.allSatisfy { isAlphanumeric($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
