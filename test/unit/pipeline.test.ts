/**
 * The pipeline through FrameAnalyzer: frames built in JS → records. However
 * the ClientHello is cut, reordered or repeated, its fingerprints are those of
 * the whole message.
 */
import { describe, expect, it } from "vitest";
import type { FrameAnalyzer, TlsfpRecord } from "../../src/addon/native.js";
import { addon } from "../helpers/addon.js";
import { type BuiltFrame, CLIENT, SERVER, tlsConversation } from "../helpers/frames.js";
import {
  alpn,
  CHROME_EXAMPLE,
  chromeLikeHello,
  clientHello,
  keyShare,
  selectedVersion,
  serverHello,
  sigAlgs,
  sni,
  supportedVersions,
} from "../helpers/hello.js";

/** ~1.5 KB, like a post-quantum hello: two TCP segments at MSS 1460. */
const BIG_HELLO = chromeLikeHello({ keyShareSize: 1216 });
const SH = serverHello({
  cipher: 0x1301,
  extensions: [selectedVersion(0x0304), keyShare(), alpn(["h2"])],
});

function run(frames: BuiltFrame[], fa: FrameAnalyzer = new addon.FrameAnalyzer()): TlsfpRecord[] {
  const out = [...fa.input(frames), ...fa.flush()];
  fa.close();
  return out;
}

/** The fingerprint-bearing fields of a record. */
function fp(r: TlsfpRecord | undefined) {
  if (!r) throw new Error("no record");
  const { ja3, ja3s, ja4, ja4_r, ja4_o, ja4_ro, sni, clientAlpns, serverAlpns, version } = r;
  return { ja3, ja3s, ja4, ja4_r, ja4_o, ja4_ro, sni, clientAlpns, serverAlpns, version };
}

describe("FrameAnalyzer: one handshake", () => {
  it("pairs the ClientHello with its ServerHello", () => {
    const recs = run(tlsConversation({ clientHello: BIG_HELLO, serverHellos: [SH] }));
    expect(recs).toHaveLength(1);
    const r = recs[0] as TlsfpRecord;
    expect(r.reason).toBe("server_hello");
    expect(r.srcIp).toBe(CLIENT.ip);
    expect(r.srcPort).toBe(CLIENT.port);
    expect(r.destIp).toBe(SERVER.ip);
    expect(r.destPort).toBe(SERVER.port);
    expect(r.proto).toBe("TCP");
    expect(r.transport).toBe("tcp");
    expect(r.ipVersion).toBe(4);
    expect(r.vlan).toEqual([]);
    expect(r.ja4).toBe(CHROME_EXAMPLE.ja4);
    expect(r.ja4_o).toBe(CHROME_EXAMPLE.ja4_o);
    expect(r.ja3s?.string).toBe("771,4865,43-51-16");
    expect(r.serverAlpns).toEqual(["h2"]);
    expect(r.clientAlpns).toEqual(["h2", "http/1.1"]);
    expect(r.sni).toBe("example.com");
    expect(r.version).toBe("TLS 1.3");
    expect(r.serverVersion).toBe(0x0304);
    expect(r.flags.hasServerHello).toBe(true);
    expect(r.flowId).toBeGreaterThan(0);
    expect(Number.isSafeInteger(r.flowId)).toBe(true);
    // Time of the first ClientHello packet: after SYN, SYN-ACK, ACK (1 ms apart).
    expect(r.tsNs).toBe(1_700_000_000_003_000_000n);
  });

  it("agrees with parseClientHello on the same message", () => {
    const [r] = run(tlsConversation({ clientHello: BIG_HELLO, serverHellos: [SH] }));
    const f = addon.parseClientHello(BIG_HELLO);
    expect(r?.ja3).toEqual(f.ja3);
    expect(r?.ja4_r).toBe(f.ja4_r);
    expect(r?.ja4_ro).toBe(f.ja4_ro);
    expect(r?.clientHandshake.ciphers).toEqual(f.ciphers);
    expect(r?.clientHandshake.sigAlgs).toEqual(f.sigAlgs);
  });

  it("reports the VLAN IDs", () => {
    const [r] = run(
      tlsConversation({ clientHello: BIG_HELLO, serverHellos: [SH], vlan: [100, 200] }),
    );
    expect(r?.vlan).toEqual([100, 200]);
    expect(r?.ja4).toBe(CHROME_EXAMPLE.ja4);
  });

  it("without a ServerHello: written at flush, no JA3S", () => {
    const fa = new addon.FrameAnalyzer();
    expect(fa.input(tlsConversation({ clientHello: BIG_HELLO }))).toEqual([]);
    const [r, ...more] = fa.flush();
    expect(more).toEqual([]);
    expect(r?.reason).toBe("flush");
    expect(r?.ja3s).toBeNull();
    expect(r?.serverAlpns).toBeNull();
    expect(r?.serverVersion).toBeNull();
    expect(r?.version).toBe("TLS 1.3"); // highest offered
    expect(r?.ja4).toBe(CHROME_EXAMPLE.ja4);
    fa.close();
  });

  it("FIN before a ServerHello ends the flow", () => {
    const recs = run(tlsConversation({ clientHello: BIG_HELLO, fin: true }));
    expect(recs.map((r) => r.reason)).toEqual(["flow_end"]);
  });

  it("times out a flow whose ServerHello never comes", () => {
    const fa = new addon.FrameAnalyzer({ flowTimeoutMs: 1000 });
    expect(fa.input(tlsConversation({ clientHello: BIG_HELLO }))).toEqual([]);
    const recs = fa.expire(1_700_000_000_000_000_000n + 5_000_000_000n);
    expect(recs.map((r) => r.reason)).toEqual(["timeout"]);
    expect(fa.flush()).toEqual([]);
    fa.close();
  });
});

