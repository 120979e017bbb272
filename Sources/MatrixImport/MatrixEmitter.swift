import FirewallModel
import PortMatrix

/// A zone of the imported matrix: the roles it stands for and, once bound, its addresses.
public struct ImportedZone: Sendable, Hashable {
    public var id: String
    /// The role texts (as the pages write them) that became this zone.
    public var roles: [String]
    public var binding: ZoneBindings.Binding?
    /// Wildcard roles (`Any`, `Qualsiasi`) need no binding: they are every address.
    public var isWildcard: Bool

    public var isBound: Bool { binding != nil || isWildcard }
}

/// The matrix an import produces: flows with zone ids, zones bound or left as marked placeholders.
public struct ImportedMatrix: Sendable {
    public var name: String
    public var reference: String
    public var zones: [ImportedZone]
    public var flows: [ImportedFlow]
    /// Flow ids, parallel to `flows`.
    public var flowIDs: [String]
    /// Zone ids of `from` and `to`, parallel to `flows`.
    public var endpoints: [(from: String, to: String)]

    public var unboundZones: [ImportedZone] { zones.filter { !$0.isBound } }

    /// Roles become zones (bound by `bindings`, wildcards to `any`, others to placeholder zones named by slug).
    public init(name: String, pages: [PageImport], bindings: ZoneBindings = ZoneBindings()) {
        self.name = name
        flows = pages.flatMap(\.flows)
        var zoneIndex: [String: Int] = [:]
        var zones: [ImportedZone] = []
        func zoneID(for role: String) -> String {
            let binding = bindings.binding(for: role)
            let isWildcard = binding == nil && RoleName.isWildcard(role)
            let id = binding?.id ?? (isWildcard ? RoleName.anyZone : RoleName.slug(role))
            if let index = zoneIndex[id] {
                if !zones[index].roles.contains(role) { zones[index].roles.append(role) }
            } else {
                zoneIndex[id] = zones.count
                zones.append(ImportedZone(id: id, roles: [role], binding: binding ?? (id == RoleName.anyZone ? bindings.bindings.first { $0.id == id } : nil), isWildcard: isWildcard))
            }
            return id
        }
        endpoints = flows.map { (zoneID(for: $0.fromRole), zoneID(for: $0.toRole)) }
        self.zones = zones

        var used: [String: Int] = [:]
        flowIDs = flows.map { flow in
            let base = RoleName.slug(flow.service ?? flow.protocol.rawValue)
            var stem = base.hasPrefix("role-") ? flow.protocol.rawValue.replacingOccurrences(of: "+", with: "-") : base
            if let first = flow.ports?.min { stem += "-\(first)" }
            used[stem, default: 0] += 1
            return used[stem]! == 1 ? stem : "\(stem)-\(used[stem]!)"
        }

        var tablesByPage: [(String, [String])] = []
        for page in pages {
            let tables = page.portTables.filter { $0.flowsImported > 0 }.map { "table \($0.number)" + ($0.heading.map { " '\($0)'" } ?? "") }
            if !tables.isEmpty { tablesByPage.append((page.page, tables)) }
        }
        reference = "Imported by fwaudit matrix import from " + tablesByPage.map { "\($0.0) (\($0.1.joined(separator: ", ")))" }.joined(separator: "; ")
    }
}

/// YAML emission: the imported matrix as matrix format v1, with comments that tell the user what
/// to review. Unbound zones are written as `addresses: []` with an `UNBOUND` comment: valid YAML
/// that the matrix loader refuses (`must not be empty`) at that line, so a matrix whose roles have
/// no addresses yet can never be audited by mistake.
public enum MatrixEmitter {
    public static let unboundMarker = "UNBOUND"

    public static func yaml(_ matrix: ImportedMatrix) -> String {
        var out = "# Port matrix imported by fwaudit matrix import. Review it against the pages cited below.\n"
        if !matrix.unboundZones.isEmpty {
            out += "# Zones marked \(unboundMarker) still need addresses (edit them, or bind their roles with --zones);\n"
            out += "# until then the matrix does not load.\n"
        }
        out += "version: 1\n"
        out += "name: \(quote(matrix.name))\n"
        out += "reference: \(quote(matrix.reference))\n"
        out += "zones:\n"
        for zone in matrix.zones {
            for role in zone.roles { out += "  # role: \(quote(role))\n" }
            out += "  \(zone.id):\n"
            if let binding = zone.binding {
                if binding.isLocal { out += "    local: true\n" }
                out += "    addresses: [\(binding.addresses.map(quote).joined(separator: ", "))]\n"
                if !binding.interfaces.isEmpty { out += "    interfaces: [\(binding.interfaces.map(quote).joined(separator: ", "))]\n" }
            } else if zone.isWildcard {
                out += "    addresses: [any]\n"
            } else {
                out += "    addresses: []  # \(unboundMarker): addresses of this role (and local: true if it is the audited host)\n"
            }
        }
        out += matrix.flows.isEmpty ? "flows: []\n" : "flows:\n"
        for (index, flow) in matrix.flows.enumerated() {
            out += "  - id: \(matrix.flowIDs[index])\n"
            if let service = flow.service { out += "    service: \(quote(service))\n" }
            out += "    protocol: \(flow.protocol.rawValue)\n"
            if let ports = flow.ports { out += "    ports: \(quote(ports.portSyntax))\n" }
            if let sourcePorts = flow.sourcePorts { out += "    sourcePorts: \(quote(sourcePorts.portSyntax))\n" }
            out += "    from: \(matrix.endpoints[index].from)\n"
            out += "    to: \(matrix.endpoints[index].to)\n"
            out += "    note: \(quote(note(flow)))\n"
        }
        out += "allow: [loopback, established]\n"
        return out
    }

    /// Provenance first, so a finding leads back to the documentation line: `page.md:67: table 1 'heading', row 3: remark`.
    public static func note(_ flow: ImportedFlow) -> String {
        var text = "\(flow.origin.page):\(flow.origin.line): table \(flow.origin.table)"
        if let heading = flow.origin.heading { text += " '\(heading)'" }
        text += ", row \(flow.origin.row)"
        if let remark = flow.note { text += ": \(remark)" }
        return text
    }

    /// A YAML double-quoted scalar.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\u{00A0}": out += "\\_"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{FEFF}" || (0x80...0x9F).contains(scalar.value) {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A one-zone matrix, to let the matrix loader judge a zone binding.
    static func zoneProbe(id: String, isLocal: Bool, addresses: [String], interfaces: [String]) -> String {
        var out = "version: 1\nzones:\n  \(quote(id)):\n"
        if isLocal { out += "    local: true\n" }
        out += "    addresses: [\(addresses.map(quote).joined(separator: ", "))]\n"
        if !interfaces.isEmpty { out += "    interfaces: [\(interfaces.map(quote).joined(separator: ", "))]\n" }
        return out + "flows: []\n"
    }
}

import Foundation
