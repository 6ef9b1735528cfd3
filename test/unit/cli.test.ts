/** `tlsfp pcap` end to end: spawns `node dist/src/cli/main.js` (built by the global setup). */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type BuiltFrame, tlsConversation } from "../helpers/frames.js";
import {
  alpn,
  CHROME_EXAMPLE,
  chromeLikeHello,
  keyShare,
  selectedVersion,
  serverHello,
} from "../helpers/hello.js";
import { pcapBytes, writePcap } from "../helpers/pcap.js";

const root = join(import.meta.dirname, "..", "..");
const main = join(root, "dist", "src", "cli", "main.js");
const dir = mkdtempSync(join(tmpdir(), "tlsfp-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tlsfp(...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: "utf8", timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SH = serverHello({
  cipher: 0x1301,
  extensions: [selectedVersion(0x0304), keyShare(), alpn(["h2"])],
});

/** Two handshakes from two client ports, the second with a split hello. */
function twoHandshakes(): BuiltFrame[] {
  return [
    ...tlsConversation({ clientHello: chromeLikeHello(), serverHellos: [SH] }),
    ...tlsConversation({
      client: { ip: "10.77.0.3", port: 50000 },
      clientHello: chromeLikeHello({ keyShareSize: 1216, host: "two.test" }),
      serverHellos: [SH],
      startNs: 1_700_000_001_000_000_000n,
    }),
  ];
}

const lines = (s: string) => s.split("\n").filter((l) => l.length > 0);

describe("tlsfp pcap: errors", () => {
  it("missing file → one line, exit 1", () => {
    const f = join(dir, "missing.pcap");
    const r = tlsfp("pcap", f);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(lines(r.stderr)).toEqual([`tlsfp: ${f}: No such file or directory`]);
  });

  it("a text file → one line, exit 1", () => {
    const f = join(dir, "notes.txt");
    writeFileSync(f, "this is not a capture file, just some text\n".repeat(4));
    const r = tlsfp("pcap", f);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr.startsWith(`tlsfp: ${f}: `)).toBe(true);
  });

  it("an unknown link type → one line, exit 1", () => {
    const f = join(dir, "linktype.pcap");
    writePcap(f, [], 147); // LINKTYPE_USER0
    const r = tlsfp("pcap", f);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr.startsWith(`tlsfp: ${f}: `)).toBe(true);
  });

  it("a file corrupt mid-way: records before it, then an error line, exit 1", () => {
    const f = join(dir, "corrupt.pcap");
    const good = pcapBytes(tlsConversation({ clientHello: chromeLikeHello(), serverHellos: [SH] }));
    const badHeader = Buffer.alloc(16);
    badHeader.writeUInt32LE(1_700_000_009, 0);
    badHeader.writeUInt32LE(0x7fffffff, 8); // caplen far past the snaplen
    badHeader.writeUInt32LE(0x7fffffff, 12);
    writeFileSync(f, Buffer.concat([good, badHeader, Buffer.alloc(64)]));
    const r = tlsfp("pcap", f);
    expect(r.code).toBe(1);
    expect(lines(r.stdout)).toHaveLength(1);
    expect(lines(r.stderr).at(-1)).toMatch(new RegExp(`^tlsfp: ${f}: `));
    const eve = join(dir, "corrupt.json");
    expect(tlsfp("pcap", f, "--eve", eve).code).toBe(1);
    expect(lines(readFileSync(eve, "utf8"))).toHaveLength(1); // written before the error
  });

  it.each([
    [["pcap"], /needs a FILE/],
    [["pcap", "a", "b"], /one FILE/],
    [["pcap", "--max-flows", "0", "x.pcap"], /--max-flows/],
    [["pcap", "--hello-max-bytes", "lots", "x.pcap"], /--hello-max-bytes/],
    [["pcap", "--bogus", "x.pcap"], /bogus/],
    [["frobnicate"], /unknown command 'frobnicate'/],
    [[], /no command/],
  ])("usage error %j → exit 2", (args, re) => {
    const r = tlsfp(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(re);
    expect(r.stdout).toBe("");
  });

  it("--help and --version exit 0", () => {
    expect(tlsfp("--help").stdout).toMatch(/Usage: tlsfp <command>/);
    expect(tlsfp("pcap", "--help").stdout).toMatch(/Usage: tlsfp pcap FILE/);
    const v = tlsfp("--version");
    expect(v.code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    expect(v.stdout.trim()).toBe(`tlsfp ${pkg.version}`);
  });
});

describe("tlsfp pcap: output", () => {
  const pcap = join(dir, "two.pcap");
  writePcap(pcap, twoHandshakes());

  it("writes one EVE line per handshake to stdout and a summary to stderr", () => {
    const r = tlsfp("pcap", pcap);
    expect(r.code).toBe(0);
    const events = lines(r.stdout).map((l) => JSON.parse(l));
    expect(events).toHaveLength(2);
    expect(events.map((e) => e.tls.sni)).toEqual(["example.com", "two.test"]);
    expect(events.map((e) => e.src_ip)).toEqual(["10.77.0.1", "10.77.0.3"]);
    for (const e of events) {
      expect(e.event_type).toBe("tls");
      expect(e.tls.ja4).toBe(CHROME_EXAMPLE.ja4);
      expect(e.tls.ja3s.string).toBe("771,4865,43-51-16");
      expect(e.tlsfp.ja4_o).toBe(CHROME_EXAMPLE.ja4_o);
      expect(e.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000$/);
    }
    expect(r.stderr).toMatch(
      /^tlsfp: .*two\.pcap: \d+ packets, .* 2 handshakes in [\d.]+ s \(\d+ packets\/s\)$/m,
    );
    expect(r.stderr).toMatch(/no errors or drops/);
  });

  it("--eve PATH writes the file, nothing on stdout", () => {
    const eve = join(dir, "out.json");
    const r = tlsfp("pcap", pcap, "--eve", eve);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    const events = lines(readFileSync(eve, "utf8")).map((l) => JSON.parse(l));
    expect(events).toHaveLength(2);
    expect(r.stderr).toMatch(/2 handshakes/);
  });

  it("--eve into a missing directory → exit 1", () => {
    const r = tlsfp("pcap", pcap, "--eve", join(dir, "nope", "out.json"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ENOENT|no such file/i);
  });

  it("--quiet prints no summary", () => {
    const r = tlsfp("pcap", pcap, "--quiet");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(lines(r.stdout)).toHaveLength(2);
  });

  it("reports drops in the summary", () => {
    const r = tlsfp("pcap", pcap, "--hello-max-bytes", "512");
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toHaveLength(1); // the 1.5 KB hello does not fit
    expect(r.stderr).toMatch(/errors and drops: .*reassembly_overflow=1/);
  });
});
