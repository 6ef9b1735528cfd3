/**
 * Frame builders (Ethernet [802.1Q] / IPv4 / TCP) with correct checksums, and
 * a TCP conversation builder that can split and reorder the hello segments.
 */
import { concat, tlsRecords, u16 } from "./hello.js";

export interface Endpoint {
  ip: string;
  port: number;
}

export interface TcpSegment {
  src: Endpoint;
  dst: Endpoint;
  seq: number;
  ack?: number;
  flags?: { syn?: boolean; ack?: boolean; fin?: boolean; rst?: boolean; psh?: boolean };
  payload?: Uint8Array;
  /** 802.1Q VLAN IDs, outermost first. */
  vlan?: number[];
}

export interface BuiltFrame {
  data: Uint8Array;
  tsNs: bigint;
  linktype: number;
}

const LINKTYPE_ETHERNET = 1;

function ipv4Bytes(ip: string): Uint8Array {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255)))
    throw new Error(`bad IPv4 ${ip}`);
  return Uint8Array.from(parts);
}

function u32(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** RFC 1071 Internet checksum. */
export function inetChecksum(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < data.length; i += 2) sum += ((data[i] ?? 0) << 8) | (data[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function tcpHeaderAndPayload(s: TcpSegment): Uint8Array {
  const f = s.flags ?? { ack: true, psh: (s.payload?.length ?? 0) > 0 };
  const flagByte =
    (f.fin ? 0x01 : 0) |
    (f.syn ? 0x02 : 0) |
    (f.rst ? 0x04 : 0) |
    (f.psh ? 0x08 : 0) |
    (f.ack ? 0x10 : 0);
  const payload = s.payload ?? new Uint8Array(0);
  const header = concat(
    u16(s.src.port),
    u16(s.dst.port),
    u32(s.seq >>> 0),
    u32((s.ack ?? 0) >>> 0),
    Uint8Array.of(5 << 4, flagByte),
    u16(65535),
    u16(0), // checksum, filled below
    u16(0),
  );
  const segment = concat(header, payload);
  const pseudo = concat(
    ipv4Bytes(s.src.ip),
    ipv4Bytes(s.dst.ip),
    Uint8Array.of(0, 6),
    u16(segment.length),
    segment,
  );
  const sum = inetChecksum(pseudo);
  segment[16] = sum >> 8;
  segment[17] = sum & 0xff;
  return segment;
}

export function ipv4Packet(
  src: string,
  dst: string,
  proto: number,
  l4: Uint8Array,
  id = 1,
): Uint8Array {
  const header = concat(
    Uint8Array.of(0x45, 0),
    u16(20 + l4.length),
    u16(id & 0xffff),
    u16(0x4000), // DF
    Uint8Array.of(64, proto),
    u16(0),
    ipv4Bytes(src),
    ipv4Bytes(dst),
  );
  const sum = inetChecksum(header);
  header[10] = sum >> 8;
  header[11] = sum & 0xff;
  return concat(header, l4);
}

export function ethernet(payload: Uint8Array, etherType = 0x0800, vlan: number[] = []): Uint8Array {
  const macs = Uint8Array.of(0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01);
  const tags = vlan.map((id) => concat(u16(0x8100), u16(id & 0x0fff)));
  return concat(macs, ...tags, u16(etherType), payload);
}

export function tcpFrame(s: TcpSegment, tsNs = 0n): BuiltFrame {
  const ip = ipv4Packet(s.src.ip, s.dst.ip, 6, tcpHeaderAndPayload(s));
  return { data: ethernet(ip, 0x0800, s.vlan), tsNs, linktype: LINKTYPE_ETHERNET };
}

export interface ConversationSpec {
  client?: Endpoint;
  server?: Endpoint;
  /** The ClientHello handshake message (see hello.ts). */
  clientHello: Uint8Array;
  /** Handshake messages the server sends (ServerHello, or HRR, ...). */
  serverHellos?: Uint8Array[];
  /** A second ClientHello (after a HelloRetryRequest). */
  secondClientHello?: Uint8Array;
  /** Server messages after the second ClientHello. */
  finalServerHellos?: Uint8Array[];
  /** Cut the client's TLS byte stream into segments of this size. */
  segmentSize?: number;
  /** TLS record fragment size for the ClientHello. */
  recordSize?: number;
  /** Permutation of the ClientHello segment indexes (default in order). */
  order?: number[];
  /** Repeat these ClientHello segment indexes (duplicates), after the original order. */
  duplicate?: number[];
  vlan?: number[];
  startNs?: bigint;
  /** Add a FIN from the client at the end. */
  fin?: boolean;
  /** Include the SYN / SYN-ACK / ACK opening. */
  threeWayHandshake?: boolean;
}

export const CLIENT: Endpoint = { ip: "10.77.0.1", port: 43210 };
export const SERVER: Endpoint = { ip: "10.77.0.2", port: 443 };

function split(data: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += size) out.push(data.subarray(off, off + size));
  return out;
}

/**
 * The frames of a TLS connection up to the server's hellos: optional three-way
 * handshake, the ClientHello (cut, reordered, duplicated as asked), the
 * server's messages, an optional second ClientHello and FIN. Timestamps
 * advance 1 ms per frame.
 */
export function tlsConversation(spec: ConversationSpec): BuiltFrame[] {
  const c = spec.client ?? CLIENT;
  const s = spec.server ?? SERVER;
  const vlan = spec.vlan ?? [];
  let ts = spec.startNs ?? 1_700_000_000_000_000_000n;
  const frames: BuiltFrame[] = [];
  const push = (seg: TcpSegment) => {
    frames.push(tcpFrame({ ...seg, vlan }, ts));
    ts += 1_000_000n;
  };
  const cIsn = 1000;
  const sIsn = 5000;
  if (spec.threeWayHandshake ?? true) {
    push({ src: c, dst: s, seq: cIsn - 1, flags: { syn: true } });
    push({ src: s, dst: c, seq: sIsn - 1, ack: cIsn, flags: { syn: true, ack: true } });
    push({ src: c, dst: s, seq: cIsn, ack: sIsn, flags: { ack: true } });
  }
  const stream = tlsRecords(spec.clientHello, spec.recordSize ?? 16384);
  const segs = split(stream, spec.segmentSize ?? 1460);
  const offsets = segs.map((_, i) => i * (spec.segmentSize ?? 1460));
  const order = spec.order ?? segs.map((_, i) => i);
  for (const i of [...order, ...(spec.duplicate ?? [])]) {
    const seg = segs[i];
    if (!seg) throw new Error(`no segment ${i}`);
    push({ src: c, dst: s, seq: cIsn + (offsets[i] ?? 0), ack: sIsn, payload: seg });
  }
  let cSeq = cIsn + stream.length;
  let sSeq = sIsn;
  for (const msg of spec.serverHellos ?? []) {
    const rec = tlsRecords(msg, 16384, 0x0303);
    push({ src: s, dst: c, seq: sSeq, ack: cSeq, payload: rec });
    sSeq += rec.length;
  }
  if (spec.secondClientHello) {
    const rec = tlsRecords(spec.secondClientHello, 16384, 0x0303);
    push({ src: c, dst: s, seq: cSeq, ack: sSeq, payload: rec });
    cSeq += rec.length;
  }
  for (const msg of spec.finalServerHellos ?? []) {
    const rec = tlsRecords(msg, 16384, 0x0303);
    push({ src: s, dst: c, seq: sSeq, ack: cSeq, payload: rec });
    sSeq += rec.length;
  }
  if (spec.fin) push({ src: c, dst: s, seq: cSeq, ack: sSeq, flags: { fin: true, ack: true } });
  return frames;
}
