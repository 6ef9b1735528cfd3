/** A complete TlsfpRecord for the pure tests (EVE), overridable field by field. */
import type { TlsfpRecord } from "../../src/addon/native.js";

export function fakeRecord(over: Partial<TlsfpRecord> = {}): TlsfpRecord {
  return {
    tsNs: 1_795_247_940_123_456_789n, // 2026-11-21T07:59:00.123456789Z
    flowId: 1234567890123,
    srcIp: "10.77.0.1",
    srcPort: 43210,
    destIp: "10.77.0.2",
    destPort: 443,
    ipVersion: 4,
    proto: "TCP",
    transport: "tcp",
    vlan: [],
    reason: "server_hello",
    flags: {
      hasClientHello: true,
      hasServerHello: true,
      hrr: false,
      listsTruncated: false,
      alpnTruncated: false,
      sniTruncated: false,
      hasSni: true,
      hasAlpn: true,
      hasSupportedVersions: true,
    },
    sni: "example.com",
    clientAlpns: ["h2", "http/1.1"],
    serverAlpns: ["h2"],
    clientVersion: 0x0303,
    maxSupportedVersion: 0x0304,
    serverVersion: 0x0304,
    version: "TLS 1.3",
    ja3: { hash: "ada70206e40642a3e4461f35503241d5", string: "769,47,0,," },
    ja3s: { hash: "0123456789abcdef0123456789abcdef", string: "771,4865,43-51" },
    ja4: "t13d1516h2_8daaf6152771_e5627efa2ab1",
    ja4_r: "t13d1516h2_002f_0005",
    ja4_o: "t13d1516h2_acb858a92679_18f69afefd3d",
    ja4_ro: "t13d1516h2_002f_0005",
    clientHandshake: {
      version: 0x0303,
      ciphers: [4865, 4866],
      exts: [0, 16, 43],
      sigAlgs: [1027],
      groups: [29],
      pointFormats: [0],
      versions: [772, 771],
    },
    ...over,
  };
}
