/**
 * The other DPDK sources of `tlsfp run` (docs/sources.md):
 *
 * - net_memif: a peer `dpdk-testpmd` (its own --file-prefix, no hugepages)
 *   replays a fixture through net_pcap and forwards it (io mode, port 0 →
 *   port 1) into a memif server; `tlsfp run` is the memif client. The
 *   records must be those `tlsfp pcap` gives for the fixture.
 * - net_af_xdp: inside a namespace, a tc mirror copies both directions of a
 *   veth onto a second veth pair whose far end the AF_XDP socket reads (AF_XDP
 *   takes the packets it receives away from the kernel, so it must sit on a
 *   monitor interface, never on the one the traffic uses). curl/openssl
 *   clients → openssl s_server; compared with tcpdump + `tlsfp pcap`.
 * - net_ring: only creatable from code (rte_eth_from_rings); from a --vdev it
 *   is an empty port: the run ends cleanly at --duration with nothing seen.
 *
 * Only processes started here are ended (by PID); nothing may be left in
 * /dev/shm, /dev/hugepages or /var/run/dpdk under either file prefix.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hugetlbfsMounts } from "../../src/dataplane/region.js";
import { NetnsPair } from "../helpers/netns.js";
import {
  CLI,
  eveKey,
  expectEveMatchesCapture,
  FIXTURES,
  leftoversOf,
  makeServerCert,
  pcapRecords,
  ROOT,
  readEve,
  recordKey,
  requireRootAndDpdk,
  runCli,
  serveAndCapture,
  sortedKeys,
} from "./util.js";

/** A process started (outside any namespace) by this file; ended by PID only. */
interface Proc {
  child: ChildProcess;
  out: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const procs: Proc[] = [];

function start(cmd: string, args: string[], timeoutMs: number): Proc {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stdin?.on("error", () => {
    // the process is gone: nothing more to say to it
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
    child.once("error", () => {
      clearTimeout(timer);
      resolve({ code: -1, signal: null });
    });
  });
  const p = { child, out: () => out, exited };
  procs.push(p);
  return p;
}

function alive(p: Proc): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}

