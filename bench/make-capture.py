#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Build a large synthetic mirror-port capture for the tlsfp benchmarks.

The capture (classic pcap, nanosecond timestamps, Ethernet) mixes:

  handshakes  every real-client capture of test/fixtures/{clients,quic}/*.pcap
              replayed whole (SYN .. FIN/RST, or the QUIC Initials and
              Handshake packets), each copy with its own client address and
              port, so every copy is a distinct flow. Up to --concurrent
              copies are in progress at once and their packets interleave
              with each other and with the bulk traffic.
  bulk TCP    MTU-size (1500-byte IP) segments of random bytes on long-lived
              flows that are already established (no SYN), the dominant share
              of a real mirror port.
  UDP         half small datagrams of random bytes to port 53 (30..120
              bytes: DNS-sized, not valid DNS), half QUIC
              short-header (1-RTT) datagrams to port 443 (1200..1350 bytes):
              what a QUIC-aware prefix test must reject cheaply.

Addresses come from the benchmarking ranges 198.18.0.0/15 (RFC 2544) and
2001:2::/48 (RFC 5180). The file is only written to disk, nothing is sent.

Checksums are all valid, so tshark/Wireshark read the file cleanly: the IPv4
header and TCP/UDP checksums of the replayed handshakes are updated
incrementally (RFC 1624) after the address/port rewrite; bulk TCP checksums
are computed from per-payload-slot sums; DNS/QUIC UDP over IPv4 carries
checksum 0 ("none", RFC 768). tlsfp itself does not verify checksums.

Deterministic: the same arguments and --seed give the same bytes.
A summary (packets, bytes, expected handshakes) goes to stderr and to
OUT.json next to the capture.
"""

import argparse
import glob
import json
import os
import random
import struct
import sys
import time

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
MTU = 1500
RANDOM_SLOTS = 4096  # distinct bulk payloads (each MTU-size, random bytes)
PCAP_NS_MAGIC = 0xA1B23C4D
LINKTYPE_ETHERNET = 1

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def ones_sum(data):
    """Folded 16-bit ones-complement sum of data (big-endian words)."""
    if len(data) & 1:
        data = bytes(data) + b"\0"
    s = 0
    # int.from_bytes over the whole buffer then folding is the fast path in
    # pure Python: sum the 16-bit words via 64-bit chunks.
    for (w,) in struct.iter_unpack("!Q", data[: len(data) & ~7]):
        s += w
    tail = data[len(data) & ~7 :]
    for (w,) in struct.iter_unpack("!H", tail):
        s += w
    # fold 64-bit lanes to 16
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def csum_update(hc, old_sum, new_sum):
    """RFC 1624 eq. 3: HC' = ~(~HC + ~m + m'), with m/m' folded sums."""
    return ~fold((~hc & 0xFFFF) + (~old_sum & 0xFFFF) + new_sum) & 0xFFFF


def read_pcap(path):
    with open(path, "rb") as f:
        d = f.read()
    magic, = struct.unpack("<I", d[:4])
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        raise SystemExit(f"{path}: only little-endian classic pcap fixtures are supported")
    nsec = magic == 0xA1B23C4D
    linktype, = struct.unpack("<I", d[20:24])
    if linktype != LINKTYPE_ETHERNET:
        raise SystemExit(f"{path}: link type {linktype}, expected Ethernet")
    off, frames = 24, []
    while off + 16 <= len(d):
        sec, frac, caplen, wirelen = struct.unpack("<IIII", d[off : off + 16])
        off += 16
        frames.append((sec * 10**9 + (frac if nsec else frac * 1000), d[off : off + caplen], wirelen))
        off += caplen
    return frames


class Template:
    """One fixture capture, parsed once, ready to be replayed as a new flow."""

    def __init__(self, path):
        self.name = os.path.basename(os.path.dirname(path)) + "/" + os.path.basename(path)
        exp = path[: -len(".pcap")] + ".expected.json"
        with open(exp) as f:
            self.handshakes = len(json.load(f)["handshakes"])
        self.packets = []  # (frame, wirelen, patch) ; patch describes the rewrite
        client = None
        self.ipv = None
        for _, frame, wirelen in read_pcap(path):
            etype, = struct.unpack("!H", frame[12:14])
            if etype == ETH_IPV4:
                ihl = (frame[14] & 0x0F) * 4
                proto = frame[23]
                src_off, dst_off, alen = 26, 30, 4
                l4 = 14 + ihl
                ipcsum = 24
                ipv = 4
            elif etype == ETH_IPV6:
                proto = frame[20]
                src_off, dst_off, alen = 22, 38, 16
                l4 = 54
                ipcsum = None
                ipv = 6
            else:
                raise SystemExit(f"{path}: non-IP frame (ethertype {etype:#x})")
            if proto not in (6, 17):
                raise SystemExit(f"{path}: L4 protocol {proto}, expected TCP or UDP")
            self.ipv = ipv
            self.proto = proto
            sport, dport = struct.unpack("!HH", frame[l4 : l4 + 4])
            src = (frame[src_off : src_off + alen], sport)
            dst = (frame[dst_off : dst_off + alen], dport)
            if client is None:
                # The first packet is the client's (SYN, or the first Initial).
                client = src
            if src == client:
                a_off, p_off = src_off, l4
            elif dst == client:
                a_off, p_off = dst_off, l4 + 2
            else:
                raise SystemExit(f"{path}: more than one flow")
            l4csum = l4 + (16 if proto == 6 else 6)
            if proto == 17 and ipv == 4 and frame[l4csum : l4csum + 2] == b"\0\0":
                l4csum = None  # UDP over IPv4 without a checksum stays so
            frame = fix_checksums(frame, ipv, proto, src_off, dst_off, alen, l4, ipcsum, l4csum)
            self.packets.append((frame, wirelen, (a_off, alen, p_off, ipcsum, l4csum)))
        self.client_addr, self.client_port = client
        self.old_sum = ones_sum(self.client_addr + struct.pack("!H", self.client_port))
        self.old_addr_sum = ones_sum(self.client_addr)

    def copy(self, addr, port):
        """Frames of one replay with the client endpoint replaced."""
        new_sum = ones_sum(addr + struct.pack("!H", port))
        new_addr_sum = ones_sum(addr)
        pb = struct.pack("!H", port)
        out = []
        for frame, wirelen, (a_off, alen, p_off, ipcsum, l4csum) in self.packets:
            b = bytearray(frame)
            b[a_off : a_off + alen] = addr
            b[p_off : p_off + 2] = pb
            if ipcsum is not None:
                hc, = struct.unpack_from("!H", b, ipcsum)
                struct.pack_into("!H", b, ipcsum, csum_update(hc, self.old_addr_sum, new_addr_sum))
            if l4csum is not None:
                hc, = struct.unpack_from("!H", b, l4csum)
                nc = csum_update(hc, self.old_sum, new_sum)
                if self.proto == 17 and nc == 0:
                    nc = 0xFFFF  # UDP transmits a computed 0 as all ones
                struct.pack_into("!H", b, l4csum, nc)
            out.append((bytes(b), wirelen))
        return out


def fix_checksums(frame, ipv, proto, src_off, dst_off, alen, l4, ipcsum, l4csum):
    """Recompute the IPv4 header and TCP/UDP checksums of a fixture frame.

    The fixtures were captured on the sending host with checksum offload, so
    their outgoing packets carry partial checksums; the copies are fixed up
    incrementally from these recomputed values.
    """
    b = bytearray(frame)
    if ipv == 4:
        ip_len, = struct.unpack_from("!H", b, 16)
        l4_len = ip_len - (l4 - 14)
        struct.pack_into("!H", b, ipcsum, 0)
        struct.pack_into("!H", b, ipcsum, ~ones_sum(b[14:l4]) & 0xFFFF)
    else:
        l4_len, = struct.unpack_from("!H", b, 18)
    if l4csum is None or l4 + l4_len > len(b):
        return bytes(b)  # no checksum, or truncated by the capture: leave it
    struct.pack_into("!H", b, l4csum, 0)
    pseudo = ones_sum(b[src_off : src_off + alen] + b[dst_off : dst_off + alen] +
                      struct.pack("!IHH", l4_len, 0, proto))
    c = ~fold(pseudo + ones_sum(b[l4 : l4 + l4_len])) & 0xFFFF
    if proto == 17 and c == 0:
        c = 0xFFFF
    struct.pack_into("!H", b, l4csum, c)
    return bytes(b)


def ipv4_header(total_len, proto, src, dst):
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, total_len, 0, 0x4000, 64, proto, 0, src, dst))
    struct.pack_into("!H", h, 10, ~ones_sum(h) & 0xFFFF)
    return bytes(h)


def bench_v4(i):
    """i-th address of 198.18.0.0/15 (RFC 2544 benchmarking)."""
    return struct.pack("!I", (198 << 24 | 18 << 16) + (i % (1 << 17)))


def bench_v6(i):
    """i-th address of 2001:2::/48 (RFC 5180 benchmarking)."""
    return bytes.fromhex("20010002000000000000") + struct.pack("!HI", 0, i & 0xFFFFFFFF)


class Writer:
    def __init__(self, path):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", PCAP_NS_MAGIC, 2, 4, 0, 0, 65535, LINKTYPE_ETHERNET))
        self.buf = []
        self.buffered = 0
        self.bytes = 24
        self.packets = 0

    def add(self, ts_ns, frame, wirelen):
        self.buf.append(struct.pack("<IIII", ts_ns // 10**9, ts_ns % 10**9, len(frame), wirelen))
        self.buf.append(frame)
        n = 16 + len(frame)
        self.buffered += n
        self.bytes += n
        self.packets += 1
        if self.buffered >= 8 << 20:
            self.flush()

    def flush(self):
        self.f.write(b"".join(self.buf))
        self.buf.clear()
        self.buffered = 0

    def close(self):
        self.flush()
        self.f.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(REPO, "build", "bench-data", "mirror-1g.pcap"))
    ap.add_argument("--size-mb", type=float, default=1024.0,
                    help="stop at this file size in MiB (default 1024)")
    ap.add_argument("--packets", type=int, default=0,
                    help="stop at this many packets instead of a size (the replays "
                    "in progress are then finished, so a few more are written)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--handshake-share", type=float, default=0.05,
                    help="fraction of packets that belong to replayed handshakes (default 0.05)")
    ap.add_argument("--udp-share", type=float, default=0.03,
                    help="fraction of packets that are UDP background (default 0.03)")
    ap.add_argument("--bulk-flows", type=int, default=4096,
                    help="long-lived bulk TCP flows (default 4096)")
    ap.add_argument("--concurrent", type=int, default=64,
                    help="handshake replays in progress at once (default 64)")
    ap.add_argument("--rate-gbps", type=float, default=10.0,
                    help="link rate the timestamps advance at (default 10)")
    ap.add_argument("--fixtures", default=os.path.join(REPO, "test", "fixtures"),
                    help="directory holding clients/*.pcap and quic/*.pcap")
    args = ap.parse_args()
    if not 0 <= args.handshake_share + args.udp_share <= 1:
        ap.error("--handshake-share + --udp-share must be within 0..1")

    rng = random.Random(args.seed)
    paths = sorted(glob.glob(os.path.join(args.fixtures, "clients", "*.pcap")) +
                   glob.glob(os.path.join(args.fixtures, "quic", "*.pcap")))
    if not paths:
        raise SystemExit(f"no fixture captures under {args.fixtures}")
    templates = []
    for p in paths:
        # A fixture that cannot be parsed (unexpected layout, or being
        # rewritten by someone right now) is left out, loudly.
        try:
            templates.append(Template(p))
        except (SystemExit, ValueError, KeyError, IndexError, struct.error, OSError) as e:
            print(f"make-capture: skipping {p}: {e}", file=sys.stderr)
    if not templates:
        raise SystemExit("make-capture: no usable fixture capture")

    # Random payload slots with their ones-complement sums precomputed, so
    # bulk TCP checksums cost one fold per packet.
    bulk_len = MTU - 20 - 20
    pool = b"".join(rng.randbytes(1 << 16) for _ in range((RANDOM_SLOTS * bulk_len >> 16) + 1))
    slots = [pool[i * bulk_len : (i + 1) * bulk_len] for i in range(RANDOM_SLOTS)]
    slot_sums = [ones_sum(s) for s in slots]

    mac_c = bytes.fromhex("020000000001")
    mac_s = bytes.fromhex("020000000002")
    eth_c2s = mac_s + mac_c + struct.pack("!H", ETH_IPV4)
    eth_s2c = mac_c + mac_s + struct.pack("!H", ETH_IPV4)

    # Bulk flows: server → client data on established connections. Client
    # addresses from the upper half of 198.18.0.0/15, servers 198.18.255.x.
    bulk = []
    for i in range(args.bulk_flows):
        cli = bench_v4((1 << 16) + i)
        srv = bench_v4(0xFF00 + (i % 256))
        sport = rng.choice((443, 443, 443, 80, 8080, 993))
        dport = 1024 + rng.randrange(64000)
        ip = ipv4_header(MTU, 6, srv, cli)
        pseudo = ones_sum(srv + cli + struct.pack("!HH", 6, MTU - 20))
        bulk.append([eth_s2c + ip, sport, dport, rng.getrandbits(32), rng.getrandbits(32), pseudo])

    # UDP background flows.
    udp = []
    for i in range(1024):
        cli = bench_v4((1 << 16) + args.bulk_flows + i)
        srv = bench_v4(0xFE00 + (i % 256))
        udp.append((cli, srv, 1024 + rng.randrange(64000), 53 if i & 1 else 443))

    w = Writer(args.out)
    limit_bytes = int(args.size_mb * (1 << 20))
    ts = 1_700_000_000 * 10**9
    ns_per_bit = 1.0 / args.rate_gbps
    active = []  # [frames, next index]
    copies = 0
    handshakes = 0
    kinds = {"handshake": 0, "bulk_tcp": 0, "udp": 0}
    per_template = {t.name: 0 for t in templates}
    t0 = time.time()
    last_report = t0
    hs_share = args.handshake_share
    udp_share = hs_share + args.udp_share
    rand = rng.random
    randrange = rng.randrange
    pack_tcp = struct.Struct("!HHIIBBHHH").pack

    def emit(frame, wirelen, kind):
        nonlocal ts
        w.add(ts, frame, wirelen)
        kinds[kind] += 1
        # preamble + SFD + IFG + FCS = 24 bytes of wire time per frame
        ts += int((wirelen + 24) * 8 * ns_per_bit) + 1

    def done():
        if args.packets:
            return w.packets >= args.packets
        return w.bytes >= limit_bytes

    def new_copy():
        nonlocal copies, handshakes
        t = templates[randrange(len(templates))]
        addr = bench_v4(copies) if t.ipv == 4 else bench_v6(copies)
        port = 1024 + (copies >> 17) % 64000
        copies += 1
        handshakes += t.handshakes
        per_template[t.name] += 1
        return [t.copy(addr, port), 0]

    while not done():
        r = rand()
        if r < hs_share:
            if len(active) < args.concurrent:
                active.append(new_copy())
            j = randrange(len(active))
            rep = active[j]
            frame, wirelen = rep[0][rep[1]]
            rep[1] += 1
            if rep[1] == len(rep[0]):
                active[j] = active[-1]
                active.pop()
            emit(frame, wirelen, "handshake")
        elif r < udp_share:
            cli, srv, cport, sport = udp[randrange(len(udp))]
            if sport == 53:
                plen = 30 + randrange(91)
                payload = slots[randrange(RANDOM_SLOTS)][:plen]
            else:
                plen = 1200 + randrange(151)
                s = slots[randrange(RANDOM_SLOTS)]
                payload = bytes((0x40 | (s[0] & 0x3F),)) + s[1:plen]
            ip = ipv4_header(20 + 8 + plen, 17, cli, srv)
            frame = eth_c2s + ip + struct.pack("!HHHH", cport, sport, 8 + plen, 0) + payload
            emit(frame, len(frame), "udp")
        else:
            f = bulk[randrange(len(bulk))]
            k = randrange(RANDOM_SLOTS)
            seq = f[3]
            f[3] = (seq + bulk_len) & 0xFFFFFFFF
            hdr = pack_tcp(f[1], f[2], seq, f[4], 0x50, 0x18, 501, 0, 0)
            c = ~fold(f[5] + ones_sum(hdr) + slot_sums[k]) & 0xFFFF
            hdr = hdr[:16] + struct.pack("!H", c) + hdr[18:]
            frame = f[0] + hdr + slots[k]
            emit(frame, len(frame), "bulk_tcp")
        now = time.time()
        if now - last_report >= 2:
            last_report = now
            pct = (w.packets / args.packets if args.packets else w.bytes / limit_bytes) * 100
            print(f"make-capture: {pct:5.1f}%  {w.packets} packets  {w.bytes >> 20} MiB  "
                  f"{w.bytes / (now - t0) / (1 << 20):.0f} MiB/s", file=sys.stderr, flush=True)

    # Finish the replays in progress so every handshake counted is complete.
    for rep in active:
        for frame, wirelen in rep[0][rep[1]:]:
            emit(frame, wirelen, "handshake")
    w.close()

    meta = {
        "capture": os.path.abspath(args.out),
        "seed": args.seed,
        "packets": w.packets,
        "file_bytes": w.bytes,
        "packets_by_kind": kinds,
        "handshake_copies": copies,
        "handshakes_expected": handshakes,
        "copies_by_fixture": per_template,
        "args": vars(args),
    }
    with open(args.out + ".json", "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    dt = time.time() - t0
    print(f"make-capture: wrote {args.out}: {w.packets} packets, {w.bytes / (1 << 20):.1f} MiB "
          f"in {dt:.1f} s; {kinds['handshake']} handshake packets ({copies} replays, "
          f"{handshakes} handshakes expected), {kinds['bulk_tcp']} bulk TCP, {kinds['udp']} UDP",
          file=sys.stderr)


if __name__ == "__main__":
    main()
