/** Malformed hellos give a named error code, never a crash or a wrong success. */
import { describe, expect, it } from "vitest";
import { addon } from "../helpers/addon.js";
import {
  chromeLikeHello,
  clientHello,
  concat,
  ext,
  serverHello,
  sni,
  u8,
  u16,
  u24,
} from "../helpers/hello.js";

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code ?? `no code: ${(e as Error).message}`;
  }
  return "ok";
}

const ch = (m: Uint8Array) => codeOf(() => addon.parseClientHello(m));
const sh = (m: Uint8Array) => codeOf(() => addon.parseServerHello(m));

/** A ClientHello body by hand, for lengths the builder would get right. */
function rawHello(body: Uint8Array): Uint8Array {
  return concat(u8(1), u24(body.length), body);
}

const prefix = concat(u16(0x0303), new Uint8Array(32), u8(0));

describe("malformed ClientHello", () => {
  it("a length past the end → TLSFP_PARSE_TRUNCATED", () => {
    const good = clientHello({ ciphers: [0x1301], extensions: [sni("a.test")] });
    expect(ch(good.subarray(0, good.length - 3))).toBe("TLSFP_PARSE_TRUNCATED");
    expect(ch(Uint8Array.of(1, 0, 0))).toBe("TLSFP_PARSE_TRUNCATED");
    expect(ch(new Uint8Array(0))).toBe("TLSFP_PARSE_TRUNCATED");
  });

  it("an odd cipher list → TLSFP_PARSE_BAD_LENGTH", () => {
    expect(
      ch(rawHello(concat(prefix, u16(3), Uint8Array.of(0x13, 0x01, 0x13), u8(1), u8(0)))),
    ).toBe("TLSFP_PARSE_BAD_LENGTH");
  });

  it("trailing bytes after the extensions → TLSFP_PARSE_BAD_LENGTH", () => {
    const body = concat(prefix, u16(2), u16(0x1301), u8(1), u8(0), u16(0), Uint8Array.of(0xee));
    expect(ch(rawHello(body))).toBe("TLSFP_PARSE_BAD_LENGTH");
  });

  it("an SNI body that does not parse → TLSFP_PARSE_BAD_EXTENSION", () => {
    const bad = ext(0x0000, concat(u16(9), u8(0), u16(40), Uint8Array.from(Buffer.from("abcdef"))));
    expect(ch(clientHello({ ciphers: [0x1301], extensions: [bad] }))).toBe(
      "TLSFP_PARSE_BAD_EXTENSION",
    );
  });

  it("a hostile but valid 3000-cipher hello is fingerprinted whole, not refused", () => {
    const ciphers = Array.from({ length: 3000 }, (_, i) => 0x0100 + i);
    const facts = addon.parseClientHello(clientHello({ ciphers, extensions: [] }));
    expect(facts.ja4.slice(0, 10)).toBe("t12i990000");
    const isGrease = (v: number) => (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
    expect(facts.ja3.string.split(",")[1]).toBe(ciphers.filter((c) => !isGrease(c)).join("-"));
  });

  it("another handshake type → TLSFP_PARSE_UNSUPPORTED", () => {
    expect(ch(serverHello({ cipher: 0x1301, extensions: [] }))).toBe("TLSFP_PARSE_UNSUPPORTED");
    expect(sh(clientHello({ ciphers: [0x1301], extensions: [] }))).toBe("TLSFP_PARSE_UNSUPPORTED");
  });

  it("every proper prefix of a real hello is refused with a code", () => {
    const good = chromeLikeHello();
    expect(ch(good)).toBe("ok");
    for (let n = 0; n < good.length; n++) {
      expect(ch(good.subarray(0, n)), `prefix ${n}`).toMatch(/^TLSFP_PARSE_/);
    }
  });

  it("random corruption never crashes: it parses or names the failure", () => {
    const good = chromeLikeHello();
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const m = Uint8Array.from(good);
      const flips = 1 + (rnd() % 4);
      for (let k = 0; k < flips; k++) m[rnd() % m.length] = rnd() & 0xff;
      const code = ch(m);
      expect(code).toMatch(/^(ok|TLSFP_PARSE_[A-Z_]+)$/);
      seen.add(code);
      expect(sh(m)).toMatch(/^(ok|TLSFP_PARSE_[A-Z_]+)$/);
    }
    expect(seen.size).toBeGreaterThan(2);
  });

  it("rejects non-bytes arguments with a TypeError", () => {
    expect(() => addon.parseClientHello("hello" as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => addon.parseClientHello(new Uint8Array(4), "udp" as "tcp")).toThrow(TypeError);
  });
});
