import FirewallModel
import PortMatrix

/// A port table's columns once classified, and what kind of layout they make.
public struct TableLayout: Sendable, Hashable {
    public var kinds: [ColumnKind]

    public init(kinds: [ColumnKind]) { self.kinds = kinds }

    public func first(_ kind: ColumnKind) -> Int? { kinds.firstIndex(of: kind) }
    public func has(_ kind: ColumnKind) -> Bool { kinds.contains(kind) }

    /// `compound` (Role/Protocol/TCP or UDP/Port cells), `direction` (a direction column and a
    /// peer, endpoints relative to the section's host) or `columns` (separate port and endpoint columns).
    public var name: String {
        if has(.compound) { return "compound" }
        if has(.direction) { return "direction" }
        return "columns"
    }

    /// Why the table is not a port table, or nil when it is one: it needs ports and a way to know their transport.
    func notAPortTable(_ table: SourceTable) -> String? {
        if has(.compound) { return nil }
        guard let portColumn = first(.ports) else { return "no port column" }
        if has(.transport) { return nil }
        if let service = first(.service), table.rows.contains(where: { TransportText.parse($0.cell(service)) != nil }) { return nil }
        let transportsInCells = table.rows.contains { row in
            if case .success(let spec) = PortText.specification(row.cell(portColumn)) { return spec.ports.keys.contains { $0 != nil } }
            return false
        }
        return transportsInCells ? nil : "no protocol column and no protocol in the port cells"
    }
}

/// Row → flows: reads one row's cells through the layout into flows between roles, or says why it cannot.
public enum RowInterpreter {
    /// The role standing for the host a table is about when the page names none.
    public static let unspecifiedHost = "this host"
    public static let unspecifiedSource = "unspecified source"
    public static let unspecifiedDestination = "unspecified destination"
    /// The role of a host column's `All`: every host the page is about.
    public static let allHosts = "all hosts"

    public static func flows(_ row: SourceRow, in table: SourceTable, layout: TableLayout) -> Result<[ImportedFlow], RowProblem> {
        let origin = RowOrigin(page: table.page, table: table.number, heading: table.heading, row: row.number, line: row.line)
        func fail(_ message: String) -> Result<[ImportedFlow], RowProblem> { .failure(RowProblem(origin: origin, message: message)) }
        func cell(_ kind: ColumnKind) -> String? { layout.first(kind).map { TextCleaning.oneLine(row.cell($0)) } }

        // Protocols and ports.
        var service = cell(.service).flatMap { $0.isEmpty ? nil : $0 }
        var groups: [(FlowProtocol, PortSet?)] = []
        if let compound = cell(.compound) {
            switch CompoundCell.parse(compound) {
            case .failure(let problem): return fail(problem.message)
            case .success(let parsed):
                service = parsed.service.isEmpty ? service : parsed.service
                groups = Transport.protocols(for: parsed.transports).map { ($0, $0.hasPorts ? parsed.ports : nil) }
            }
        } else {
            var columnTransports: Set<Transport>?
            if let text = cell(.transport) {
                guard let parsed = TransportText.parse(text) else { return fail("cannot read protocol '\(text)'") }
                columnTransports = parsed
            } else if !layout.has(.transport), let text = cell(.service), let parsed = TransportText.parse(text) {
                // `UDP/SRTP` in a traffic column names the transport when no column does.
                columnTransports = parsed
            }
            var byTransport: [Transport: PortSet] = [:]
            if let text = cell(.ports) {
                switch PortText.specification(text) {
                case .failure(let problem): return fail(problem.message)
                case .success(let spec):
                    for (transport, ports) in spec.ports {
                        if let transport {
                            byTransport[transport] = (byTransport[transport] ?? PortSet()).union(ports)
                        } else {
                            guard let columnTransports else { return fail("no protocol for ports '\(text)'") }
                            for each in columnTransports { byTransport[each] = (byTransport[each] ?? PortSet()).union(ports) }
                        }
                    }
                    if spec.isEmpty, let columnTransports {
                        for each in columnTransports { byTransport[each] = PortSet() }
                    }
                }
            } else if let columnTransports {
                for each in columnTransports { byTransport[each] = PortSet() }
            }
            if byTransport.isEmpty { return fail("no protocol or port") }
            // Transports with the same ports share a flow (`tcp+udp`).
            var bySet: [PortSet: Set<Transport>] = [:]
            for (transport, ports) in byTransport {
                let key = transport.hasPorts ? ports : PortSet()
                bySet[key, default: []].insert(transport)
            }
            for (ports, transports) in bySet.sorted(by: { ($0.key.min ?? 0) < ($1.key.min ?? 0) }) {
                for flowProtocol in Transport.protocols(for: transports) {
                    if flowProtocol.hasPorts && ports.isEmpty { return fail("no port given for \(flowProtocol.rawValue)") }
                    groups.append((flowProtocol, flowProtocol.hasPorts ? ports : nil))
                }
            }
        }

        var sourcePorts: PortSet?
        if let text = cell(.sourcePorts), !text.isEmpty {
            switch PortText.specification(text) {
            case .failure(let problem): return fail("source ports: \(problem.message)")
            case .success(let spec):
                // Transports written with source ports (`1024-65535/TCP`) repeat the row's; the ports are what counts.
                let ports = spec.ports.values.reduce(PortSet()) { $0.union($1) }
                if ports.isEmpty && !spec.saysNone { return fail("source ports: no port in '\(text)'") }
                sourcePorts = ports.isEmpty || ports.isFull() ? nil : ports
            }
        }

        // Endpoints.
        var pairs: [(String, String)] = []
        if let directionText = cell(.direction) {
            guard let direction = Direction.parse(directionText) else { return fail("cannot read direction '\(directionText)'") }
            let host = table.heading ?? unspecifiedHost
            let peerText = cell(.peer) ?? cell(.source) ?? cell(.destination) ?? ""
            var peers = peerText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            peers = peers.map { ["self", "itself", "se stesso", "selbst", "soi-meme", "si mismo", "自身", "自分"].contains(ColumnClassifier.normalize($0)) ? host : $0 }
            if peers.isEmpty { return fail("no peer for a \(direction.rawValue) row") }
            for peer in peers {
                if direction != .outbound { pairs.append((peer, host)) }
                if direction != .inbound { pairs.append((host, peer)) }
            }
        } else {
            let from = cell(.source)
            // A host column's `All` means every host of the product (to be bound), not every address.
            let to = cell(.destination) ?? cell(.host).flatMap { $0.isEmpty ? nil : PortText.wildcardWords.contains($0.lowercased()) ? allHosts : $0 }
            if let from, from.isEmpty { return fail("empty source cell") }
            if layout.has(.destination), to?.isEmpty ?? true { return fail("empty destination cell") }
            pairs.append((from ?? unspecifiedSource, to ?? table.heading ?? unspecifiedDestination))
        }

        let remark = cell(.notes).flatMap { $0.isEmpty ? nil : $0 }
        var flows: [ImportedFlow] = []
        for (flowProtocol, ports) in groups {
            for (from, to) in pairs {
                flows.append(ImportedFlow(service: service, protocol: flowProtocol, ports: ports,
                                          sourcePorts: flowProtocol.hasPorts ? sourcePorts : nil,
                                          fromRole: from, toRole: to, note: remark, origin: origin))
            }
        }
        return .success(flows)
    }
}
