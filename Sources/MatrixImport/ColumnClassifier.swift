import Foundation

/// What a column of a port table holds.
public enum ColumnKind: String, Sendable, Hashable, CaseIterable {
    /// `Role/Protocol/TCP or UDP/Port` cells.
    case compound
    /// Destination ports (possibly with their transports: `443/TCP`).
    case ports
    case sourcePorts
    /// TCP, UDP, `TCP/UDP`, `TCP and UDP`.
    case transport
    /// The role connections come from.
    case source
    /// The role connections go to.
    case destination
    /// Inbound, outbound or both, seen from the host the table is about.
    case direction
    /// Who talks to the host the table is about (`Used By`, `Hosts`), for direction tables.
    case peer
    /// The host the rows are about when the table has no destination column (`Server role`,
    /// `Component`, or `Host(s)` in a table without a direction).
    case host
    /// What the traffic is for: kept as the flow's service.
    case service
    case notes
    case other
}

/// Header/column classification: each column's kind from its header in English, Italian, German,
/// French, Spanish, Japanese or Chinese, checked against and completed by what its cells contain.
public enum ColumnClassifier {
    static let portWords = ["ポート", "端口", "埠"]
    static let sourceWords = ["source", "origine", "origen", "origin", "quell", "送信元", "源", "来源", "from", "von", "client"]
    static let destinationWords = ["destination", "destinazione", "destino", "ziel", "宛先", "目标", "目的", "to", "nach"]
    static let directionWords = ["direction", "direzione", "richtung", "sens", "direccion", "方向", "flusso"]
    static let peerWords = ["used by", "hosts", "host(s)", "utilizzato da", "usato da", "verwendet von", "genutzt von", "utilise par", "usado por", "使用者", "使用元", "使用方"]
    static let transportWords = ["protocol", "protokoll", "protocole", "protocolo", "プロトコル", "协议", "協定", "tcp or udp", "tcp o udp", "tcp oder udp", "tcp ou udp", "tcp または udp", "tcp 或 udp", "transport"]
    static let hostWords = ["server role", "ruolo del server", "ruolo server", "serverrolle", "role serveur", "role de serveur", "rol de servidor", "rol del servidor", "load balancer", "bilanciamento del carico", "lastenausgleich", "equilibrage de charge", "equilibrador de carga", "component", "componente", "komponente", "composant", "サーバーの役割", "サーバー役割", "服务器角色", "コンポーネント", "组件"]
    static let serviceWords = ["purpose", "service", "servizio", "dienst", "zweck", "role", "ruolo", "rolle", "rol", "traffic", "traffico", "datenverkehr", "trafic", "trafico", "application", "applicazione", "anwendung", "description", "descrizione", "beschreibung", "descripcion", "scopo", "utilizzo", "objet", "finalidad", "rule name", "nome regola", "regelname", "configuration", "サービス", "用途", "役割", "服务", "用途", "规则", "トラフィック"]
    static let notesWords = ["note", "comment", "kommentar", "anmerkung", "hinweis", "remarque", "commentaire", "nota", "comentario", "observaciones", "メモ", "コメント", "備考", "注", "备注", "说明", "注释", "other", "configurable"]

    /// The kind a header names, or nil when it names none of them.
    public static func kind(ofHeader raw: String) -> ColumnKind? {
        let header = normalize(raw)
        if header.isEmpty { return nil }
        let slashes = header.filter { $0 == "/" }.count
        if slashes >= 2, mentionsPorts(header), header.contains("tcp") || header.contains("udp") { return .compound }
        if mentionsPorts(header) {
            if contains(header, sourceWords) && !header.contains("destination") && !header.contains("destinazione") { return .sourcePorts }
            return .ports
        }
        if contains(header, peerWords) { return .peer }
        if contains(header, hostWords) { return .host }
        if contains(header, sourceWords) { return .source }
        if contains(header, destinationWords) { return .destination }
        if contains(header, directionWords) { return .direction }
        if contains(header, ["application protocol", "protocollo applicazione", "anwendungsprotokoll"]) { return .service }
        if contains(header, transportWords) { return .transport }
        if contains(header, serviceWords) { return .service }
        if contains(header, notesWords) { return .notes }
        return nil
    }

    /// Lower-cased, accents folded, Markdown emphasis gone: `**Ruolo o protocollo**` → `ruolo o protocollo`.
    static func normalize(_ text: String) -> String {
        TextCleaning.oneLine(text).folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
            .replacingOccurrences(of: "*", with: "").trimmingCharacters(in: .whitespaces)
    }

    /// Whether the header speaks of ports: a word starting or ending with `port` (`Ports`, `Porta`,
    /// `Quellport`, `Port(s)`) but not `transport`, `puerto`, or a CJK word for port.
    static func mentionsPorts(_ header: String) -> Bool {
        let tokens = header.split { !($0.isLetter || $0.isNumber) }.map(String.init)
        if tokens.contains(where: { ($0.hasPrefix("port") || $0.hasSuffix("port") || $0.hasPrefix("puert")) && !$0.hasSuffix("transport") }) { return true }
        return portWords.contains { header.contains($0) }
    }

    /// Whether any keyword occurs; keywords of three letters or fewer must be whole words (`to`, `von`).
    static func contains(_ header: String, _ words: [String]) -> Bool {
        let tokens = Set(header.split { !($0.isLetter || $0.isNumber) }.map(String.init))
        return words.contains { word in
            if word.count <= 3, word.allSatisfy({ $0.isASCII }) { return tokens.contains(word) }
            return header.contains(word)
        }
    }