async function until(what: string, p: Proc, ok: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (!alive(p)) throw new Error(`exited before ${what}: ${p.out().slice(-1500)}`);
    if (Date.now() > deadline)
      throw new Error(`no ${what} in ${timeoutMs} ms: ${p.out().slice(-1500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Entries named PREFIX or PREFIX_* in the places DPDK leaves files. */
function dpdkLeftovers(prefix: string): string[] {
  const out: string[] = [];
  for (const d of new Set(["/dev/shm", "/dev/hugepages", "/var/run/dpdk", ...hugetlbfsMounts()])) {
    let names: string[] = [];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const n of names) if (n === prefix || n.startsWith(`${prefix}_`)) out.push(join(d, n));
  }
  return out;
}

let tmp = "";
const ready = requireRootAndDpdk();

beforeAll(() => {
  if (!ready) return;
  tmp = mkdtempSync(join(tmpdir(), "tlsfp-e2e-sources-"));
});

afterAll(async () => {
  const running = procs.filter(alive);
  for (const p of running) p.child.kill("SIGTERM");
  await Promise.race([
    Promise.all(running.map((p) => p.exited)),
    new Promise((r) => setTimeout(r, 3000)),
  ]);
  for (const p of running) if (alive(p)) p.child.kill("SIGKILL");
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("tlsfp run on net_memif, fed by a dpdk-testpmd peer", () => {
  for (const fixture of ["synthetic/alpn.pcap", "clients/curl-split-mtu576.pcap"]) {
    it(`${fixture}: the records crossing the memif = tlsfp pcap`, async () => {
      const file = join(FIXTURES, fixture);
      const tag = `${process.pid}${fixture.startsWith("synthetic") ? "a" : "b"}`;
      const sock = `/run/tlsfp-e2e-${tag}.sock`;
      const peerPrefix = `tlsfpe2epeer${tag}`;
      const instance = `e2ememif${tag}`;
      const eve = join(tmp, `${instance}.jsonl`);
      const want = pcapRecords(file).map(recordKey);
      expect(want.length).toBeGreaterThan(0);
      const packets = Number(
        /Number of packets:\s+(\d+)/.exec(
          execFileSync("capinfos", ["-c", "-M", file], { encoding: "utf8" }),
        )?.[1],
      );
      expect(packets).toBeGreaterThan(0);
      try {
        // The peer: both lcores on cpu 0 (tlsfp's worker gets cpu 1). Interactive,
        // so that forwarding starts only once the memif link is up (memif drops
        // what it is given before), and --no-flush-rx so that "start" does not
        // throw away the capture's packets, which net_pcap has queued by then.
        const peer = start(
          "stdbuf",
          [
            "-oL",
            "dpdk-testpmd",
            "--lcores",
            "0@0,1@0",
            "--file-prefix",
            peerPrefix,
            "--no-pci",
            "--no-huge",
            "-m",
            "256",
            "--no-telemetry",
            "--log-level",
            "pmd.net.memif:debug",
            "--vdev",
            `net_pcap0,rx_pcap=${file}`,
            "--vdev",
            `net_memif0,role=server,socket=${sock},socket-abstract=no`,
            "--",
            "-i",
            "--forward-mode=io",
            "--total-num-mbufs=4096",
            "--no-flush-rx",
          ],
          40_000,
        );
        // The prompt: the peer's ports are started (a client that connects earlier
        // may find a server that is not ready to answer).
        await until(
          "testpmd prompt",
          peer,
          () => existsSync(sock) && /testpmd> /.test(peer.out()),
          15_000,
        );

        const run = start(
          process.execPath,
          [
            CLI,
            "run",
            "--vdev",
            `net_memif0,role=client,socket=${sock},socket-abstract=no`,
            "--duration",
            "6",
            "--eve",
            eve,
            "--no-api",
            "--store",
            ":memory:",
            "--no-huge",
            "--instance",
            instance,
            "-v",
          ],
          40_000,
        );
        await until("tlsfp: running", run, () => /tlsfp: running: /.test(run.out()), 20_000);
        // The link comes up once the client's connection request is answered.
        let asked = 0;
        await until(
          "memif link up",
          peer,
          () => {
            if (/Link status: up/.test(peer.out())) return true;
            peer.child.stdin?.write("show port info 1\n");
            asked++;
            return false;
          },
          10_000,
        ).catch((e: Error) => {
          throw new Error(
            `${e.message}\n--- peer:\n${peer.out().slice(0, 4000)}\n--- tlsfp run:\n${run.out().slice(-3000)}`,
          );
        });
        expect(asked).toBeGreaterThan(0);
        peer.child.stdin?.write("start\n");
        await new Promise((r) => setTimeout(r, 1500));
        peer.child.stdin?.write("stop\n");
        await until("forward statistics", peer, () => /Accumulated forward/.test(peer.out()), 5000);

        const ran = await run.exited;
        expect(ran.code, run.out()).toBe(0);
        expect(run.out()).not.toMatch(/tlsfp: error|left files behind|restart \d+ in/);
        expect(run.out()).toMatch(
          new RegExp(
            `net_memif0,role=client,socket=${sock},socket-abstract=no: ${packets} packets, .* ${want.length} handshakes`,
          ),
        );
        peer.child.stdin?.end("quit\n");
        const peerExit = await peer.exited;
        expect(peerExit.code, peer.out()).toBe(0);
        // Everything the peer read from the capture went out of the memif port.
        const stats = [...peer.out().matchAll(/TX-packets: (\d+)/g)].map((m) => Number(m[1]));
        expect(stats[1]).toBe(packets);

        const got = readEve(eve).map(eveKey);
        expect(sortedKeys(got)).toEqual(sortedKeys(want));
        expect(leftoversOf(instance)).toEqual([]);
      } finally {
        // testpmd (DPDK 22.11) leaves its /var/run/dpdk/PREFIX directory; the
        // memif server unlinks its socket when it closes the port.
        rmSync(`/var/run/dpdk/${peerPrefix}`, { recursive: true, force: true });
      }
      expect(existsSync(sock)).toBe(false);
      expect(dpdkLeftovers(peerPrefix)).toEqual([]);
      expect(dpdkLeftovers(`tlsfp-${instance}`)).toEqual([]);
    });
  }
});

describe("tlsfp run on net_af_xdp, a monitor veth fed by a tc mirror", () => {
  const PORT = 8443;
  let pair: NetnsPair | undefined;

  afterAll(async () => {
    await pair?.destroy();
  });

  it("sees every client handshake once, as tlsfp pcap sees tcpdump's capture", async () => {
    pair = new NetnsPair(Number(`${String(process.pid).slice(-6)}9`));
    pair.create();
    const p = pair;
    const short = String(process.pid).slice(-7);
    const monTx = `tm${short}t`;
    const monRx = `tm${short}r`;
    const sh = (cmd: string, args: string[]) =>
      execFileSync("ip", ["netns", "exec", p.a, cmd, ...args], { stdio: "pipe", timeout: 10_000 });
    sh("ip", ["link", "add", monTx, "type", "veth", "peer", "name", monRx]);
    for (const d of [monTx, monRx]) sh("ip", ["link", "set", d, "up"]);
    sh("tc", ["qdisc", "add", "dev", p.vethA, "clsact"]);
    for (const dir of ["ingress", "egress"]) {
      sh("tc", [
        "filter",
        "add",
        "dev",
        p.vethA,
        dir,
        "protocol",
        "all",
        "u32",
        "match",
        "u32",
        "0",
        "0",
        "action",
        "mirred",
        "egress",
        "mirror",
        "dev",
        monTx,
      ]);
    }
    makeServerCert(tmp);
    const instance = `e2exdp${process.pid}`;
    const eve = join(tmp, "xdp.jsonl");
    const cap = join(tmp, "xdp.pcap");
    const { dump } = await serveAndCapture(p, tmp, PORT, cap); // the pair stops the server
    const run = p.start(
      p.a,
      process.execPath,
      [
        CLI,
        "run",
        "--vdev",
        `net_af_xdp0,iface=${monRx},start_queue=0,queue_count=1`,
        "--eve",
        eve,
        "--no-huge",
        "--instance",
        instance,
        "--no-api",
        "--store",
        ":memory:",
        "-v",
      ],
      { timeoutMs: 60_000 },
    );
    await p.waitFor(run, /tlsfp: running: /, 20_000);

    const resolve = `server.test:${PORT}:${p.ipA}`;
    const url = `https://server.test:${PORT}/`;
    const clients: [string, string, string[]][] = [
      [
        "curl tls1.3",
        "curl",
        ["-sk", "--max-time", "5", "--resolve", resolve, url, "-o", "/dev/null"],
      ],
      [
        "curl tls1.2",
        "curl",
        [
          "-sk",
          "--tls-max",
          "1.2",
          "--max-time",
          "5",
          "--resolve",
          resolve,
          url,
          "-o",
          "/dev/null",
        ],
      ],
      [
        "openssl s_client",
        "openssl",
        ["s_client", "-connect", `${p.ipA}:${PORT}`, "-servername", "server.test", "-alpn", "h2"],
      ],
    ];
    for (const [name, cmd, args] of clients) {
      const r = await p.exec(p.b, cmd, args, { timeoutMs: 10_000, input: "" });
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
    }
    await new Promise((r) => setTimeout(r, 1000));
    run.child.kill("SIGTERM");
    const ran = await run.exited;
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).not.toMatch(/tlsfp: error|left files behind|restart \d+ in/);
    expect(ran.stderr).toMatch(/port 0 net_af_xdp0: driver net_af_xdp/);
    dump.child.kill("SIGINT");
    await dump.exited;

    expectEveMatchesCapture(eve, cap, clients.length, p, PORT);
    expect(leftoversOf(instance)).toEqual([]);
  });

  it("tlsfp doctor calls AF_XDP usable on this kernel", async () => {
    const r = await runCli(["doctor"]);
    const line = r.stdout.split("\n").find((l) => /\/sys\/fs\/bpf (not )?mounted: /.test(l));
    expect(line, r.stdout).toMatch(/: net_af_xdp usable/);
  });
});

