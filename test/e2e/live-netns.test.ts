/**
 * Live: `tlsfp run` on net_af_packet inside a network namespace, real TLS
 * clients (curl, openssl s_client, python3, node) from a second namespace
 * to an openssl s_server, and tcpdump on the same veth. Every handshake
 * must appear exactly once, with the fingerprints `tlsfp pcap` gives for the
 * tcpdump capture of the same traffic.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NetnsPair } from "../helpers/netns.js";
import {
  CLI,
  expectEveMatchesCapture,
  leftoversOf,
  makeServerCert,
  requireRootAndDpdk,
  serveAndCapture,
} from "./util.js";

const PORT = 8443;
const API_PORT = 18080;
let pair: NetnsPair;
let tmp = "";

const ready = requireRootAndDpdk();

beforeAll(() => {
  if (!ready) return;
  tmp = mkdtempSync(join(tmpdir(), "tlsfp-e2e-live-"));
  makeServerCert(tmp);
  pair = new NetnsPair(process.pid);
  pair.create();
});

afterAll(async () => {
  await pair?.destroy();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("tlsfp run on a live veth (net_af_packet) in a namespace", () => {
  it("sees every client handshake exactly once, as tlsfp pcap sees tcpdump's capture", async () => {
    const instance = `e2elive${process.pid}`;
    const eve = join(tmp, "run.jsonl");
    const cap = join(tmp, "live.pcap");

    const { dump } = await serveAndCapture(pair, tmp, PORT, cap); // the pair stops the server
    const run = pair.start(
      pair.a,
      process.execPath,
      [
        CLI,
        "run",
        "--vdev",
        `net_af_packet0,iface=${pair.vethA}`,
        "--eve",
        eve,
        "--no-huge",
        "--instance",
        instance,
        "--store",
        ":memory:",
        "--api",
        `127.0.0.1:${API_PORT}`,
        "-v",
      ],
      { timeoutMs: 60_000 },
    );
    await pair.waitFor(run, /tlsfp: running: /, 20_000);

    const url = `https://server.test:${PORT}/`;
    const clients: [string, string, string[]][] = [
      [
        "curl tls1.3",
        "curl",
        [
          "-sk",
          "--max-time",
          "5",
          "--resolve",
          `server.test:${PORT}:${pair.ipA}`,
          url,
          "-o",
          "/dev/null",
        ],
      ],
      [
        "curl tls1.2",
        "curl",
        [
          "-sk",
          "--tlsv1.2",
          "--tls-max",
          "1.2",
          "--max-time",
          "5",
          "--resolve",
          `server.test:${PORT}:${pair.ipA}`,
          url,
          "-o",
          "/dev/null",
        ],
      ],
      [
        "openssl s_client",
        "openssl",
        [
          "s_client",
          "-connect",
          `${pair.ipA}:${PORT}`,
          "-servername",
          "server.test",
          "-alpn",
          "h2,http/1.1",
        ],
      ],
      [
        "python3",
        "python3",
        [
          "-c",
          [
            "import socket, ssl",
            "c = ssl.create_default_context(); c.check_hostname = False; c.verify_mode = ssl.CERT_NONE",
            `s = c.wrap_socket(socket.create_connection(("${pair.ipA}", ${PORT}), timeout=5), server_hostname="server.test")`,
            "s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n'); s.recv(64); s.close()",
          ].join("\n"),
        ],
      ],
      [
        "node",
        process.execPath,
        [
          "-e",
          `const s = require("node:tls").connect({ host: "${pair.ipA}", port: ${PORT}, servername: "server.test", ` +
            `rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] }, () => s.end()); s.on("error", (e) => { console.error(e); process.exit(1); }); s.resume();`,
        ],
      ],
    ];
    for (const [name, cmd, args] of clients) {
      const r = await pair.exec(pair.b, cmd, args, { timeoutMs: 10_000, input: "" });
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
    }

    await new Promise((r) => setTimeout(r, 1000));
    // The API (inside namespace a) serves the supervisor's stats and the store.
    const api = await pair.exec(pair.a, "curl", [
      "-s",
      "--max-time",
      "5",
      `http://127.0.0.1:${API_PORT}/api/v1/stats`,
    ]);
    const stats = JSON.parse(api.stdout) as {
      dataplane: {
        running: boolean;
        restarts: number;
        drops: number;
        counters: Record<string, number>;
      };
      ingest: { records: number };
    };
    expect(stats.dataplane.running).toBe(true);
    expect(stats.dataplane.restarts).toBe(0);
    expect(stats.dataplane.drops).toBe(0);
    expect(stats.ingest.records).toBe(clients.length);
    expect(stats.dataplane.counters.handshakes).toBe(clients.length);
    run.child.kill("SIGTERM");
    const ran = await run.exited;
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).not.toMatch(/tlsfp: error|left files behind/);
    dump.child.kill("SIGINT");
    await dump.exited;

    expectEveMatchesCapture(eve, cap, clients.length, pair, PORT);
    expect(leftoversOf(instance)).toEqual([]);
  });
});
