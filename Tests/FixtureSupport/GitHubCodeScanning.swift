import Foundation
import Testing

/// What GitHub code scanning requires of an uploaded SARIF file beyond the schema.
public enum GitHubCodeScanning {
    /// Each rule broken, as a line; `fingerprintKey` is the `partialFingerprints` key results must
    /// carry (any key when nil).
    public static func problems(_ text: String, fingerprintKey: String? = nil) throws -> [String] {
        var problems: [String] = []
        let log = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        if log["version"] as? String != "2.1.0" { problems.append("version is not 2.1.0") }
        if log["$schema"] == nil { problems.append("no $schema") }
        for run in log["runs"] as? [[String: Any]] ?? [] {
            let driver = (run["tool"] as? [String: Any])?["driver"] as? [String: Any] ?? [:]
            if (driver["name"] as? String)?.isEmpty != false { problems.append("tool.driver.name missing") }
            let ruleIDs = (driver["rules"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            if Set(ruleIDs).count != ruleIDs.count { problems.append("duplicate rule ids") }
            for (index, result) in (run["results"] as? [[String: Any]] ?? []).enumerated() {
                guard let ruleID = result["ruleId"] as? String, ruleIDs.contains(ruleID) else {
                    problems.append("result \(index): ruleId not among the driver's rules"); continue
                }
                if let ruleIndex = result["ruleIndex"] as? Int, ruleIndex >= ruleIDs.count || ruleIDs[ruleIndex] != ruleID {
                    problems.append("result \(index): ruleIndex does not name ruleId")
                }
                if ((result["message"] as? [String: Any])?["text"] as? String)?.isEmpty != false {
                    problems.append("result \(index): no message text")
                }
                let fingerprints = result["partialFingerprints"] as? [String: Any] ?? [:]
                let fingerprint = (fingerprintKey.map { fingerprints[$0] } ?? fingerprints.values.first) as? String
                if fingerprint?.count != 16 { problems.append("result \(index): no partialFingerprints.\(fingerprintKey ?? "*")") }
                let locations = result["locations"] as? [[String: Any]] ?? []
                let located = locations.contains { location in
                    let physical = location["physicalLocation"] as? [String: Any]
                    let uri = (physical?["artifactLocation"] as? [String: Any])?["uri"] as? String
                    let line = (physical?["region"] as? [String: Any])?["startLine"] as? Int
                    return uri.map { !$0.isEmpty && URL(string: $0) != nil } == true && (line ?? 0) >= 1
                }
                if !located { problems.append("result \(index): no location with artifactLocation.uri and region.startLine >= 1") }
                if locations.count > 10 { problems.append("result \(index): more than 10 locations") }
                if !locations.allSatisfy({ ($0["logicalLocations"] as? [[String: Any]])?.first?["fullyQualifiedName"] is String }) {
                    problems.append("result \(index): no table/chain logical location")
                }
            }
        }
        return problems
    }
}
