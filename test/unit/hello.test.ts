/**
 * The fingerprints through the addon (parser + fp/ functions), against the
 * public examples and every row of FINGERPRINTS.md "Known disagreements".
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { addon } from "../helpers/addon.js";
import {
  alpn,
  CHROME_EXAMPLE,
  chromeLikeHello,
  clientHello,
  ext,
  GREASE,
  pointFormats,
  sigAlgs,
  sni,
  supportedGroups,
  supportedVersions,
} from "../helpers/hello.js";
import { nameToHex } from "../helpers/names.js";

const sha12 = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 12);
const hex4 = (v: number) => v.toString(16).padStart(4, "0");

/** A small TLS 1.3-style hello; pieces replaced per test. */
function hello(opts: {
  ciphers?: number[];
  exts?: ReturnType<typeof ext>[];
  version?: number;
}): Uint8Array {
  return clientHello({
    version: opts.version ?? 0x0303,
    ciphers: opts.ciphers ?? [0x1301, 0x1302],
    extensions: opts.exts ?? [
      sni("a.test"),
      supportedVersions([0x0304, 0x0303]),
      sigAlgs([0x0403, 0x0804]),
    ],
  });
}

describe("JA3", () => {
  it("reproduces the JA3 README example", () => {
    const withSni = clientHello({
      version: 769,
      ciphers: [47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4],
      extensions: [sni("x.test"), supportedGroups([23, 24, 25]), pointFormats([0])],
    });
    const f = addon.parseClientHello(withSni);
    expect(f.ja3.string).toBe(
      "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0",
    );
    expect(f.ja3.hash).toBe("ada70206e40642a3e4461f35503241d5");
  });

  it("keeps empty fields with their commas", () => {
    const f = addon.parseClientHello(
      clientHello({ version: 0x0301, ciphers: [4, 5, 10], noExtensionsBlock: true }),
    );
    expect(f.ja3.string).toBe("769,4-5-10,,,");
    expect(f.ja3.hash).toBe(createHash("md5").update("769,4-5-10,,,").digest("hex"));
  });

  it("uses legacy_version, not supported_versions", () => {
    const f = addon.parseClientHello(hello({}));
    expect(f.ja3.string.startsWith("771,")).toBe(true);
    expect(f.maxSupportedVersion).toBe(0x0304);
  });
});

describe("JA4 worked example (Chrome)", () => {
  it("gives the spec's ja4 and ja4_o, with GREASE removed everywhere", () => {
    const f = addon.parseClientHello(chromeLikeHello());
    expect(f.ja4).toBe(CHROME_EXAMPLE.ja4);
    expect(f.ja4_o).toBe(CHROME_EXAMPLE.ja4_o);
    expect(f.ja4_a).toBe("t13d1516h2");
    const sorted = [...CHROME_EXAMPLE.ciphers]
      .sort((a, b) => a - b)
      .map(hex4)
      .join(",");
    const exts = CHROME_EXAMPLE.extensionOrder
      .filter((e) => e !== 0 && e !== 0x10)
      .sort((a, b) => a - b)
      .map(hex4)
      .join(",");
    const sigs = CHROME_EXAMPLE.sigAlgs.map(hex4).join(",");
    expect(f.ja4_r).toBe(`t13d1516h2_${sorted}_${exts}_${sigs}`);
    expect(f.ja4_ro).toBe(
      `t13d1516h2_${CHROME_EXAMPLE.ciphers.map(hex4).join(",")}_${CHROME_EXAMPLE.extensionOrder.map(hex4).join(",")}_${sigs}`,
    );
  });

  it("gives the same fingerprints with and without GREASE", () => {
    const a = addon.parseClientHello(chromeLikeHello({ grease: true }));
    const b = addon.parseClientHello(chromeLikeHello({ grease: false }));
    for (const k of ["ja4", "ja4_r", "ja4_o", "ja4_ro"] as const) expect(a[k]).toBe(b[k]);
    expect(a.ja3).toEqual(b.ja3);
    for (const g of GREASE) {
      expect(a.ciphers).not.toContain(g);
      expect(a.exts).not.toContain(g);
      expect(a.groups).not.toContain(g);
      expect(a.versions).not.toContain(g);
    }
  });

  it("uses q for QUIC", () => {
    expect(addon.parseClientHello(chromeLikeHello(), "quic").ja4).toBe(
      `q${CHROME_EXAMPLE.ja4.slice(1)}`,
    );
  });
});

