#!/usr/bin/env node
/**
 * The cost per aggregate row of the store's write-behind: a store is filled
 * with synthetic handshakes (not timed), then close() writes every changed
 * aggregate in one transaction, which is timed. No ring, no data plane:
 * only the store's own work (row extraction in the addon, the upserts in
 * SQLite).
 *
 *   npm run build:native && npx tsc -p tsconfig.json
 *   node bench/store-write.mjs [--records N] [--runs R] [--rewrite]
 *
 * The handshakes resemble build/bench/ring-feed's: 3 000 JA4 / JA3 values,
 * 500 JA3S, 5 000 SNIs, 50 000 clients of skewed activity (floor(n * u^3))
 * each with a main application (90 %) and favourite servers (80 %); the
 * JA4×SNI pairs are most of the rows (459 k of 471 k for the default
 * 1.5 M handshakes). --rewrite: a second fill and close() on the same file, so
 * the upserts replace existing rows (a long-running store's steady state)
 * instead of inserting new ones. Each run uses a fresh SQLite file.
 * Printed per run: rows written, close() wall ms and µs per row, and the
 * same in CPU time of this process (user + system: less noisy on a shared
 * machine).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openStore } from "../dist/src/store/store.js";

const { values: opt } = parseArgs({
  options: {
    records: { type: "string", default: "1500000" },
    runs: { type: "string", default: "3" },
    rewrite: { type: "boolean", default: false },
  },
});
const N = Number(opt.records);

/** The same LCG as the other benches: deterministic runs. */
function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const hex = (i, len) => i.toString(16).padStart(len, "0").slice(-len);
const JA4 = Array.from({ length: 3000 }, (_, i) => `t13d1516h2_${hex(i * 7919, 12)}_${hex(i, 12)}`);
const JA3 = Array.from({ length: 3000 }, (_, i) => hex(i * 2654435761, 16).repeat(2));
const JA3S = Array.from({ length: 500 }, (_, i) => hex(i * 40503, 16).repeat(2));
const SNI = Array.from({ length: 5000 }, (_, i) => `host${i}.example${i % 97}.com`);
const CLIENTS = 50_000;
const ALPN = ["h2", "http/1.1", "", "h3"];

/** Feeds n handshakes (seeded) into the store's native aggregates. */
function fill(store, n, seed) {
  const rnd = lcg(seed);
  const agg = store.aggregates;
  const ts0 = 1_750_000_000_000;
  for (let i = 0; i < n; i++) {
    const c = Math.floor(CLIENTS * rnd() ** 3);
    const app = rnd() < 0.9 ? (c * 31) % 3000 : Math.floor(rnd() * 3000);
    const sni =
      rnd() < 0.8 ? (c * 7 + Math.floor(rnd() * 4) * 1013) % 5000 : Math.floor(rnd() * 5000);
    const quic = c % 8 === 0;
    agg.add(
      JA4[app],
      JA3[app],
      rnd() < 0.75 ? JA3S[app % 500] : null,
      rnd() < 0.97 ? SNI[sni] : null,
      ALPN[quic ? 3 : app % 3],
      `10.${(c >> 16) & 255}.${(c >> 8) & 255}.${c & 255}`,
      `192.0.2.${sni % 250}`,
      quic ? "quic" : "tcp",
      ts0 + i,
    );
  }
}

const dir = mkdtempSync(join(tmpdir(), "tlsfp-store-write-"));
try {
  for (let run = 0; run < Number(opt.runs); run++) {
    const path = join(dir, `run${run}.db`);
    const rounds = opt.rewrite ? 2 : 1;
    for (let round = 0; round < rounds; round++) {
      const store = openStore({ path, historyMax: 0, flushIntervalMs: 0, labels: [] });
      fill(store, N, 12345 + round);
      const st = store.stats();
      const rows = Object.values(st.aggregates).reduce((a, b) => a + b, 0);
      const t = process.hrtime.bigint();
      const c = process.cpuUsage();
      store.close();
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      const cu = process.cpuUsage(c);
      const cpuMs = (cu.user + cu.system) / 1000;
      if (round === rounds - 1) {
        console.log(
          `run ${run}${opt.rewrite ? " (rewrite)" : ""}: ${rows} rows (ja4_sni ${st.aggregates.ja4_sni}), ` +
            `close ${ms.toFixed(0)} ms, ${((ms * 1000) / rows).toFixed(2)} µs/row; ` +
            `CPU ${cpuMs.toFixed(0)} ms, ${((cpuMs * 1000) / rows).toFixed(2)} µs/row`,
        );
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
