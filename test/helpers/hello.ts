/**
 * Byte builders for TLS ClientHello / ServerHello handshake messages and the
 * TLS record layer, written from RFC 8446 / RFC 5246 so tests can state a
 * hello field by field.
 */

export interface Extension {
  type: number;
  data: Uint8Array;
}

export interface ClientHelloSpec {
  /** legacy_version, default 0x0303. */
  version?: number;
  ciphers: number[];
  extensions?: Extension[];
  /** Leave the extensions block out entirely (pre-TLS 1.2 style hello). */
  noExtensionsBlock?: boolean;
  sessionId?: Uint8Array;
  compression?: number[];
  random?: Uint8Array;
}

export interface ServerHelloSpec {
  version?: number;
  cipher: number;
  extensions?: Extension[];
  sessionId?: Uint8Array;
  random?: Uint8Array;
  /** Use the RFC 8446 HelloRetryRequest random. */
  helloRetryRequest?: boolean;
}

/** RFC 8446 4.1.3: SHA-256("HelloRetryRequest"). */
export const HRR_RANDOM = Uint8Array.from(
  Buffer.from("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c", "hex"),
);

/** The 16 RFC 8701 GREASE values. */
export const GREASE = Array.from({ length: 16 }, (_, i) => ((i << 4) | 0x0a) * 0x101);

export function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

export function u8(n: number): Uint8Array {
  return Uint8Array.of(n & 0xff);
}

export function u16(n: number): Uint8Array {
  return Uint8Array.of((n >> 8) & 0xff, n & 0xff);
}

