/**
 * `tlsfp run --vdev net_pcap0,rx_pcap=FIXTURE` against the pcap path on the
 * same file: the data plane (DPDK, shared-memory rings, RegionReader) must
 * give the same handshakes as CaptureAnalyzer, exit 0 and leave nothing in
 * /dev/shm, /dev/hugepages or /var/run/dpdk.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eveKey,
  FIXTURES,
  leftoversOf,
  pcapRecords,
  readEve,
  recordKey,
  requireRootAndDpdk,
  runCli,
  sortedKeys,
} from "./util.js";

let tmp = "";
let n = 0;

const ready = requireRootAndDpdk();

beforeAll(() => {
  if (!ready) return;
  tmp = mkdtempSync(join(tmpdir(), "tlsfp-e2e-replay-"));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** One net_pcap port per fixture (several fixtures: several ports at once). */
async function runAndCompare(fixture: string | string[], extra: string[]): Promise<void> {
  const files = (Array.isArray(fixture) ? fixture : [fixture]).map((f) => join(FIXTURES, f));
  const instance = `e2e${process.pid}_${n++}`;
  const eve = join(tmp, `${instance}.jsonl`);
  const r = await runCli([
    "run",
    ...files.flatMap((file, i) => ["--vdev", `net_pcap${i},rx_pcap=${file}`]),
    "--duration",
    "1",
    "--eve",
    eve,
    "--instance",
    instance,
    "--no-api",
    "--store",
    ":memory:",
    ...extra,
  ]);
  expect(r.stderr, r.stderr).not.toMatch(/tlsfp: error|left files behind/);
  expect(r.code, r.stderr).toBe(0);
  const want = files.flatMap(pcapRecords).map(recordKey);
  const got = readEve(eve).map(eveKey);
  expect(want.length).toBeGreaterThan(0);
  expect(sortedKeys(got)).toEqual(sortedKeys(want));
  expect(leftoversOf(instance)).toEqual([]);
}

describe("tlsfp run on net_pcap replays = tlsfp pcap", () => {
  for (const f of [
    "clients/curl-tls13.pcap",
    "clients/browser-firefox-hrr.pcap",
    "clients/curl-split-mtu576.pcap",
    "clients/openssl-hrr-split.pcap",
    "clients/curl-ipv6.pcap",
    "quic/chromium.pcap",
  ]) {
    it(`${f} (no hugepages)`, async () => {
      await runAndCompare(f, ["--no-huge", "-q"]);
    });
  }

  it("clients/python3.pcap with hugepages (reserved and given back)", async () => {
    const before = (await import("node:fs")).readFileSync("/proc/sys/vm/nr_hugepages", "utf8");
    await runAndCompare("clients/python3.pcap", ["--huge", "-q"]);
    const after = (await import("node:fs")).readFileSync("/proc/sys/vm/nr_hugepages", "utf8");
    expect(after).toBe(before);
  });

  it("clients/go.pcap with 2 workers (software distribution)", async () => {
    await runAndCompare("clients/go.pcap", ["--no-huge", "--workers", "2", "-q"]);
  });

  for (const huge of ["--huge", "--no-huge"]) {
    it(`three ports at once, 2 workers, ${huge}: memory sized for their mbuf pool`, async () => {
      await runAndCompare(
        ["clients/curl-tls13.pcap", "clients/go.pcap", "quic/chromium.pcap"],
        ["--workers", "2", huge, "-q"],
      );
    });
  }
});

describe("tlsfp run refuses bad settings before DPDK starts", () => {
  it("an unknown vdev driver", async () => {
    const r = await runCli(["run", "--vdev", "net_bogus0,x=1", "--duration", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tlsfp: --vdev net_bogus0,x=1: unknown driver 'net_bogus'/m);
    expect(r.stderr).not.toMatch(/EAL/);
  });

  it("a missing capture file", async () => {
    const r = await runCli(["run", "--vdev", "net_pcap0,rx_pcap=/nonexistent.pcap"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--vdev net_pcap0,rx_pcap=\/nonexistent.pcap: rx_pcap=\/nonexistent.pcap: no such file/,
    );
  });

  it("an API port in use", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    try {
      const r = await runCli([
        "run",
        "--api",
        `127.0.0.1:${port}`,
        "--store",
        ":memory:",
        "--no-huge",
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^tlsfp: --api 127.0.0.1:${port}: .*EADDRINUSE`, "m"));
    } finally {
      server.close();
    }
  });

  it("more workers than online CPUs", async () => {
    const r = await runCli(["run", "--workers", "999", "--duration", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^tlsfp: --workers: 999 workers, but this machine has \d+ online CPUs/m,
    );
  });
});
