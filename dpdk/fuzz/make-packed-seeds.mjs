#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
/**
 * Seeds of fuzz_packed_record: the packed form (tlsfp/record.h) of the first
 * record of a few fixture captures, made by the addon's own packer.
 *
 *   npm run build:native && node dpdk/fuzz/make-packed-seeds.mjs
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const addon = createRequire(import.meta.url)(join(root, "native/build/Release/tlsfp.node"));
const out = join(here, "corpus", "fuzz_packed_record");
mkdirSync(out, { recursive: true });

const core = new addon.Aggregates();
for (const f of [
  "clients/curl-tls13.pcap", // TLS 1.3 with a ServerHello
  "clients/curl-ipv6.pcap",
  "quic/chromium.pcap", // QUIC, client only
  "synthetic/limits.pcap", // long lists
  "edge/tls13-vlan.pcap",
]) {
  const a = new addon.CaptureAnalyzer(join(root, "test/fixtures", f), {});
  for (;;) {
    const { batch, done } = a.nextBatch(core, 1000);
    if (batch.n > 0) {
      const r = core.recent(batch.first, batch.first + 1);
      writeFileSync(
        join(out, basename(f).replace(/\..*$/, "")),
        r.packed.subarray(r.offsets[0], r.offsets[1]),
      );
      break;
    }
    if (done) break;
  }
  a.close();
}
