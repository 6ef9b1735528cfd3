/**
 * `tlsfp run` as a user meets it: the README's command on the embedded
 * default (the demo capture through net_pcap), queried over HTTP the way
 * docs/api.md shows; a restart on the same store keeps what the first run
 * stored; a data plane killed under load is restarted while the API keeps
 * answering and nothing stored is lost. Each case is bounded in time; the
 * file stays under ~90 s.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/store.js";
import { parseCpuList } from "../../src/topology/sysfs.js";
import { CLI, FIXTURES, leftoversOf, ROOT, requireRootAndDpdk, runCli } from "./util.js";

const ready = requireRootAndDpdk();
const DEMO = join(ROOT, "config", "demo.pcapng");

let tmp = "";

beforeAll(() => {
  if (!ready) return;
  tmp = mkdtempSync(join(tmpdir(), "tlsfp-e2e-appliance-"));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A running `tlsfp run`, started by this file. */
interface Appliance {
  child: ChildProcess;
  base: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: Appliance[] = [];

/** Children of pid (the data plane is a child of the run process). Only our own tree is ever read. */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
      .split("\n")
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when there is none
  }
}

// A test that failed half-way must not leave a run (or its detached data
// plane) behind: SIGINT, then SIGKILL for it and the children it started.
afterEach(async () => {
  for (const a of started.splice(0)) {
    if (a.child.exitCode !== null || a.child.signalCode !== null) continue;
    const pid = a.child.pid as number;
    const kids = childrenOf(pid);
    a.child.kill("SIGINT");
    const done = await Promise.race([a.exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!done) {
      for (const k of kids) {
        try {
          process.kill(k, "SIGKILL");
        } catch {}
      }
      a.child.kill("SIGKILL");
      await a.exited;
    }
  }
});

/** [thread name, allowed CPUs] for each thread of pid (one of ours). */
function threadCpus(pid: number): [string, number[]][] {
  const out: [string, number[]][] = [];
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const status = readFileSync(`/proc/${pid}/task/${t}/status`, "utf8");
      const name = /^Name:\s*(.*)$/m.exec(status)?.[1] ?? "";
      const list = /^Cpus_allowed_list:\s*(\S+)$/m.exec(status)?.[1] ?? "";
      out.push([`${name}/${t}`, parseCpuList(list)]);
    } catch {
      // the thread exited meanwhile
    }
  }
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts `tlsfp run --api 127.0.0.1:<free port> ARGS` (no --duration) and waits for /healthz. */
async function startRun(args: string[], apiWaitMs = 20_000): Promise<Appliance> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, "run", "--api", `127.0.0.1:${port}`, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once("close", (code, signal) => r({ code, signal })),
  );
  const a: Appliance = {
    child,
    base: `http://127.0.0.1:${port}`,
    stdout: () => out,
    stderr: () => err,
    exited,
  };
  started.push(a);
  const deadline = Date.now() + apiWaitMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tlsfp run exited ${child.exitCode}: ${err}`);
    try {
      const r = await fetch(`${a.base}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return a;
    } catch {}
    if (Date.now() > deadline) throw new Error(`no API on ${a.base} after ${apiWaitMs} ms: ${err}`);
    await sleep(25);
  }
}

/** SIGINT, and the exit status within ms. */
async function stopRun(a: Appliance, ms = 20_000) {
  a.child.kill("SIGINT");
  const r = await Promise.race([a.exited, sleep(ms).then(() => null)]);
  if (r === null) throw new Error(`tlsfp run did not stop within ${ms} ms: ${a.stderr()}`);
  return r;
}

/** The parts of GET /api/v1/stats these tests read. */
interface StatsJson {
  dataplane: {
    running: boolean;
    restarts: number;
    counters: Record<string, number>;
    cycles_per_packet: number | null;
  };
  ingest: { records: number };
  store: { ingested: number; aggregates: Record<string, number> };
}

interface HandshakePage {
  items: { tls?: { ja4: string }; quic?: { ja4: string } }[];
  total: number;
}

