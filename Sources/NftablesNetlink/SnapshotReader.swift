import CMnl
import Glibc
import NftablesBytecode

/// Reads a consistent snapshot: every object at one ruleset generation, or nothing.
///
/// The generation is read before and after the dumps; every reply message must carry it, and
/// none may be flagged as interrupted (`NLM_F_DUMP_INTR`). Otherwise the whole read starts again,
/// a bounded number of times. Only `GET` requests are ever sent: reading never changes the ruleset.
struct SnapshotReader {
    let exchange: Exchange
    var attempts = 5

    /// Why one attempt stopped: the ruleset changed under it (try again), or reading failed.
    private enum Interruption: Error {
        case changed
        case failure(NetlinkError)
    }

    func read() throws(NetlinkError) -> Snapshot {
        for _ in 0..<attempts {
            do {
                return try readOnce()
            } catch {
                switch error {
                case .changed: continue
                case .failure(let failure): throw failure
                }
            }
        }
        throw .keptChanging(attempts: attempts)
    }

    private func readOnce() throws(Interruption) -> Snapshot {
        let generation = try currentGeneration()
        var snapshot = Snapshot(generation: generation)
        snapshot.tables = try dump(.tables, at: generation, ObjectDecoder.table)
        snapshot.chains = try dump(.chains, at: generation, ObjectDecoder.chain)
        var sets = try dump(.sets, at: generation, ObjectDecoder.set)
        for index in sets.indices {
            let set = sets[index]
            let batches: [[SetElement]] = try dump(.elements(family: set.family, table: set.table, set: set.name), at: generation) {
                ObjectDecoder.elements($0)
            }
            sets[index].elements = batches.flatMap { $0 }
        }
        snapshot.sets = sets
        for chain in snapshot.chains {
            snapshot.rules += try dump(.rules(family: chain.family, table: chain.table, chain: chain.name), at: generation, ObjectDecoder.rule)
        }
        snapshot.flowtables = try optionalDump(.flowtables, at: generation, ObjectDecoder.flowtable)
        snapshot.objects = try optionalDump(.objects, at: generation, ObjectDecoder.object)
        guard try currentGeneration() == generation else { throw .changed }
        return snapshot
    }

    private func currentGeneration() throws(Interruption) -> UInt32 {
        var generation: UInt32?
        let datagrams: [[UInt8]]
        do { datagrams = try exchange.replies(to: .generation) } catch { throw .failure(error) }
        for datagram in datagrams {
            MessageWalker.forEach(in: datagram) { message in
                if MessageWalker.isObject(message) { generation = ObjectDecoder.generation(message) }
            }
        }
        guard let generation else { throw .failure(.failed("the kernel's reply to GETGEN has no generation")) }
        return generation
    }

    /// Every object of one dump, each reply message checked against `generation`.
    private func dump<Object>(_ request: Request, at generation: UInt32,
                              _ decode: (UnsafeMutablePointer<nlmsghdr>) -> Object?) throws(Interruption) -> [Object] {
        let datagrams: [[UInt8]]
        do {
            datagrams = try exchange.replies(to: request)
        } catch {
            // An object listed a moment ago has gone: the ruleset changed under us.
            if case .failed(let text) = error, text.hasSuffix(String(cString: strerror(ENOENT))) { throw .changed }
            throw .failure(error)
        }
        var objects: [Object] = []
        var changed = false
        var undecodable = 0
        for datagram in datagrams {
            MessageWalker.forEach(in: datagram) { message in
                guard MessageWalker.isObject(message) else { return }
                if MessageWalker.isInterrupted(message) || MessageWalker.generation(of: message) != UInt16(truncatingIfNeeded: generation) {
                    changed = true
                }
                if let object = decode(message) { objects.append(object) } else { undecodable += 1 }
            }
        }
        if changed { throw .changed }
        if undecodable > 0 { throw .failure(.failed("\(undecodable) message(s) of the reply to \(request) could not be decoded")) }
        return objects
    }

    /// A dump that older kernels may not support (flowtables, named objects): unsupported is empty.
    private func optionalDump<Object>(_ request: Request, at generation: UInt32,
                                      _ decode: (UnsafeMutablePointer<nlmsghdr>) -> Object?) throws(Interruption) -> [Object] {
        do {
            return try dump(request, at: generation, decode)
        } catch {
            if case .failure(.failed(let text)) = error, text.hasSuffix(String(cString: strerror(EOPNOTSUPP))) { return [] }
            throw error
        }
    }
}
