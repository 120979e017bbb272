import Foundation

/// The packet sender run inside a namespace: builds each probe byte by byte (IPv4 with the
/// header included, IPv6 through an IPPROTO_RAW socket, which includes the header too) so that
/// addresses, ports, flags, the marker TTL and the probe id are exactly the ones chosen.
///
/// Input on stdin: a JSON list of probes. Output: one JSON line per probe whose `sendto` failed
/// (a local OUTPUT drop shows as EPERM), so the caller can tell "dropped" from "never sent".
enum Sender {
    static let script = #"""
import errno, json, socket, struct, sys

def checksum(data):
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return (~total) & 0xffff

def transport(p, pseudo):
    proto = p['proto']
    if proto == 6:
        header = struct.pack('!HHIIBBHHH', p['sport'], p['dport'], p['seq'], p['ack'], 5 << 4, p['flags'], 64240, 0, 0)
        value = checksum(pseudo(len(header)) + header)
        return header[:16] + struct.pack('!H', value) + header[18:]
    if proto == 17:
        payload = b'fwaudit-oracle'
        header = struct.pack('!HHHH', p['sport'], p['dport'], 8 + len(payload), 0) + payload
        value = checksum(pseudo(len(header)) + header) or 0xffff
        return header[:6] + struct.pack('!H', value) + header[8:]
    if proto in (1, 58):
        body = struct.pack('!BBHHH', p['icmp'] >> 8, p['icmp'] & 0xff, 0, p['icmpId'], 1) + b'fwaudit-oracle'
        value = checksum((pseudo(len(body)) if proto == 58 else b'') + body)
        return body[:2] + struct.pack('!H', value) + body[4:]
    return b'fwaudit-oracle'

probes = json.load(sys.stdin)
v4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
v6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
for p in probes:
    try:
        if p['family'] == 4:
            src = socket.inet_pton(socket.AF_INET, p['src'])
            dst = socket.inet_pton(socket.AF_INET, p['dst'])
            body = transport(p, lambda n: src + dst + struct.pack('!BBH', 0, p['proto'], n))
            header = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(body), p['id'], 0, p['ttl'], p['proto'], 0, src, dst)
            header = header[:10] + struct.pack('!H', checksum(header)) + header[12:]
            v4.sendto(header + body, (p['dst'], 0))
        else:
            src = socket.inet_pton(socket.AF_INET6, p['src'])
            dst = socket.inet_pton(socket.AF_INET6, p['dst'])
            body = transport(p, lambda n: src + dst + struct.pack('!IxxxB', n, p['proto']))
            header = struct.pack('!IHBB16s16s', (6 << 28) | (p['id'] & 0xfffff), len(body), p['proto'], p['ttl'], src, dst)
            v6.sendto(header + body, (p['dst'], 0, 0, 0))
    except OSError as error:
        print(json.dumps({'id': p['id'], 'errno': errno.errorcode.get(error.errno, str(error.errno))}))
"""#

    /// The script on disk, written once per test process.
    static let path: String = {
        let url = Commands.scratchDirectory.appendingPathComponent("send.py")
        try! Data(script.utf8).write(to: url)
        return url.path
    }()
}
