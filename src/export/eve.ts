/**
 * Handshake record → Suricata-compatible EVE event (shared/FINGERPRINTS.md,
 * "EVE output shape"). Pure: no I/O, no addon.
 *
 * The `tls` (or `quic`) object holds only what Suricata 8 puts there, so SIEM
 * pipelines built for Suricata keep working; tlsfp's extras go in `tlsfp`.
 */
import type { RecordFlags, RecordReason, TlsfpRecord } from "../addon/native.js";

export interface EveHashed {
  hash: string;
  string: string;
}

export interface EveTls {
  sni?: string;
  version: string;
  client_alpns?: string[];
  server_alpns?: string[];
  ja3: EveHashed;
  ja3s?: EveHashed;
  ja4: string;
  client_handshake: { version: number; ciphers: number[]; exts: number[]; sig_algs: number[] };
}

export interface EveTlsfp {
  ja4_r: string;
  ja4_o: string;
  ja4_ro: string;
  reason: RecordReason;
  /** Names of the record flags that are set (snake_case). */
  flags: string[];
}

export interface EveEvent {
  timestamp: string;
  flow_id: number;
  event_type: "tls" | "quic";
  src_ip: string;
  src_port: number;
  dest_ip: string;
  dest_port: number;
  proto: "TCP" | "UDP";
  app_proto: "tls" | "quic";
  vlan?: number[];
  tls?: EveTls;
  quic?: EveTls;
  tlsfp: EveTlsfp;
}

const NS_PER_S = 1_000_000_000n;

/** Unix ns → `2026-11-21T07:59:00.123456+0000` (UTC, microseconds, truncated). */
export function eveTimestamp(tsNs: bigint): string {
  const s = tsNs / NS_PER_S;
  const micros = (tsNs % NS_PER_S) / 1000n;
  const iso = new Date(Number(s) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 19)}.${micros.toString().padStart(6, "0")}+0000`;
}

const FLAG_NAMES: [keyof RecordFlags, string][] = [
  ["hasServerHello", "server_hello"],
  ["hrr", "hello_retry_request"],
  ["listsTruncated", "lists_truncated"],
  ["alpnTruncated", "alpn_truncated"],
  ["sniTruncated", "sni_truncated"],
];

/** The set flags worth telling a reader (presence flags are visible in the event already). */
export function flagNames(flags: RecordFlags): string[] {
  return FLAG_NAMES.filter(([k]) => flags[k]).map(([, name]) => name);
}

function protocolObject(r: TlsfpRecord): EveTls {
  // Key order as Suricata writes it. Like Suricata, a field the handshake did
  // not carry is left out rather than null: sni without a server_name
  // extension, client_alpns without an ALPN extension, server_alpns and ja3s
  // without a ServerHello.
  return {
    ...(r.sni !== null ? { sni: r.sni } : {}),
    version: r.version,
    ...(r.flags.hasAlpn ? { client_alpns: r.clientAlpns } : {}),
    ...(r.serverAlpns && r.serverAlpns.length > 0 ? { server_alpns: r.serverAlpns } : {}),
    ja3: { hash: r.ja3.hash, string: r.ja3.string },
    ...(r.ja3s ? { ja3s: { hash: r.ja3s.hash, string: r.ja3s.string } } : {}),
    ja4: r.ja4,
    client_handshake: {
      version: r.clientHandshake.version,
      ciphers: r.clientHandshake.ciphers,
      exts: r.clientHandshake.exts,
      sig_algs: r.clientHandshake.sigAlgs,
    },
  };
}

/** One record → one EVE event (serialize with JSON.stringify, one per line). */
export function toEve(r: TlsfpRecord): EveEvent {
  // DTLS is logged as "tls" (proto "UDP"): Suricata has no DTLS app-layer
  // of its own, so SIEM rules keyed on event_type "tls" see it.
  const kind = r.transport === "quic" ? "quic" : "tls";
  return {
    timestamp: eveTimestamp(r.tsNs),
    flow_id: r.flowId,
    event_type: kind,
    src_ip: r.srcIp,
    src_port: r.srcPort,
    dest_ip: r.destIp,
    dest_port: r.destPort,
    proto: r.proto,
    app_proto: kind,
    ...(r.vlan.length > 0 ? { vlan: r.vlan } : {}),
    [kind]: protocolObject(r),
    tlsfp: {
      ja4_r: r.ja4_r,
      ja4_o: r.ja4_o,
      ja4_ro: r.ja4_ro,
      reason: r.reason,
      flags: flagNames(r.flags),
    },
  };
}

/** One EVE JSON line (with its newline). */
export function toEveLine(r: TlsfpRecord): string {
  return `${JSON.stringify(toEve(r))}\n`;
}