describe("tlsfp run on net_ring", () => {
  it("an empty port: ends cleanly at --duration with no handshakes and no leftovers", async () => {
    const instance = `e2ering${process.pid}`;
    const eve = join(tmp, "ring.jsonl");
    const r = await runCli([
      "run",
      "--vdev",
      "net_ring0",
      "--duration",
      "1",
      "--eve",
      eve,
      "--no-api",
      "--store",
      ":memory:",
      "--no-huge",
      "--instance",
      instance,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/tlsfp: error|left files behind|restart \d+ in/);
    expect(r.stderr).toMatch(/^tlsfp: net_ring0: 0 packets, 0 B, 0 handshakes in /m);
    expect(readEve(eve)).toEqual([]);
    expect(leftoversOf(instance)).toEqual([]);
  });
});

describe("tlsfp run refuses a source that cannot start, in one line", () => {
  it("a memif client with no server listening", async () => {
    const sock = `/run/tlsfp-e2e-${process.pid}-none.sock`;
    for (const [spec, want] of [
      [
        `net_memif0,role=client,socket=${sock},socket-abstract=no`,
        `no memif server listens on ${sock}: start the peer (role=server,socket-abstract=no) first`,
      ],
      [
        `net_memif0,socket=${sock}`,
        `no memif server listens on the abstract socket ${sock}: start the peer (role=server) first`,
      ],
    ] as const) {
      const r = await runCli(["run", "--vdev", spec, "--duration", "1", "--no-api"]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(`tlsfp: --vdev ${spec}: ${want}\n`);
    }
  });

  it("net_af_xdp on an interface that does not exist, or without iface=", async () => {
    let r = await runCli(["run", "--vdev", "net_af_xdp0,iface=tlsfpnone0", "--no-api"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(
      "tlsfp: --vdev net_af_xdp0,iface=tlsfpnone0: interface tlsfpnone0 does not exist (in this network namespace)\n",
    );
    r = await runCli(["run", "--vdev", "net_af_xdp0", "--no-api"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe("tlsfp: --vdev net_af_xdp0: net_af_xdp needs iface=IFACE\n");
  });
});
