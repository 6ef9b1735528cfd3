import { describe, expect, it } from "vitest";
import { eveTimestamp, toEve, toEveLine } from "../../src/export/eve.js";
import { fakeRecord } from "../helpers/record.js";

describe("EVE timestamp", () => {
  it("is UTC with microseconds and +0000", () => {
    expect(eveTimestamp(1_795_247_940_123_456_789n)).toBe("2026-11-21T07:59:00.123456+0000");
  });
  it("pads the fraction and handles the epoch", () => {
    expect(eveTimestamp(0n)).toBe("1970-01-01T00:00:00.000000+0000");
    expect(eveTimestamp(1_000_000_007_000n)).toBe("1970-01-01T00:16:40.000007+0000");
  });
});

describe("toEve", () => {
  it("has exactly the Suricata keys, in order, with tlsfp extras outside tls", () => {
    const e = toEve(fakeRecord());
    expect(Object.keys(e)).toEqual([
      "timestamp",
      "flow_id",
      "event_type",
      "src_ip",
      "src_port",
      "dest_ip",
      "dest_port",
      "proto",
      "app_proto",
      "tls",
      "tlsfp",
    ]);
    expect(e.event_type).toBe("tls");
    expect(e.app_proto).toBe("tls");
    expect(e.proto).toBe("TCP");
    expect(e.flow_id).toBe(1234567890123);
    expect(Object.keys(e.tls ?? {})).toEqual([
      "sni",
      "version",
      "client_alpns",
      "server_alpns",
      "ja3",
      "ja3s",
      "ja4",
      "client_handshake",
    ]);
    expect(e.tls?.client_handshake).toEqual({
      version: 771,
      ciphers: [4865, 4866],
      exts: [0, 16, 43],
      sig_algs: [1027],
    });
    expect(e.tlsfp).toEqual({
      ja4_r: "t13d1516h2_002f_0005",
      ja4_o: "t13d1516h2_acb858a92679_18f69afefd3d",
      ja4_ro: "t13d1516h2_002f_0005",
      reason: "server_hello",
      flags: ["server_hello"],
    });
    for (const k of ["ja4_r", "ja4_o", "ja4_ro", "reason", "flags"])
      expect(e.tls).not.toHaveProperty(k);
  });

  it("puts vlan only when tagged", () => {
    expect(toEve(fakeRecord())).not.toHaveProperty("vlan");
    const tagged = toEve(fakeRecord({ vlan: [100, 200] }));
    expect(tagged.vlan).toEqual([100, 200]);
    expect(Object.keys(tagged).indexOf("vlan")).toBe(Object.keys(tagged).indexOf("app_proto") + 1);
  });

  it("leaves out ja3s and server_alpns without a ServerHello", () => {
    const e = toEve(
      fakeRecord({ ja3s: null, serverAlpns: null, serverVersion: null, reason: "flush" }),
    );
    expect(e.tls).not.toHaveProperty("ja3s");
    expect(e.tls).not.toHaveProperty("server_alpns");
    expect(e.tlsfp.reason).toBe("flush");
    expect(e.tlsfp.flags).toEqual(["server_hello"]);
  });

  it("uses the quic object and UDP for QUIC", () => {
    const e = toEve(fakeRecord({ transport: "quic", proto: "UDP" }));
    expect(e.event_type).toBe("quic");
    expect(e.app_proto).toBe("quic");
    expect(e.proto).toBe("UDP");
    expect(e).not.toHaveProperty("tls");
    expect(e.quic?.ja4).toBe("t13d1516h2_8daaf6152771_e5627efa2ab1");
  });

  it("leaves out sni and client_alpns when the hello has no such extension", () => {
    const r = fakeRecord({ sni: null, clientAlpns: [] });
    r.flags = { ...r.flags, hasSni: false, hasAlpn: false, hrr: true, listsTruncated: true };
    const e = toEve(r);
    expect(e.tls).not.toHaveProperty("sni");
    expect(e.tls).not.toHaveProperty("client_alpns");
    expect(e.tlsfp.flags).toEqual(["server_hello", "hello_retry_request", "lists_truncated"]);
  });

  it("serializes to one JSON line", () => {
    const line = toEveLine(fakeRecord());
    expect(line.endsWith("\n")).toBe(true);
    expect(line.indexOf("\n")).toBe(line.length - 1);
    expect(JSON.parse(line).tls.ja3.hash).toBe("ada70206e40642a3e4461f35503241d5");
  });
});