export function u24(n: number): Uint8Array {
  return Uint8Array.of((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

/** A u16-length-prefixed vector of u16 values. */
export function u16List(values: number[]): Uint8Array {
  return concat(u16(values.length * 2), ...values.map(u16));
}

function bytes(s: string | Uint8Array): Uint8Array {
  return typeof s === "string" ? Uint8Array.from(Buffer.from(s, "latin1")) : s;
}

export function ext(type: number, data: Uint8Array = new Uint8Array(0)): Extension {
  return { type, data };
}

/** server_name (0x0000) with one host_name. */
export function sni(name: string): Extension {
  const host = bytes(name);
  const entry = concat(u8(0), u16(host.length), host);
  return ext(0x0000, concat(u16(entry.length), entry));
}

/** ALPN (0x0010): ProtocolNameList of the given names (strings are latin1). */
export function alpn(names: (string | Uint8Array)[]): Extension {
  const list = concat(...names.map((n) => concat(u8(bytes(n).length), bytes(n))));
  return ext(0x0010, concat(u16(list.length), list));
}

export function supportedGroups(groups: number[]): Extension {
  return ext(0x000a, u16List(groups));
}

export function pointFormats(formats: number[]): Extension {
  return ext(0x000b, concat(u8(formats.length), Uint8Array.from(formats)));
}

export function sigAlgs(algs: number[]): Extension {
  return ext(0x000d, u16List(algs));
}

/** supported_versions (0x002b), ClientHello form: u8-length list. */
export function supportedVersions(versions: number[]): Extension {
  return ext(0x002b, concat(u8(versions.length * 2), ...versions.map(u16)));
}

/** supported_versions, ServerHello form: the one selected version. */
export function selectedVersion(version: number): Extension {
  return ext(0x002b, u16(version));
}

/** A key_share (0x0033) with one x25519-sized share of the given group. */
export function keyShare(group = 0x001d, size = 32): Extension {
  const share = concat(u16(group), u16(size), new Uint8Array(size).fill(0x42));
  return ext(0x0033, concat(u16(share.length), share));
}

export function padding(n: number): Extension {
  return ext(0x0015, new Uint8Array(n));
}

function extensionsBlock(exts: Extension[]): Uint8Array {
  const body = concat(...exts.map((e) => concat(u16(e.type), u16(e.data.length), e.data)));
  return concat(u16(body.length), body);
}

function handshake(type: number, body: Uint8Array): Uint8Array {
  return concat(u8(type), u24(body.length), body);
}

/** A ClientHello handshake message (type 1, u24 length, body). */
export function clientHello(spec: ClientHelloSpec): Uint8Array {
  const sessionId = spec.sessionId ?? new Uint8Array(32).fill(0x11);
  const compression = spec.compression ?? [0];
  const body = concat(
    u16(spec.version ?? 0x0303),
    spec.random ?? new Uint8Array(32).fill(0x5a),
    u8(sessionId.length),
    sessionId,
    u16List(spec.ciphers),
    u8(compression.length),
    Uint8Array.from(compression),
    spec.noExtensionsBlock ? new Uint8Array(0) : extensionsBlock(spec.extensions ?? []),
  );
  return handshake(1, body);
}

/** A ServerHello handshake message (type 2). */
export function serverHello(spec: ServerHelloSpec): Uint8Array {
  const sessionId = spec.sessionId ?? new Uint8Array(32).fill(0x11);
  const random = spec.helloRetryRequest
    ? HRR_RANDOM
    : (spec.random ?? new Uint8Array(32).fill(0x7e));
  const body = concat(
    u16(spec.version ?? 0x0303),
    random,
    u8(sessionId.length),
    sessionId,
    u16(spec.cipher),
    u8(0),
    spec.extensions === undefined ? new Uint8Array(0) : extensionsBlock(spec.extensions),
  );
  return handshake(2, body);
}

/**
 * The handshake message in TLS records (content type 22), cut into
 * fragments of at most `maxFragment` bytes (default 16384).
 */
export function tlsRecords(
  msg: Uint8Array,
  maxFragment = 16384,
  recordVersion = 0x0301,
): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let off = 0; off < msg.length; off += maxFragment) {
    const frag = msg.subarray(off, Math.min(msg.length, off + maxFragment));
    parts.push(concat(u8(22), u16(recordVersion), u16(frag.length), frag));
  }
  return concat(...parts);
}

/** The public spec's Chrome example: ciphers and extensions in wire order. */
export const CHROME_EXAMPLE = {
  ciphers: [
    0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c,
    0x009d, 0x002f, 0x0035,
  ],
  extensionOrder: [
    0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b,
    0xff01, 0x000b, 0x000a, 0x0015,
  ],
  sigAlgs: [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601],
  ja4: "t13d1516h2_8daaf6152771_e5627efa2ab1",
  ja4_o: "t13d1516h2_acb858a92679_18f69afefd3d",
};

/**
 * A ClientHello shaped like the spec's Chrome example, with GREASE where
 * Chrome puts it (first cipher, first and last extension, groups, versions).
 * keyShareSize 1216 makes it as big as a post-quantum hello (~1.5 KB).
 */
export function chromeLikeHello(
  opts: { grease?: boolean; host?: string; keyShareSize?: number } = {},
): Uint8Array {
  const g = opts.grease ?? true;
  const bodies: Record<number, Extension> = {
    0: sni(opts.host ?? "example.com"),
    16: alpn(["h2", "http/1.1"]),
    10: supportedGroups([...(g ? [0x3a3a] : []), 0x001d, 0x0017, 0x0018]),
    11: pointFormats([0]),
    13: sigAlgs(CHROME_EXAMPLE.sigAlgs),
    43: supportedVersions([...(g ? [0x7a7a] : []), 0x0304, 0x0303]),
    51: keyShare(0x001d, opts.keyShareSize ?? 32),
    45: ext(0x002d, Uint8Array.of(1, 1)),
    27: ext(0x001b, Uint8Array.of(2, 0, 2)),
    5: ext(0x0005, Uint8Array.of(1, 0, 0, 0, 0)),
    21: padding(20),
  };
  const exts = CHROME_EXAMPLE.extensionOrder.map((t) => bodies[t] ?? ext(t));
  return clientHello({
    ciphers: [...(g ? [0x2a2a] : []), ...CHROME_EXAMPLE.ciphers],
    extensions: g ? [ext(0x0a0a), ...exts, ext(0xdada, Uint8Array.of(0))] : exts,
  });
}