describe("Known disagreements: tlsfp's side", () => {
  it("empty cipher list → 000000000000", () => {
    const f = addon.parseClientHello(hello({ ciphers: [] }));
    expect(f.ja4.split("_")[1]).toBe("000000000000");
    expect(f.ja4_a.slice(4, 6)).toBe("00");
  });

  it("empty extension list without signature algorithms → 000000000000", () => {
    const f = addon.parseClientHello(hello({ exts: [] }));
    expect(f.ja4).toBe(`t12i020000_${sha12("1301,1302")}_000000000000`);
  });

  it("no signature algorithms → no trailing _ in c", () => {
    const f = addon.parseClientHello(
      hello({ exts: [sni("a.test"), supportedGroups([29]), pointFormats([0])] }),
    );
    expect(f.ja4_r).toBe("t12d020300_1301,1302_000a,000b");
    expect(f.ja4.split("_")[2]).toBe(sha12("000a,000b"));
    expect(f.ja4.split("_")[2]).not.toBe(sha12("000a,000b_"));
  });

  it("GREASE inside signature_algorithms is removed", () => {
    const f = addon.parseClientHello(hello({ exts: [sigAlgs([0x0a0a, 0x0403, 0xfafa, 0x0804])] }));
    expect(f.sigAlgs).toEqual([0x0403, 0x0804]);
    expect(f.ja4_r).toBe("t12i020100_1301,1302_000d_0403,0804");
  });

  it("SNI flag is the presence of ext 0x0000, IP literal or not", () => {
    expect(addon.parseClientHello(hello({ exts: [sni("192.0.2.1")] })).ja4_a[3]).toBe("d");
    expect(addon.parseClientHello(hello({ exts: [sni("a.test")] })).ja4_a[3]).toBe("d");
    expect(addon.parseClientHello(hello({ exts: [supportedGroups([29])] })).ja4_a[3]).toBe("i");
  });

  it("counts above 99 are capped at 99", () => {
    const ciphers = Array.from({ length: 120 }, (_, i) => 0x0100 + i);
    const exts = Array.from({ length: 105 }, (_, i) => ext(0x1000 + i));
    const f = addon.parseClientHello(hello({ ciphers, exts }));
    expect(f.ja4_a).toBe("t12i999900");
    expect(f.ciphers).toHaveLength(120);
  });

  it("signalling cipher values are counted", () => {
    const f = addon.parseClientHello(hello({ ciphers: [0x1301, 0x00ff, 0x5600], exts: [] }));
    expect(f.ja4_a.slice(4, 6)).toBe("03");
  });

  it.each([
    [[Uint8Array.of(0xab)], "ab"],
    [[Uint8Array.of(0xab, 0xcd)], "ad"],
    [[Uint8Array.of(0x30, 0xab)], "3b"],
    [[Uint8Array.of(0x20)], "20"],
    [["h2"], "h2"],
    [["http/1.1"], "h1"],
    [["b"], "bb"],
    [["h3", "h2"], "h3"],
  ])("ALPN %j → %s", (names, want) => {
    const f = addon.parseClientHello(hello({ exts: [alpn(names)] }));
    expect(f.ja4_a.slice(8)).toBe(want);
  });

  it("shows odd ALPN and SNI bytes escaped, reversibly", () => {
    const f = addon.parseClientHello(
      hello({ exts: [sni("a\\b.test"), alpn([Uint8Array.of(0xab, 0xcd), "h2", "a\\x"])] }),
    );
    expect(f.alpns).toEqual(["\\xab\\xcd", "h2", "a\\\\x"]);
    expect(f.alpns.map(nameToHex)).toEqual(["abcd", "6832", "615c78"]);
    expect(f.sni).toBe("a\\\\b.test");
    expect(f.ja4_a.slice(8)).toBe("ad");
  });

  it("no ALPN or an empty list → 00", () => {
    expect(addon.parseClientHello(hello({ exts: [] })).ja4_a.slice(8)).toBe("00");
    expect(addon.parseClientHello(hello({ exts: [alpn([])] })).ja4_a.slice(8)).toBe("00");
  });

  it("SNI and ALPN are counted in a but left out of c", () => {
    const f = addon.parseClientHello(
      hello({ exts: [sni("a.test"), alpn(["h2"]), sigAlgs([0x0403])] }),
    );
    expect(f.ja4_r).toBe("t12d0203h2_1301,1302_000d_0403");
    expect(f.ja4_ro).toBe("t12d0203h2_1301,1302_0000,0010,000d_0403");
  });

  it("versions map as the spec says", () => {
    const cases: [number, string][] = [
      [0x0304, "13"],
      [0x0303, "12"],
      [0x0302, "11"],
      [0x0301, "10"],
      [0x0300, "s3"],
      [0xfefd, "d2"],
      [0x7777, "00"],
    ];
    for (const [v, want] of cases) {
      const f = addon.parseClientHello(hello({ version: v, exts: [] }));
      expect(f.ja4_a.slice(1, 3), hex4(v)).toBe(want);
    }
    // supported_versions wins over legacy_version, GREASE ignored.
    const f = addon.parseClientHello(
      hello({ exts: [supportedVersions([0x1a1a, 0x0303, 0x0304])] }),
    );
    expect(f.ja4_a.slice(1, 3)).toBe("13");
  });
});

describe("ServerHello / JA3S", () => {
  it("renders legacy_version, cipher and extensions in wire order", async () => {
    const { serverHello, selectedVersion, keyShare } = await import("../helpers/hello.js");
    const f = addon.parseServerHello(
      serverHello({ cipher: 0x1301, extensions: [selectedVersion(0x0304), keyShare()] }),
    );
    expect(f.ja3s.string).toBe("771,4865,43-51");
    expect(f.ja3s.hash).toBe(createHash("md5").update("771,4865,43-51").digest("hex"));
    expect(f.selectedVersion).toBe(0x0304);
    expect(f.helloRetryRequest).toBe(false);
    const hrr = addon.parseServerHello(
      serverHello({
        cipher: 0x1301,
        helloRetryRequest: true,
        extensions: [selectedVersion(0x0304)],
      }),
    );
    expect(hrr.helloRetryRequest).toBe(true);
  });

  it("names versions", () => {
    expect(addon.versionName(0x0304)).toBe("TLS 1.3");
    expect(addon.versionName(0x0303)).toBe("TLS 1.2");
  });
});