async function getJson<T>(a: Appliance, path: string, timeoutMs = 5000): Promise<T> {
  const r = await fetch(`${a.base}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

/** Polls fn until it returns a value (not undefined), or throws after ms. */
async function until<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** The JA4s `tlsfp pcap config/demo.pcapng` computes: the reference set. */
async function demoJa4s(): Promise<string[]> {
  const r = await runCli(["pcap", "-q", DEMO], 30_000);
  expect(r.code).toBe(0);
  const set = new Set<string>();
  for (const line of r.stdout.split("\n")) {
    if (line.trim() === "") continue;
    const e = JSON.parse(line) as { tls?: { ja4: string }; quic?: { ja4: string } };
    const ja4 = (e.tls ?? e.quic)?.ja4;
    if (ja4) set.add(ja4);
  }
  return [...set].sort();
}

interface Fp {
  value: string;
  count: number;
}

async function ja4Counts(a: Appliance): Promise<Map<string, number>> {
  const page = await getJson<{ items: Fp[]; total: number }>(
    a,
    "/api/v1/fingerprints?type=ja4&limit=1000",
  );
  expect(page.total).toBe(page.items.length);
  return new Map(page.items.map((i) => [i.value, i.count]));
}

/** What a store file holds (read after the run that wrote it has exited). */
function storedState(path: string): { ja4s: Map<string, number>; history: number } {
  const s = openStore({ path, flushIntervalMs: 0 });
  try {
    const page = s.queryFingerprints({ kind: "ja4", limit: 1000, offset: 0 });
    return {
      ja4s: new Map(page.items.map((i) => [i.value, i.count])),
      history: s.recentHandshakes({ limit: 1, offset: 0 }).total,
    };
  } finally {
    s.close();
  }
}

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name} ([0-9.e+]+)$`, "m").exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

describe("tlsfp run, the appliance", () => {
  let store = "";
  let firstRun: { ja4s: Map<string, number>; history: number } | undefined;

  it("The README's run command gives a working API on the embedded default", async () => {
    store = join(tmp, "t.db");
    const expected = await demoJa4s();
    expect(expected.length).toBeGreaterThan(5);

    const a = await startRun(["--store", store]);
    // /healthz answers at once ("degraded": the API comes up before DPDK),
    // then the data plane runs and the demo's handshakes reach the store.
    const stats = await until(
      "the data plane running with the demo's JA4s stored",
      async () => {
        const s = await getJson<StatsJson>(a, "/api/v1/stats");
        return s.dataplane.running && (s.store.aggregates.ja4 ?? 0) >= expected.length
          ? s
          : undefined;
      },
      30_000,
    );
    const health = await getJson<{ status: string; dataplane: boolean }>(a, "/healthz");
    expect(health).toMatchObject({ status: "ok", dataplane: true });
    // The workers' cost per packet, from their TSC cycle counters in shared memory.
    const cpp = (await getJson<StatsJson>(a, "/api/v1/stats")).dataplane.cycles_per_packet;
    expect(cpp).toBeGreaterThan(0);

    // Node's threads are off the worker lcores' CPUs (src/dataplane/affinity.ts).
    const runPid = a.child.pid as number;
    const [dp] = childrenOf(runPid);
    const workerCpus = new Set(
      [...threadCpus(dp as number)]
        .filter(([name]) => /^rte-worker/.test(name))
        .flatMap(([, c]) => c),
    );
    expect(workerCpus.size).toBeGreaterThan(0);
    for (const [name, cpus] of threadCpus(runPid)) {
      expect({ name, onWorkerCpu: cpus.filter((c) => workerCpus.has(c)) }).toEqual({
        name,
        onWorkerCpu: [],
      });
    }
    expect(stats.dataplane.running).toBe(true);
    expect(stats.dataplane.restarts).toBe(0);
    expect(stats.dataplane.counters.handshakes).toBeGreaterThan(0);

    // Exactly the JA4s the pcap path computes for the same capture.
    const counts = await ja4Counts(a);
    expect([...counts.keys()].sort()).toEqual(expected);

    const one = expected[0] as string;
    const fp = await getJson<Fp & { kind: string; label?: unknown }>(
      a,
      `/api/v1/fingerprints/${one}`,
    );
    expect(fp.value).toBe(one);
    expect(fp.kind).toBe("ja4");
    expect(fp.count).toBe(counts.get(one));
    expect(fp.count).toBeGreaterThan(0);
    expect(fp).toHaveProperty("label");
    // The demo's clients are all in the bundled label set.
    const labelled = await Promise.all(
      expected.map((v) =>
        getJson<{ label?: { application?: string } }>(a, `/api/v1/fingerprints/${v}`).then(
          (f) => f.label,
        ),
      ),
    );
    expect(labelled.filter((l) => l?.application).length).toBeGreaterThan(0);

    const hs = await getJson<HandshakePage>(a, "/api/v1/handshakes?limit=5");
    expect(hs.items).toHaveLength(5);
    expect(hs.total).toBeGreaterThanOrEqual(5);
    for (const h of hs.items) expect(expected).toContain((h.tls ?? h.quic)?.ja4);

    const metrics = await (await fetch(`${a.base}/metrics`)).text();
    expect(metric(metrics, "tlsfp_handshakes_total")).toBeGreaterThan(0);

    const pb = await fetch(`${a.base}/api/v1/fingerprints?type=ja4`, {
      headers: { accept: "application/x-protobuf" },
    });
    expect(pb.status).toBe(200);
    expect(pb.headers.get("content-type")).toMatch(/^application\/x-protobuf/);
    expect((await pb.arrayBuffer()).byteLength).toBeGreaterThan(100);

    const end = await stopRun(a);
    expect({ ...end, stderr: end.code === 0 ? "" : a.stderr() }).toEqual({
      code: 0,
      signal: null,
      stderr: "",
    });
    // Its EVE went to stdout (the default): one line per stored handshake
    // (including those flushed at the stop, after the last query above).
    const eve = a.stdout().trim().split("\n");
    firstRun = storedState(store);
    expect(firstRun.history).toBe(eve.length);
    expect([...firstRun.ja4s.keys()].sort()).toEqual(expected);
    for (const [v, n] of counts) expect(firstRun.ja4s.get(v)).toBeGreaterThanOrEqual(n);
  }, 45_000);

  it("a second run on the same --store starts with the first run's aggregates and history", async () => {
    if (firstRun === undefined) throw new Error("needs the first test's store");
    const a = await startRun(["--store", store, "--eve", "/dev/null"]);
    // The API is up before the data plane (services first, then DPDK), so
    // this snapshot is taken before any new ingest; the stats around it
    // prove that.
    const before = await getJson<StatsJson>(a, "/api/v1/stats");
    const counts = await ja4Counts(a);
    const history = await getJson<HandshakePage>(a, "/api/v1/handshakes?limit=1");
    const after = await getJson<StatsJson>(a, "/api/v1/stats");
    expect(before.ingest.records).toBe(0);
    expect(after.ingest.records).toBe(0);
    expect(counts).toEqual(firstRun.ja4s);
    expect(history.total).toBe(firstRun.history);

    // Then the demo is replayed again and the counts grow while it runs...
    const prior = firstRun;
    await until(
      "the second replay ingested",
      async () => {
        const s = await getJson<StatsJson>(a, "/api/v1/stats");
        return s.ingest.records > 0 && (s.store.aggregates.ja4 ?? 0) >= prior.ja4s.size
          ? s
          : undefined;
      },
      30_000,
    );
    const grown = await until(
      "grown counts",
      async () => {
        const c = await ja4Counts(a);
        return [...c.values()].reduce((x, y) => x + y, 0) >
          [...prior.ja4s.values()].reduce((x, y) => x + y, 0)
          ? c
          : undefined;
      },
      10_000,
    );
    for (const [v, n] of prior.ja4s) expect(grown.get(v)).toBeGreaterThanOrEqual(n);
    expect((await stopRun(a)).code).toBe(0);
    // ...and once it has stopped, every count has doubled (the same
    // capture twice) and so has the history.
    const second = storedState(store);
    for (const [v, n] of prior.ja4s) expect({ v, n: second.ja4s.get(v) }).toEqual({ v, n: 2 * n });
    expect(second.ja4s.size).toBe(prior.ja4s.size);
    expect(second.history).toBe(2 * prior.history);
  }, 45_000);

  it("a data plane killed under load is restarted; the API answers throughout; nothing stored is lost", async () => {
    // Traffic that never stops: one handshake (curl, TLS 1.3) then 2000
    // ARP frames, replayed forever (net_pcap infinite_rx=1). The ARP
    // padding keeps the handshake rate in the hundreds per second, so the
    // test measures the restart, not SQLite under a flood.
    const loop = join(tmp, "loop.pcap");
    writeFileSync(loop, paddedCapture(join(FIXTURES, "clients", "curl-tls13.pcap"), 2000));
    const a = await startRun([
      "--store",
      join(tmp, "load.db"),
      "--eve",
      "/dev/null",
      "--vdev",
      `net_pcap0,rx_pcap=${loop},infinite_rx=1`,
    ]);
    const samples: { at: number; running: boolean; ingested: number; records: number }[] = [];
    const sample = async () => {
      const s = await getJson<StatsJson>(a, "/api/v1/stats", 3000);
      samples.push({
        at: Date.now(),
        running: s.dataplane.running,
        ingested: s.store.ingested,
        records: s.ingest.records,
      });
      return s;
    };
    const first = await until(
      "handshakes flowing",
      async () => {
        const s = await sample();
        return s.dataplane.running && s.ingest.records > 0 ? s : undefined;
      },
      20_000,
    );
    expect(first.dataplane.restarts).toBe(0);

    const runPid = a.child.pid as number;
    const dataplanes = childrenOf(runPid);
    expect(dataplanes).toHaveLength(1);
    const victim = dataplanes[0] as number;
    process.kill(victim, "SIGKILL");
    const killedAt = Date.now();

    // Every request from the kill until the data plane is back (a new pid,
    // running, restarts = 1, records flowing again) must be answered.
    let failures = 0;
    let answered = 0;
    let back: StatsJson | undefined;
    while (Date.now() - killedAt < 20_000) {
      try {
        const s = await sample();
        const h = await fetch(`${a.base}/healthz`, { signal: AbortSignal.timeout(3000) });
        if (h.status !== 200) failures++;
        answered++;
        if (s.dataplane.running && s.dataplane.restarts === 1) {
          const ingestedAtRestart = s.ingest.records;
          back = await until(
            "records after the restart",
            async () => {
              const t = await sample();
              return t.ingest.records > ingestedAtRestart ? t : undefined;
            },
            10_000,
          );
          break;
        }
      } catch {
        failures++;
      }
      await sleep(50);
    }
    expect({ failures, restarted: back !== undefined }).toEqual({ failures: 0, restarted: true });
    expect(answered).toBeGreaterThan(0);
    // Some of those answers came while the data plane was down.
    expect(samples.filter((s) => s.at >= killedAt && !s.running).length).toBeGreaterThan(0);
    expect(back?.dataplane.restarts).toBe(1);
    const now = childrenOf(runPid);
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(victim);
    expect(a.stderr()).toMatch(new RegExp(`data plane ${victim} killed by SIGKILL; restart 1`));

    // The stored count only ever grows.
    for (let i = 1; i < samples.length; i++) {
      const [p, c] = [samples[i - 1], samples[i]] as [(typeof samples)[0], (typeof samples)[0]];
      expect(c.ingested).toBeGreaterThanOrEqual(p.ingested);
      expect(c.records).toBeGreaterThanOrEqual(p.records);
    }
    const last = samples[samples.length - 1] as (typeof samples)[0];
    expect(last.ingested).toBeGreaterThan(samples[0]?.ingested ?? 0);

    const end = await stopRun(a);
    expect(end.code).toBe(0);
    expect(a.stderr()).toMatch(/data plane: 1 restart\(s\)/);
    // The killed data plane's files were removed, the last one left none.
    expect(leftoversOf(`run${runPid}`)).toEqual([]);
  }, 60_000);
});

/**
 * A classic pcap: the frames of `file` (a classic little-endian pcap, as
 * the fixtures are), then `pad` broadcast ARP requests. The ARP frames are
 * not IP: the pipeline counts and drops them without state.
 */
function paddedCapture(file: string, pad: number): Buffer {
  const src = readFileSync(file);
  if (src.readUInt32LE(0) !== 0xa1b2c3d4 && src.readUInt32LE(0) !== 0xa1b23c4d) {
    throw new Error(`${file}: not a little-endian classic pcap`);
  }
  const arp = Buffer.from(
    "ffffffffffff020000000001080600010800060400010200000000010a4e0001000000000000 0a4e0002".replace(
      / /g,
      "",
    ),
    "hex",
  );
  const recs: Buffer[] = [src];
  const lastTs = lastTimestamp(src);
  for (let i = 0; i < pad; i++) {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(lastTs + 1, 0);
    h.writeUInt32LE(i, 4);
    h.writeUInt32LE(arp.length, 8);
    h.writeUInt32LE(arp.length, 12);
    recs.push(h, arp);
  }
  return Buffer.concat(recs);
}

function lastTimestamp(pcap: Buffer): number {
  let off = 24;
  let ts = 0;
  while (off + 16 <= pcap.length) {
    ts = pcap.readUInt32LE(off);
    off += 16 + pcap.readUInt32LE(off + 8);
  }
  return ts;
}
