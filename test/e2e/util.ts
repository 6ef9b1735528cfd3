/**
 * Shared pieces of the end-to-end tests: the root/DPDK precondition, running
 * the built CLI with a bound, EVE normalisation, and leftover checks.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, expect } from "vitest";
import { addonPath } from "../../src/addon/load.js";
import type { TlsfpRecord } from "../../src/addon/native.js";
import { dataplaneBinary } from "../../src/dataplane/process.js";
import { hugetlbfsMounts } from "../../src/dataplane/region.js";
import { type EveEvent, toEve } from "../../src/export/eve.js";
import { captureRecords } from "../helpers/addon.js";
import type { NetnsPair, Started } from "../helpers/netns.js";

export const ROOT = join(import.meta.dirname, "..", "..");
export const CLI = join(ROOT, "dist", "src", "cli", "main.js");
export const FIXTURES = join(ROOT, "test", "fixtures");

/** Why the e2e suite cannot run here, or undefined. */
export function e2eProblem(): string | undefined {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) {
    problems.push(
      "they must run as root (DPDK, hugepages, network namespaces): sudo npx vitest run --config test/e2e/vitest.config.ts",
    );
  }
  if (!existsSync(dataplaneBinary())) {
    problems.push(
      `the data plane is not built (${dataplaneBinary()}): npm run build:native with libdpdk-dev installed`,
    );
  }
  if (!existsSync(addonPath())) {
    problems.push(`the addon is not built (${addonPath()}): npm run build:native`);
  }
  return problems.length > 0 ? `e2e tests cannot run: ${problems.join("; ")}` : undefined;
}

/**
 * The e2e suite needs root (DPDK, hugepages, namespaces) and the built data
 * plane. Not a skip: without them every test of the file FAILS and says why.
 * Call at the top level of a test file; false: do no set-up.
 */
export function requireRootAndDpdk(): boolean {
  const problem = e2eProblem();
  beforeEach(() => {
    if (problem !== undefined) throw new Error(problem);
  });
  return problem === undefined;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `tlsfp ARGS` (dist build) to its end; SIGKILL after timeoutMs. */
export function runCli(args: string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** EVE lines of a file. */
export function readEve(path: string): EveEvent[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as EveEvent);
}

/** What must agree between the pcap path and the data plane for one handshake. */
export interface HandshakeKey {
  src: string;
  dest: string;
  transport: string;
  sni: string | null;
  ja3: string;
  ja3s: string | null;
  ja4: string;
  ja4_r: string;
  ja4_o: string;
  ja4_ro: string;
}

export function eveKey(e: EveEvent): HandshakeKey {
  const t = e.tls ?? e.quic;
  return {
    src: `${e.src_ip}:${e.src_port}`,
    dest: `${e.dest_ip}:${e.dest_port}`,
    transport: e.event_type,
    sni: t?.sni ?? null,
    ja3: t?.ja3.hash ?? "",
    ja3s: t?.ja3s?.hash ?? null,
    ja4: t?.ja4 ?? "",
    ja4_r: e.tlsfp.ja4_r,
    ja4_o: e.tlsfp.ja4_o,
    ja4_ro: e.tlsfp.ja4_ro,
  };
}

export function recordKey(r: TlsfpRecord): HandshakeKey {
  return eveKey(toEve(r));
}

/** Sorted, so two lists compare as multisets. */
export function sortedKeys(keys: HandshakeKey[]): HandshakeKey[] {
  return [...keys].sort((x, y) =>
    JSON.stringify(x) < JSON.stringify(y) ? -1 : JSON.stringify(x) > JSON.stringify(y) ? 1 : 0,
  );
}

/** Files of instance NAME (any pid) in /dev/shm, hugetlbfs mounts and /var/run/dpdk. */
export function leftoversOf(instance: string): string[] {
  const prefix = `tlsfp-${instance}-`;
  const dirs = new Set(["/dev/shm", "/dev/hugepages", "/var/run/dpdk", ...hugetlbfsMounts()]);
  const out: string[] = [];
  for (const d of dirs) {
    let names: string[] = [];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const n of names) if (n.startsWith(prefix)) out.push(join(d, n));
  }
  return out;
}

/** Every record `tlsfp pcap` (the CaptureAnalyzer) gives for a capture file. */
export const pcapRecords = (file: string): TlsfpRecord[] => captureRecords(file);

/** A self-signed P-256 certificate for server.test: dir/cert.pem and dir/key.pem. */
export function makeServerCert(dir: string): void {
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=server.test",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ],
    { stdio: "pipe", timeout: 10_000 },
  );
}

/**
 * In namespace a (certificate from makeServerCert): `openssl s_server -www` on `port` (cert.pem/key.pem in
 * dir) and a tcpdump of that port on veth a into `capture`, both ready.
 */
export async function serveAndCapture(
  pair: NetnsPair,
  dir: string,
  port: number,
  capture: string,
): Promise<{ server: Started; dump: Started }> {
  const server = pair.start(
    pair.a,
    "openssl",
    [
      "s_server",
      "-accept",
      String(port),
      "-www",
      "-cert",
      join(dir, "cert.pem"),
      "-key",
      join(dir, "key.pem"),
    ],
    { timeoutMs: 60_000 },
  );
  await pair.waitFor(server, /ACCEPT/);
  const dump = pair.start(
    pair.a,
    "tcpdump",
    ["-i", pair.vethA, "-U", "-n", "-w", capture, "tcp", "port", String(port)],
    { timeoutMs: 60_000 },
  );
  await pair.waitFor(dump, /listening on/);
  return { server, dump };
}

/**
 * A live run's EVE lines against the tcpdump of the same traffic through
 * `tlsfp pcap`: the same handshakes, each exactly once (one per client
 * connection), `clients` of them, every one from namespace b to a:port and
 * with its ServerHello.
 */
export function expectEveMatchesCapture(
  eve: string,
  capture: string,
  clients: number,
  pair: NetnsPair,
  port: number,
): void {
  const got = readEve(eve).map(eveKey);
  const want = pcapRecords(capture).map(recordKey);
  expect(want.length).toBe(clients);
  expect(new Set(got.map((k) => k.src)).size).toBe(got.length);
  expect(sortedKeys(got)).toEqual(sortedKeys(want));
  for (const k of got) {
    expect(k.src.startsWith(`${pair.ipB}:`)).toBe(true);
    expect(k.dest).toBe(`${pair.ipA}:${port}`);
    expect(k.ja3s).not.toBeNull();
  }
}
