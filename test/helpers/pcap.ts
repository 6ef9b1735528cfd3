/** Writes classic pcap files (microsecond, little-endian) for the CLI tests. */
import { writeFileSync } from "node:fs";
import type { BuiltFrame } from "./frames.js";

export function pcapBytes(frames: BuiltFrame[], linktype = 1): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeInt32LE(0, 8);
  header.writeUInt32LE(0, 12);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(linktype, 20);
  const parts: Buffer[] = [header];
  for (const f of frames) {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(Number(f.tsNs / 1_000_000_000n), 0);
    rec.writeUInt32LE(Number((f.tsNs % 1_000_000_000n) / 1000n), 4);
    rec.writeUInt32LE(f.data.length, 8);
    rec.writeUInt32LE(f.data.length, 12);
    parts.push(rec, Buffer.from(f.data));
  }
  return Buffer.concat(parts);
}

export function writePcap(path: string, frames: BuiltFrame[], linktype = 1): void {
  writeFileSync(path, pcapBytes(frames, linktype));
}