    /// Every column's kind: by header first, then checked against the cells, which also classify
    /// columns whose header says nothing known. Never by position alone.
    public static func classify(_ table: SourceTable) -> [ColumnKind] {
        let count = max(table.header.count, table.rows.map(\.cells.count).max() ?? 0)
        var kinds: [ColumnKind] = []
        for column in 0..<count {
            let header = column < table.header.count ? table.header[column] : ""
            let cells = table.rows.map { $0.cell(column) }.filter { !$0.isEmpty }
            kinds.append(kind(header: header, cells: cells))
        }
        // `Host(s)` beside no direction and no destination (Antrea's requirements page) names the
        // hosts each row's ports are opened on: the rows' destination, not the peer of a direction.
        if !kinds.contains(.direction), !kinds.contains(.destination), !kinds.contains(.host),
           let column = kinds.indices.first(where: { kinds[$0] == .peer && $0 < table.header.count && contains(normalize(table.header[$0]), appliesToWords) }) {
            kinds[column] = .host
        }
        return kinds
    }

    /// Peer headers that, in a table without a direction, say which hosts a row applies to.
    static let appliesToWords = ["hosts", "host(s)"]

    static func kind(header: String, cells: [String]) -> ColumnKind {
        func share(_ test: (String) -> Bool) -> Double {
            cells.isEmpty ? 0 : Double(cells.filter(test).count) / Double(cells.count)
        }
        let byHeader = kind(ofHeader: header)
        switch byHeader {
        case .transport?:
            // `Protocol` columns that hold `HTTPS`, `SIP/MTLS`: a service column, unless the cells hold ports and transports.
            if share(isTransport) >= 0.5 { return .transport }
            if share(isCompound) >= 0.5 { return .compound }
            if share({ if case .success(let spec) = PortText.specification($0), !spec.isEmpty { return true }; return false }) >= 0.5 { return .ports }
            return .service
        case .service?, .host?, nil:
            if share(isCompound) >= 0.6 { return .compound }
            if byHeader == nil {
                if share(isOnlyTransport) >= 0.6 { return .transport }
                if share({ Direction.parse($0) != nil }) >= 0.6 { return .direction }
                // Bare numbers could be anything (CPU counts); ports written with their transport (`443/TCP`) are ports.
                if share({ if case .success(let spec) = PortText.specification($0) { return spec.ports.keys.contains { $0 != nil } }; return false }) >= 0.6 { return .ports }
                return .other
            }
            return byHeader!
        case .some(let kind):
            return kind
        }
    }

    static func isTransport(_ cell: String) -> Bool {
        guard let transports = TransportText.parse(cell, applicationProtocols: false) else { return false }
        // A transport column holds little else: `TCP (TLS)` yes, a sentence mentioning TCP no.
        let words = TransportText.words(in: cell)
        return !transports.isEmpty && words.count <= 4 && !words.contains { $0.allSatisfy(\.isNumber) }
    }

    /// Nothing but transports and joining words (`TCP`, `UDP e TCP`, `TCP (TLS)`): what a column
    /// without a known header must hold to count as a transport column (`_sip._tcp.example.com` does not).
    static func isOnlyTransport(_ cell: String) -> Bool {
        var text = TextCleaning.oneLine(cell)
        while let open = text.firstIndex(of: "("), let close = text[open...].firstIndex(of: ")") { text.removeSubrange(open...close) }
        let joiners: Set<String> = ["and", "or", "e", "o", "y", "et", "ou", "und", "oder"]
        let words = text.split { $0 == " " || $0 == "/" || $0 == "," || $0 == "+" }.map { $0.lowercased() }
        return !words.isEmpty && words.contains { Transport.named($0) != nil } && words.allSatisfy { Transport.named($0) != nil || joiners.contains($0) }
    }

    static func isCompound(_ cell: String) -> Bool {
        if case .success = CompoundCell.parse(cell) { return cell.contains("/") }
        return false
    }
}

/// Which way a direction cell says traffic flows, seen from the host the table is about.
public enum Direction: String, Sendable, Hashable {
    case inbound, outbound, both

    static let inboundWords = ["inbound", "ingress", "incoming", "in entrata", "entrata", "ingresso", "eingehend", "entrant", "entrante", "受信", "インバウンド", "入站", "入方向"]
    static let outboundWords = ["outbound", "egress", "outgoing", "in uscita", "uscita", "ausgehend", "sortant", "saliente", "送信", "アウトバウンド", "出站", "出方向"]
    static let bothWords = ["both", "bidirectional", "bidirezionale", "bidirektional", "bidirectionnel", "bidireccional", "双方向", "双向", "entrambi", "beide", "les deux", "ambos"]

    public static func parse(_ cell: String) -> Direction? {
        let text = ColumnClassifier.normalize(cell)
        if text.isEmpty { return nil }
        if ColumnClassifier.contains(text, bothWords) { return .both }
        var inbound = ColumnClassifier.contains(text, inboundWords)
        var outbound = ColumnClassifier.contains(text, outboundWords)
        // Bare `in`/`out` only when nothing longer matched (`in uscita` is outbound).
        if !inbound && !outbound {
            inbound = ColumnClassifier.contains(text, ["in"])
            outbound = ColumnClassifier.contains(text, ["out"])
        }
        switch (inbound, outbound) {
        case (true, true): return .both
        case (true, false): return .inbound
        case (false, true): return .outbound
        default: return nil
        }
    }
}
