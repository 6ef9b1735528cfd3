#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Recreate the tiny capture files test_capture.c reads (python3 stdlib only).

    python3 dpdk/test/data/make-capture-data.py [OUTDIR]   (default: this folder)

Every value the test asserts (timestamps, lengths, link types, byte offsets)
is chosen here; keep the two in step.
"""
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))


def ipv4_tcp(payload=b"hello"):
    """IPv4/TCP 10.0.0.1:40000 -> 10.0.0.2:443, PSH|ACK, with payload."""
    tcp = struct.pack(">HHIIBBHHH", 40000, 443, 1000, 2000, 5 << 4, 0x18, 65535, 0, 0)
    total = 20 + len(tcp) + len(payload)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, 1, 0x4000, 64, 6, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    return ip + tcp + payload


def ether(l3):
    return bytes.fromhex("020000000002") + bytes.fromhex("020000000001") + b"\x08\x00" + l3


def sll2(l3):
    # protocol, reserved, ifindex, ARPHRD_ETHER, packet type OUTGOING, addr len, addr(8)
    return struct.pack(">HHIHBB8s", 0x0800, 0, 2, 1, 4, 6, bytes.fromhex("0200000000010000")) + l3


def write(name, data):
    assert len(data) < 4096, name
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


# --- classic pcap -----------------------------------------------------------

def pcap(order, magic, linktype, records, snaplen=65535):
    out = struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)
    for sec, frac, frame, wirelen in records:
        out += struct.pack(order + "IIII", sec, frac, len(frame), wirelen) + frame
    return out


F1 = ether(ipv4_tcp(b"hello"))          # 59 bytes
F2 = ether(ipv4_tcp(b"x" * 20))         # 74 bytes
# Little-endian, microseconds, Ethernet; the second frame is cut at 40 bytes.
write("tiny-usec.pcap", pcap("<", 0xa1b2c3d4, 1, [
    (1700000000, 123456, F1, len(F1)),
    (1700000001, 999999, F2[:40], len(F2)),
]))
# Big-endian, nanoseconds, LINKTYPE_RAW (101: libpcap would say DLT 12).
R1 = ipv4_tcp(b"nano")
write("tiny-nsec.pcap", pcap(">", 0xa1b23c4d, 101, [
    (1700000000, 123456789, R1, len(R1)),
    (1700000000, 999999999, R1, len(R1)),
]))
# LINKTYPE_USER0 (147): refused at open.
write("user0.pcap", pcap("<", 0xa1b2c3d4, 147, [(1, 0, b"\x00" * 8, 8)]))
# A record header claims 59 bytes, the file ends 10 bytes into them.
write("truncated.pcap", pcap("<", 0xa1b2c3d4, 1, [(1, 0, F1, len(F1))])[:24 + 16 + 10])
write("not-a-capture.txt", b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")


# --- pcapng -----------------------------------------------------------------

def pad4(b):
    return b + b"\x00" * (-len(b) % 4)


def block(o, btype, body):
    body = pad4(body)
    n = 12 + len(body)
    return struct.pack(o + "II", btype, n) + body + struct.pack(o + "I", n)


def opt(o, code, value):
    return struct.pack(o + "HH", code, len(value)) + pad4(value)


def shb(o):
    return block(o, 0x0A0D0D0A, struct.pack(o + "IHHq", 0x1A2B3C4D, 1, 0, -1))


def idb(o, linktype, snaplen=0, options=b""):
    if options:
        options += struct.pack(o + "HH", 0, 0)
    return block(o, 1, struct.pack(o + "HHI", linktype, 0, snaplen) + options)


def epb(o, ifid, units, frame, wirelen=None):
    wirelen = len(frame) if wirelen is None else wirelen
    return block(o, 6, struct.pack(o + "IIIII", ifid, units >> 32, units & 0xFFFFFFFF,
                                   len(frame), wirelen) + frame)


def spb(o, frame, wirelen):
    return block(o, 3, struct.pack(o + "I", wirelen) + frame)


def pb(o, ifid, units, frame):
    return block(o, 2, struct.pack(o + "HHIIII", ifid, 0, units >> 32, units & 0xFFFFFFFF,
                                   len(frame), len(frame)) + frame)


BE, LE = ">", "<"
S1 = sll2(ipv4_tcp(b"sll2"))
# One big-endian section, two interfaces: 0 Ethernet with the default
# microsecond resolution, 1 Linux SLL2 with if_tsresol 9 (nanoseconds).
# A Name Resolution Block (type 4) in between must be skipped.
write("two-ifaces-be.pcapng",
      shb(BE)
      + idb(BE, 1, 262144)
      + idb(BE, 276, 262144, opt(BE, 9, b"\x09"))
      + epb(BE, 0, 1700000001000001, F1)
      + block(BE, 4, struct.pack(BE + "HH", 0, 0))
      + epb(BE, 1, 1700000002123456789, S1)
      + epb(BE, 0, 1700000003000000, F2[:40], len(F2)))

# Two sections. Section 1, little-endian: interface 0 raw IP with if_tsresol
# 2^-20 and if_tsoffset 1000 s, snaplen 16; interface 1 USER0 (147, not
# supported: still returned). An EPB, a Simple Packet Block (interface 0,
# cut to the snaplen, time of the previous frame) and an obsolete Packet
# Block on interface 1. Section 2, big-endian, starts a fresh interface list.
write("sections.pcapng",
      shb(LE)
      + idb(LE, 101, 16, opt(LE, 9, b"\x94") + opt(LE, 14, struct.pack(LE + "q", 1000)))
      + idb(LE, 147, 0)
      + epb(LE, 0, (5 << 20) + (1 << 19), R1[:16], len(R1))
      + spb(LE, R1[:16], len(R1))
      + pb(LE, 1, 42, b"\xab" * 8)
      + shb(BE)
      + idb(BE, 228, 0)
      + epb(BE, 0, 7, R1))

# A good packet, then an EPB whose length says 100 bytes with 48 left.
good = shb(LE) + idb(LE, 1) + epb(LE, 0, 1, F1)
bad = epb(LE, 0, 2, F1)
write("truncated.pcapng", good + struct.pack(LE + "II", 6, 100) + bad[8:48])
# Trailing length differs from the leading one.
bad = bytearray(epb(LE, 0, 2, F1))
bad[-4:] = struct.pack(LE + "I", len(bad) + 4)
write("bad-trailer.pcapng", good + bytes(bad))
# Block length not a multiple of 4.
write("bad-length.pcapng", good + struct.pack(LE + "II", 6, 30) + b"\x00" * 26)