describe("FrameAnalyzer: split, reordered, duplicated hellos", () => {
  const plain = fp(run(tlsConversation({ clientHello: BIG_HELLO, serverHellos: [SH] }))[0]);

  it.each([
    ["in MSS-sized segments", { segmentSize: 1460 }],
    ["in 100-byte segments", { segmentSize: 100 }],
    ["in 7-byte segments", { segmentSize: 7 }],
    ["in 200-byte TLS records", { recordSize: 200 }],
    ["in 1-byte TLS records over 300-byte segments", { recordSize: 1, segmentSize: 300 }],
  ])("same fingerprints %s", (_name, cut) => {
    const recs = run(tlsConversation({ clientHello: BIG_HELLO, serverHellos: [SH], ...cut }));
    expect(recs).toHaveLength(1);
    expect(fp(recs[0])).toEqual(plain);
  });

  it("same fingerprints with segments out of order", () => {
    const n = Math.ceil((BIG_HELLO.length + 5) / 100);
    const order = Array.from({ length: n }, (_, i) => i).reverse();
    const fa = new addon.FrameAnalyzer();
    const recs = run(
      tlsConversation({ clientHello: BIG_HELLO, serverHellos: [SH], segmentSize: 100, order }),
      fa,
    );
    expect(recs).toHaveLength(1);
    expect(fp(recs[0])).toEqual(plain);
  });

  it("same fingerprints with the second segment first", () => {
    const recs = run(
      tlsConversation({
        clientHello: BIG_HELLO,
        serverHellos: [SH],
        segmentSize: 1000,
        order: [1, 0],
      }),
    );
    expect(fp(recs[0])).toEqual(plain);
  });

  it("same fingerprints with duplicated segments", () => {
    const fa = new addon.FrameAnalyzer();
    const frames = tlsConversation({
      clientHello: BIG_HELLO,
      serverHellos: [SH],
      segmentSize: 500,
      order: [0, 0, 1, 1, 2, 3],
    });
    const out = [...fa.input(frames), ...fa.flush()];
    expect(out).toHaveLength(1);
    expect(fp(out[0])).toEqual(plain);
    expect(fa.counters().reassembly_duplicate_segments).toBeGreaterThanOrEqual(1);
    fa.close();
  });
});

