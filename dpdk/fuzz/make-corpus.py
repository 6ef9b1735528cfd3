#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Recreate the seed corpus of the fuzz targets: dpdk/fuzz/corpus/<target>/.

    python3 dpdk/fuzz/make-corpus.py

Hand-made, tiny, valid inputs the fuzzers mutate from; python3 stdlib plus
the `cryptography` package (AES-GCM/ECB for the QUIC Initials). The QUIC
client seed is RFC 9001 Appendix A.2 (checked against the RFC's bytes).
fuzz_packed_record's seeds come from dpdk/fuzz/make-packed-seeds.mjs (the addon
packs fixture records). Files found by fuzzing that crashed a module (crash-*, named by the bug)
are committed next to these and are not touched by this script.
"""
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def u8(v): return struct.pack(">B", v)
def u16(v): return struct.pack(">H", v)
def u24(v): return struct.pack(">I", v)[1:]
def vec8(b): return u8(len(b)) + b
def vec16(b): return u16(len(b)) + b
def ext(t, body): return u16(t) + vec16(body)
def u16list(vals): return b"".join(u16(v) for v in vals)
def hs(t, body): return u8(t) + u24(len(body)) + body
def record(ctype, body, ver=0x0301): return u8(ctype) + u16(ver) + vec16(body)


# --- TLS hellos -------------------------------------------------------------

def client_hello_tls13():
    """A browser-like TLS 1.3 ClientHello: GREASE, SNI, ALPN, key share."""
    exts = b"".join([
        ext(0x0A0A, b""),
        ext(0x0000, vec16(u8(0) + vec16(b"example.com"))),
        ext(0x0017, b""),
        ext(0xFF01, b"\x00"),
        ext(0x000A, vec16(u16list([0x1A1A, 0x001D, 0x0017, 0x0018]))),
        ext(0x000B, vec8(b"\x00")),
        ext(0x0023, b""),
        ext(0x0010, vec16(vec8(b"h2") + vec8(b"http/1.1"))),
        ext(0x0005, b"\x01\x00\x00\x00\x00"),
        ext(0x000D, vec16(u16list([0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501,
                                    0x0806, 0x0601]))),
        ext(0x0012, b""),
        ext(0x0033, vec16(u16(0x1A1A) + vec16(b"\x00") + u16(0x001D) + vec16(bytes(range(32))))),
        ext(0x002D, vec8(b"\x01")),
        ext(0x002B, vec8(u16list([0x2A2A, 0x0304, 0x0303]))),
        ext(0x001B, vec8(u16(0x0002))),
        ext(0x3A3A, b"\x00"),
        ext(0x0015, bytes(20)),
    ])
    body = (u16(0x0303) + bytes(range(32)) + vec8(bytes(32))
            + vec16(u16list([0x4A4A, 0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C,
                             0xC030, 0xCCA9, 0xCCA8, 0xC013, 0xC014, 0x009C, 0x009D,
                             0x002F, 0x0035]))
            + vec8(b"\x00") + vec16(exts))
    return hs(1, body)


def client_hello_tls10_noext():
    """An old client: no extensions at all (JA3 '769,...,,,')."""
    body = u16(0x0301) + bytes(32) + vec8(b"") + vec16(u16list([0x0004, 0x0005, 0x000A])) + vec8(b"\x00")
    return hs(1, body)


def server_hello_tls13():
    exts = ext(0x002B, u16(0x0304)) + ext(0x0033, u16(0x001D) + vec16(bytes(32)))
    body = u16(0x0303) + bytes(range(32, 64)) + vec8(bytes(32)) + u16(0x1301) + b"\x00" + vec16(exts)
    return hs(2, body)


def server_hello_tls12():
    exts = (ext(0xFF01, b"\x00") + ext(0x0017, b"") + ext(0x000B, vec8(b"\x00"))
            + ext(0x0010, vec16(vec8(b"h2"))))
    body = u16(0x0303) + bytes(32) + vec8(b"") + u16(0xC02F) + b"\x00" + vec16(exts)
    return hs(2, body)


HRR_RANDOM = bytes.fromhex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C")


def hello_retry_request():
    exts = ext(0x002B, u16(0x0304)) + ext(0x0033, u16(0x0017))
    body = u16(0x0303) + HRR_RANDOM + vec8(bytes(32)) + u16(0x1301) + b"\x00" + vec16(exts)
    return hs(2, body)


# RFC 9001 A.2: the client Initial's payload (CRYPTO frame + PADDING).
RFC9001_CLIENT_PAYLOAD = bytes.fromhex(
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
    "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
    "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
    "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
    "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
    "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
    "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
    "75300901100f088394c8f03e51570806048000ffff") + bytes(917)
RFC9001_CLIENT_HELLO = RFC9001_CLIENT_PAYLOAD[4:4 + 0xF1]

CH13 = client_hello_tls13()
CH10 = client_hello_tls10_noext()
SH13 = server_hello_tls13()
SH12 = server_hello_tls12()
HRR = hello_retry_request()

write("fuzz_client_hello", "tls13-grease-sni-alpn", CH13)
write("fuzz_client_hello", "tls10-no-extensions", CH10)
write("fuzz_client_hello", "rfc9001-quic", RFC9001_CLIENT_HELLO)
write("fuzz_server_hello", "tls13", SH13)
write("fuzz_server_hello", "tls12-alpn", SH12)
write("fuzz_server_hello", "hello-retry-request", HRR)

# --- TLS records --------------------------------------------------------------
write("fuzz_tls_records", "ch-one-record", record(22, CH13))
# The ClientHello cut over three records with a ChangeCipherSpec between.
write("fuzz_tls_records", "ch-three-records-ccs",
      record(22, CH13[:3]) + record(20, b"\x01", 0x0303) + record(22, CH13[3:100], 0x0303)
      + record(22, CH13[100:], 0x0303))
# ServerHello and Certificate in one record, as servers pack them.
write("fuzz_tls_records", "sh-with-certificate",
      record(22, SH12 + hs(11, u24(0)), 0x0303))
write("fuzz_tls_records", "hrr-then-sh", record(22, HRR, 0x0303) + record(20, b"\x01", 0x0303)
      + record(22, SH13, 0x0303))

# --- QUIC Initials (RFC 9001 section 5) ---------------------------------------
V1_SALT = bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a")


def hkdf_extract(salt, ikm):
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def hkdf_expand_label(secret, label, length):
    full = b"tls13 " + label
    info = u16(length) + vec8(full) + vec8(b"")
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(secret, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:length]


def initial_keys(odcid, side):
    secret = hkdf_expand_label(hkdf_extract(V1_SALT, odcid), side, 32)
    return (hkdf_expand_label(secret, b"quic key", 16), hkdf_expand_label(secret, b"quic iv", 12),
            hkdf_expand_label(secret, b"quic hp", 16))


def varint(v):
    if v < 64:
        return u8(v)
    if v < 16384:
        return u16(0x4000 | v)
    return struct.pack(">I", 0x80000000 | v)


def protect_initial(odcid, side, dcid, scid, pn, payload):
    key, iv, hp = initial_keys(odcid, side)
    pn_len = 4
    length = pn_len + len(payload) + 16
    header = (u8(0xC0 | (pn_len - 1)) + struct.pack(">I", 1) + vec8(dcid) + vec8(scid)
              + varint(0) + u16(0x4000 | length) + struct.pack(">I", pn))
    nonce = bytes(a ^ b for a, b in zip(iv, bytes(8) + struct.pack(">I", pn)))
    ct = AESGCM(key).encrypt(nonce, payload, header)
    pn_off = len(header) - pn_len
    sample = ct[4 - pn_len:4 - pn_len + 16]
    enc = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    mask = enc.update(sample) + enc.finalize()
    h = bytearray(header)
    h[0] ^= mask[0] & 0x0F
    for i in range(pn_len):
        h[pn_off + i] ^= mask[1 + i]
    return bytes(h) + ct


ODCID = bytes.fromhex("8394c8f03e515708")
client_initial = protect_initial(ODCID, b"client in", ODCID, b"", 2, RFC9001_CLIENT_PAYLOAD)
assert client_initial.hex().startswith(
    "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11"), "RFC 9001 A.2 mismatch"
assert client_initial.hex().endswith("e221af44860018ab0856972e194cd934"), "RFC 9001 A.2 mismatch"
assert len(client_initial) == 1200
write("fuzz_quic", "rfc9001-a2-client-initial", client_initial)

# A server Initial: ACK frame + CRYPTO(ServerHello), keys of the same ODCID.
SCID = bytes.fromhex("f067a5502a4262b5")
server_payload = b"\x02\x00\x00\x00\x00" + b"\x06\x00" + varint(len(SH13)) + SH13
server_initial = protect_initial(ODCID, b"server in", b"", SCID, 1, server_payload)
write("fuzz_quic", "server-initial-sh", server_initial)
# A client Initial with its ClientHello in two CRYPTO frames, out of order.
two = (b"\x06" + varint(100) + varint(len(RFC9001_CLIENT_HELLO) - 100)
       + RFC9001_CLIENT_HELLO[100:] + b"\x06\x00" + varint(100) + RFC9001_CLIENT_HELLO[:100])
two += bytes(1162 - len(two))
write("fuzz_quic", "client-initial-two-crypto-frames",
      protect_initial(ODCID, b"client in", ODCID, b"", 0, two))

# Initial plaintexts (fuzz_quic also protects its input as a payload).
write("fuzz_quic", "plaintext-crypto-ping-padding",
      b"\x06\x00" + varint(len(RFC9001_CLIENT_HELLO)) + RFC9001_CLIENT_HELLO + b"\x01" + bytes(20))
write("fuzz_quic", "plaintext-ack-crypto-sh", server_payload)
write("fuzz_quic", "plaintext-two-crypto-frames-reordered", two[:len(RFC9001_CLIENT_HELLO) + 12])

# --- frames -------------------------------------------------------------------

def csum(b):
    if len(b) % 2:
        b += b"\x00"
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


C4, S4 = bytes([192, 0, 2, 1]), bytes([198, 51, 100, 7])
C6, S6 = bytes.fromhex("20010db8000000000000000000000001"), bytes.fromhex("20010db8000000000000000000000002")


def ipv4(src, dst, proto, l4):
    h = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 7, 0x4000, 64, proto, 0, src, dst)
    return h[:10] + u16(csum(h)) + h[12:] + l4


def ipv6(src, dst, proto, l4):
    return struct.pack(">IHBB16s16s", 0x60000000, len(l4), proto, 64, src, dst) + l4


def tcp(sport, dport, seq, ack, flags, payload=b""):
    return struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0) + payload


def udp(sport, dport, payload):
    return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload


def ether(l3, ethertype=0x0800, vlan=None):
    tag = struct.pack(">HH", 0x8100, vlan) if vlan is not None else b""
    return bytes.fromhex("020000000002020000000001") + tag + u16(ethertype) + l3


SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
CH_REC = record(22, CH13)
SH_REC = record(22, SH13, 0x0303) + record(20, b"\x01", 0x0303)

# fuzz_decode: byte 0 picks the link type (index into the harness's list:
# 1 Ethernet, 2 RAW, 8 IPV6, 9 LINUX_SLL2).
eth_ch = ether(ipv4(C4, S4, 6, tcp(50000, 443, 1, 1, PSH | ACK, CH_REC)))
write("fuzz_decode", "eth-ipv4-tcp-client-hello", b"\x01" + eth_ch)
write("fuzz_decode", "eth-vlan-ipv4-tcp",
      b"\x01" + ether(ipv4(C4, S4, 6, tcp(50000, 443, 1, 1, SYN)), vlan=100))
write("fuzz_decode", "raw-ipv6-udp-quic", b"\x02" + ipv6(C6, S6, 17, udp(50001, 443, client_initial[:64])))
write("fuzz_decode", "ipv6-tcp", b"\x08" + ipv6(C6, S6, 6, tcp(50002, 443, 1, 1, SYN)))
sll2_hdr = struct.pack(">HHIHBB8s", 0x0800, 0, 2, 1, 4, 6, bytes.fromhex("0200000000010000"))
write("fuzz_decode", "sll2-ipv4-udp", b"\x09" + sll2_hdr + ipv4(C4, S4, 17, udp(5353, 5353, b"x")))
# GRE (proto 47) carrying Ethernet-less IPv4 (0x0800) inside IPv4.
inner = ipv4(C4, S4, 6, tcp(50003, 443, 1, 1, SYN))
write("fuzz_decode", "eth-ipv4-gre-ipv4-tcp", b"\x01" + ether(ipv4(S4, C4, 47, b"\x00\x00\x08\x00" + inner)))
# VXLAN on UDP 4789 carrying an Ethernet frame.
write("fuzz_decode", "eth-ipv4-vxlan-eth-ipv4-tcp",
      b"\x01" + ether(ipv4(S4, C4, 17, udp(12345, 4789, b"\x08\x00\x00\x00\x00\x00\x01\x00" + ether(inner)))))


def frames(*fs, jump_first=False):
    out = b""
    for i, f in enumerate(fs):
        assert len(f) < 0x8000
        out += u16(len(f) | (0x8000 if (jump_first and i == 0) else 0)) + f
    return out


# fuzz_pipeline: raw-IP frames behind a 2-byte length.
cseq, sseq = 1000, 5000
write("fuzz_pipeline", "tcp-handshake-client-server-fin", frames(
    ipv4(C4, S4, 6, tcp(50000, 443, cseq, 0, SYN)),
    ipv4(S4, C4, 6, tcp(443, 50000, sseq, cseq + 1, SYN | ACK)),
    ipv4(C4, S4, 6, tcp(50000, 443, cseq + 1, sseq + 1, PSH | ACK, CH_REC)),
    ipv4(S4, C4, 6, tcp(443, 50000, sseq + 1, cseq + 1 + len(CH_REC), PSH | ACK, SH_REC)),
    ipv4(C4, S4, 6, tcp(50000, 443, cseq + 1 + len(CH_REC), sseq + 1 + len(SH_REC), FIN | ACK)),
))
# The ClientHello in three segments, the third arriving before the second.
a, b = len(CH_REC) // 3, 2 * len(CH_REC) // 3
write("fuzz_pipeline", "tcp-client-hello-three-segments-reordered", frames(
    ipv6(C6, S6, 6, tcp(50001, 443, cseq + 1, 1, PSH | ACK, CH_REC[:a])),
    ipv6(C6, S6, 6, tcp(50001, 443, cseq + 1 + b, 1, PSH | ACK, CH_REC[b:])),
    ipv6(C6, S6, 6, tcp(50001, 443, cseq + 1 + a, 1, PSH | ACK, CH_REC[a:b])),
))
write("fuzz_pipeline", "quic-client-server-initials", frames(
    ipv4(C4, S4, 17, udp(50002, 443, client_initial)),
    ipv4(S4, C4, 17, udp(443, 50002, server_initial)),
))

# fuzz_capture: the capture reader's own test files (see dpdk/test/data/).
DATA = os.path.join(HERE, "..", "test", "data")
for name in ("tiny-usec.pcap", "tiny-nsec.pcap", "two-ifaces-be.pcapng", "sections.pcapng"):
    with open(os.path.join(DATA, name), "rb") as f:
        write("fuzz_capture", name, f.read())
