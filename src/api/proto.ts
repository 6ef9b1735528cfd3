/**
 * proto/tlsfp.proto, loaded once. Field names are kept as written
 * (snake_case), which are the JSON field names of the API, so a response
 * object encodes with Type.fromObject unchanged.
 */
import { join } from "node:path";
import protobuf from "protobufjs";
import { packageRoot } from "../paths.js";

export const PROTO_PATH = join(packageRoot(), "proto", "tlsfp.proto");
export const PROTOBUF_TYPE = "application/x-protobuf";

/** Messages a route may answer with. */
export type ProtoMessage = "FingerprintPage" | "Fingerprint" | "HandshakePage" | "Stats";

let root: protobuf.Root | undefined;

export function protoRoot(): protobuf.Root {
  root ??= new protobuf.Root().loadSync(PROTO_PATH, { keepCase: true });
  return root;
}

export function protoType(name: ProtoMessage): protobuf.Type {
  return protoRoot().lookupType(`tlsfp.v1.${name}`);
}

/** A JSON response object → protobuf bytes. */
export function encode(name: ProtoMessage, payload: unknown): Buffer {
  const t = protoType(name);
  const bytes = t.encode(t.fromObject(payload as Record<string, unknown>)).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Protobuf bytes → a plain object (64-bit integers as numbers), for clients and tests. */
export function decode(name: ProtoMessage, bytes: Uint8Array): Record<string, unknown> {
  const t = protoType(name);
  return t.toObject(t.decode(bytes), { longs: Number, arrays: true, objects: true });
}

/**
 * Does the Accept header prefer protobuf over JSON? Highest q wins; on a tie
 * the earlier one. No Accept, or any other type, means JSON.
 */
export function wantsProtobuf(accept: string | undefined): boolean {
  if (!accept) return false;
  let best: { proto: boolean; q: number } | undefined;
  for (const part of accept.split(",")) {
    const [type = "", ...params] = part.trim().toLowerCase().split(";");
    const mt = type.trim();
    const proto = mt === PROTOBUF_TYPE || mt === "application/protobuf";
    if (!proto && mt !== "application/json" && mt !== "*/*" && mt !== "application/*") continue;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.trim().split("=");
      if (k === "q" && v !== undefined) q = Number(v);
    }
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { proto, q };
  }
  return best?.proto ?? false;
}
