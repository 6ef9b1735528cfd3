/**
 * The supervisor and the RegionReader against the real data plane:
 *  - the counter invariant on a mixed capture (every packet received is
 *    processed or counted as dropped; every handshake is drained or counted
 *    as dropped);
 *  - a killed data plane is detected, counted, restarted with backoff, and
 *    what it had committed is still drained;
 *  - a region of an unknown layout is refused with TLSFP_E_SHM_VERSION.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAddon } from "../../src/addon/load.js";
import type { NativeAddon, TlsfpRecord } from "../../src/addon/native.js";
import { silentLogger } from "../../src/dataplane/log.js";
import type { DataplaneSpec } from "../../src/dataplane/process.js";
import { Supervisor } from "../../src/dataplane/supervisor.js";
import { FIXTURES, leftoversOf, requireRootAndDpdk } from "./util.js";

let addon: NativeAddon;
let tmp = "";
let mixed = "";

const ready = requireRootAndDpdk();

beforeAll(() => {
  if (!ready) return;
  addon = loadAddon();
  tmp = mkdtempSync(join(tmpdir(), "tlsfp-e2e-sup-"));
  // A mixed capture: real clients, QUIC, edge cases (tunnels, corrupt
  // hellos, reordering, non-TLS on 443) and the synthetic corpus, one
  // after another; Ethernet only (one pcap link type).
  const files = ["clients", "quic", "edge", "synthetic"].flatMap((d) =>
    readdirSync(join(FIXTURES, d))
      .filter((f) => f.endsWith(".pcap") && !/sll|per-packet|linktype/.test(f))
      .map((f) => join(FIXTURES, d, f)),
  );
  mixed = join(tmp, "mixed.pcap");
  execFileSync("mergecap", ["-a", "-F", "pcap", "-w", mixed, ...files], { stdio: "pipe" });
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function spec(instance: string, vdev: string, extra: Partial<DataplaneSpec> = {}): DataplaneSpec {
  return { instance, workers: 1, vdevs: [vdev], pcis: [], noHuge: true, ...extra };
}

async function drainUntil(
  sup: Supervisor,
  cond: () => boolean,
  ms: number,
): Promise<TlsfpRecord[]> {
  const out: TlsfpRecord[] = [];
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) {
    out.push(...sup.drain());
    await new Promise((r) => setTimeout(r, 20));
  }
  out.push(...sup.drain());
  return out;
}

async function stopAndDrain(sup: Supervisor): Promise<TlsfpRecord[]> {
  await sup.stop();
  const out: TlsfpRecord[] = [];
  for (;;) {
    const got = sup.drain();
    if (got.length === 0) break;
    out.push(...got);
  }
  return out;
}

describe("counters", () => {
  for (const workers of [1, 2]) {
    it(`every packet of a mixed capture is processed or counted as dropped (${workers} worker(s))`, async () => {
      const instance = `e2ectr${process.pid}_${workers}`;
      const sup = new Supervisor({
        spec: spec(instance, `net_pcap0,rx_pcap=${mixed}`, { workers, ringSlots: 64 }),
        addon,
        logger: silentLogger,
      });
      await sup.start();
      const recs = await drainUntil(sup, () => false, 1500);
      recs.push(...(await stopAndDrain(sup)));
      const s = sup.stats();
      sup.close();
      const c = s.counters;
      expect(c.packets).toBeGreaterThan(1000);
      // NIC side: what the port received went to a worker or was dropped by the distributor.
      expect(s.ports.rxPackets).toBe((c.packets ?? 0) + s.drops.distDrops);
      // Record side: every handshake made was drained, or counted as dropped (ring full).
      expect(c.handshakes).toBe(recs.length + (c.records_dropped ?? 0));
      // A 64-slot ring against a full-speed replay: some records may be
      // dropped, but only ever counted.
      expect(c.handshakes).toBeGreaterThan(100);
      expect(recs.length).toBeGreaterThan(0);
      expect(s.drops.total).toBe(
        s.drops.records + s.drops.imissed + s.drops.ierrors + s.drops.rxNombuf + s.drops.distDrops,
      );
      expect(s.restarts).toBe(0);
      expect(sup.leftovers()).toEqual([]);
      expect(leftoversOf(instance)).toEqual([]);
    });
  }
});

describe("restarts", () => {
  it("a killed data plane is counted, restarted, and its committed records are still drained", async () => {
    const instance = `e2ekill${process.pid}`;
    const file = join(FIXTURES, "clients", "curl-tls13.pcap");
    const sup = new Supervisor({
      spec: spec(instance, `net_pcap0,rx_pcap=${file}`),
      addon,
      logger: silentLogger,
      backoffInitialMs: 200,
    });
    const restarted = new Promise<number>((r) => sup.once("restart", r));
    await sup.start();
    const firstPid = sup.stats().pid;
    expect(firstPid).toBeGreaterThan(0);
    // Let it commit the file's one handshake (a flush record needs a stop,
    // so wait for the ServerHello record), without draining it.
    const deadline = Date.now() + 5000;
    while (sup.stats().ringDepth < 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(sup.stats().ringDepth).toBe(1);
    process.kill(firstPid as number, "SIGKILL");
    expect(await restarted).toBe(1);
    // The new generation replays the file too: two records in all, the
    // first one from the dead process's mapping.
    const recs: TlsfpRecord[] = [];
    const until = Date.now() + 8000;
    while (recs.length < 2 && Date.now() < until) {
      recs.push(...sup.drain());
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(sup.stats().pid).not.toBe(firstPid);
    recs.push(...(await stopAndDrain(sup)));
    const s = sup.stats();
    sup.close();
    expect(s.restarts).toBe(1);
    expect(recs.length).toBe(2);
    expect(recs[0]?.sni).toBe("server.test");
    expect(leftoversOf(instance)).toEqual([]);
  });
});

describe("heartbeat", () => {
  it("a data plane whose heartbeat stalls (SIGSTOP) is killed and restarted", async () => {
    const instance = `e2estall${process.pid}`;
    const file = join(FIXTURES, "clients", "node.pcap");
    const sup = new Supervisor({
      spec: spec(instance, `net_pcap0,rx_pcap=${file}`),
      addon,
      logger: silentLogger,
      heartbeatTimeoutMs: 800,
      watchMs: 100,
      backoffInitialMs: 100,
    });
    const restarted = new Promise<string>((r) => sup.once("restart", (_n, why: string) => r(why)));
    await sup.start();
    const firstPid = sup.stats().pid as number;
    process.kill(firstPid, "SIGSTOP");
    const t0 = Date.now();
    expect(await restarted).toBe("killed by SIGKILL");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    const until = Date.now() + 8000;
    while (!(sup.stats().running && sup.stats().pid !== firstPid) && Date.now() < until) {
      sup.drain();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(sup.stats().running).toBe(true);
    expect(sup.stats().heartbeatAgeMs).toBeLessThan(800);
    await stopAndDrain(sup);
    expect(sup.stats().restarts).toBe(1);
    sup.close();
    expect(leftoversOf(instance)).toEqual([]);
  });
});

describe("RegionReader", () => {
  it("refuses a region of a layout version it does not know", () => {
    const path = join("/dev/shm", `tlsfp-e2ever${process.pid}-1.shm`);
    const buf = Buffer.alloc(8192);
    buf.writeBigUInt64LE(0x314d48535046534cn, 0); // magic
    buf.writeUInt32LE(99, 8); // layout_version
    writeFileSync(path, buf);
    try {
      expect(() => new addon.RegionReader(path)).toThrow(
        expect.objectContaining({
          code: "TLSFP_E_SHM_VERSION",
          message: expect.stringMatching(/layout version 99/),
        }),
      );
      buf.writeBigUInt64LE(0n, 0);
      writeFileSync(path, buf);
      expect(() => new addon.RegionReader(path)).toThrow(
        expect.objectContaining({ code: "TLSFP_E_SHM_NOT_READY" }),
      );
      expect(() => new addon.RegionReader("/dev/shm/nonexistent-tlsfp.shm")).toThrow(
        expect.objectContaining({ code: "ENOENT" }),
      );
    } finally {
      rmSync(path, { force: true });
    }
  });
});