describe("FrameAnalyzer: HelloRetryRequest", () => {
  it("fingerprints the first ClientHello, not the second", () => {
    const first = BIG_HELLO;
    const second = clientHello({
      ciphers: [0x1301],
      extensions: [
        sni("example.com"),
        supportedVersions([0x0304]),
        sigAlgs([0x0403]),
        keyShare(0x0017, 65),
      ],
    });
    const hrr = serverHello({
      cipher: 0x1301,
      helloRetryRequest: true,
      extensions: [selectedVersion(0x0304), keyShare(0x0017, 0)],
    });
    const fa = new addon.FrameAnalyzer();
    const recs = run(
      tlsConversation({
        clientHello: first,
        serverHellos: [hrr],
        secondClientHello: second,
        finalServerHellos: [SH],
      }),
      fa,
    );
    expect(recs).toHaveLength(1);
    const r = recs[0] as TlsfpRecord;
    expect(r.flags.hrr).toBe(true);
    expect(r.ja4).toBe(CHROME_EXAMPLE.ja4);
    expect(r.ja3).toEqual(addon.parseClientHello(first).ja3);
    expect(r.ja4).not.toBe(addon.parseClientHello(second).ja4);
  });
});

describe("FrameAnalyzer: options and misuse", () => {
  it.each([
    [{ maxFlows: 0 }, /maxFlows/],
    [{ maxFlows: 1.5 }, /maxFlows/],
    [{ helloMaxBytes: -1 }, /helloMaxBytes/],
    [{ helloMaxBytes: "big" }, /helloMaxBytes/],
    [{ flowTimeoutMs: Number.NaN }, /flowTimeoutMs/],
  ])("%j → RangeError naming the option", (opts, re) => {
    expect(() => new addon.FrameAnalyzer(opts as never)).toThrow(RangeError);
    expect(() => new addon.FrameAnalyzer(opts as never)).toThrow(re);
  });

  it("refuses unknown options", () => {
    expect(() => new addon.FrameAnalyzer({ maxFlow: 3 } as never)).toThrow(
      /unknown option maxFlow/,
    );
  });

  it("a hello over helloMaxBytes gives no record and is counted", () => {
    const fa = new addon.FrameAnalyzer({ helloMaxBytes: 512 });
    const out = [
      ...fa.input(tlsConversation({ clientHello: BIG_HELLO, serverHellos: [SH] })),
      ...fa.flush(),
    ];
    expect(out).toEqual([]);
    expect(fa.counters().reassembly_overflow).toBeGreaterThanOrEqual(1);
    fa.close();
  });

  it("validates frames and refuses use after close", () => {
    const fa = new addon.FrameAnalyzer();
    expect(() => fa.input("x" as never)).toThrow(TypeError);
    expect(() => fa.input([{ data: "x" } as never])).toThrow(/frames\[0\]\.data/);
    expect(() => fa.input([{ data: new Uint8Array(4), tsNs: 5 } as never])).toThrow(/tsNs/);
    fa.close();
    let code: unknown;
    try {
      fa.counters();
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    expect(code).toBe("TLSFP_E_CLOSED");
  });

  it("counts every packet, and garbage is counted, not crashed on", () => {
    const fa = new addon.FrameAnalyzer();
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const frames = tlsConversation({
      clientHello: BIG_HELLO,
      serverHellos: [SH],
      segmentSize: 300,
    });
    const junk: BuiltFrame[] = [];
    for (let i = 0; i < 2000; i++) {
      const base = frames[rnd() % frames.length] as BuiltFrame;
      const data = Uint8Array.from(base.data.subarray(0, rnd() % (base.data.length + 1)));
      for (let k = 0; k < 3; k++) if (data.length > 0) data[rnd() % data.length] = rnd() & 0xff;
      junk.push({ ...base, data });
    }
    fa.input(junk);
    fa.flush();
    expect(fa.counters().packets).toBe(2000);
    fa.close();
  });
});
