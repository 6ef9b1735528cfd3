/**
 * The configuration schema: one TypeBox definition gives the validator, the defaults and the
 * `Config` type. Every object is closed (`additionalProperties: false`) so a misspelt key is an
 * error, not a silently ignored setting. The `allowed` option on a schema is the human text used
 * in error messages ("… is not allowed (<allowed>)"); without it the text is derived from the
 * schema (see describeAllowed in load.ts). Checks TypeBox cannot express (power of two, one of
 * vdev/pci, lcores vs workers) live in semanticProblems() in load.ts.
 */
import { type Static, type TSchema, Type } from "@sinclair/typebox";

/** A PCI address in domain:bus:device.function form, e.g. 0000:03:00.0. */
export const BDF_PATTERN = "^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]$";

/** Objects are closed and default to {} so Value.Default can fill their properties. */
function section<T extends Record<string, TSchema>>(properties: T) {
  return Type.Object(properties, { additionalProperties: false, default: {} });
}

const Port = Type.Object(
  {
    vdev: Type.Optional(
      Type.String({
        minLength: 1,
        allowed: 'a DPDK virtual device, e.g. "net_pcap0,rx_pcap=demo.pcapng"',
      }),
    ),
    pci: Type.Optional(
      Type.String({ pattern: BDF_PATTERN, allowed: 'a PCI address like "0000:03:00.0"' }),
    ),
  },
  { additionalProperties: false },
);
export type PortConfig = Static<typeof Port>;

/** The embedded default: replay the demo capture through DPDK's pcap PMD. */
export const DEFAULT_PORTS: PortConfig[] = [{ vdev: "net_pcap0,rx_pcap=demo.pcapng" }];

const Dataplane = section({
  workers: Type.Integer({ minimum: 1, default: 1 }),
  lcores: Type.Union([Type.Literal("auto"), Type.Array(Type.Integer({ minimum: 0 }))], {
    default: "auto",
    allowed: '"auto" or a list of CPU numbers, e.g. [2, 4]',
  }),
  mainLcore: Type.Union([Type.Literal("auto"), Type.Integer({ minimum: 0 })], {
    default: "auto",
    allowed: '"auto" or a CPU number',
  }),
  burst: Type.Integer({ minimum: 1, maximum: 1024, default: 32 }),
  ringSlots: Type.Integer({
    minimum: 64,
    maximum: 1 << 24,
    default: 4096,
    allowed: "a power of two from 64 to 16777216",
  }),
  mempoolMbufs: Type.Integer({ minimum: 1023, maximum: 1 << 24, default: 8191 }),
  hugepages: section({
    enabled: Type.Union([Type.Literal("auto"), Type.Boolean()], {
      default: "auto",
      allowed: '"auto", true or false',
    }),
    pagesPerNode: Type.Integer({ minimum: 1, maximum: 1 << 20, default: 512 }),
  }),
  idleBackoff: Type.Boolean({ default: true }),
  helloMaxBytes: Type.Integer({ minimum: 512, maximum: 1 << 20, default: 16384 }),
  maxFlows: Type.Integer({ minimum: 16, maximum: 1 << 24, default: 16384 }),
  ports: Type.Array(Port, { minItems: 1, default: DEFAULT_PORTS, allowed: "a list of ports" }),
});

const Api = section({
  listen: Type.String({
    pattern: "^(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$",
    default: "127.0.0.1:8080",
    allowed: 'HOST:PORT, e.g. "127.0.0.1:8080" or "[::1]:8080"',
  }),
  token: Type.Union([Type.String({ minLength: 16 }), Type.Null()], {
    default: null,
    allowed: "null or a string of at least 16 characters",
  }),
});

const Store = section({
  path: Type.String({ minLength: 1, default: "tlsfp.db" }),
  historyMax: Type.Integer({ minimum: 0, default: 100000 }),
  retentionDays: Type.Integer({ minimum: 0, default: 30 }),
  flushIntervalMs: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 1000 }),
  preallocPairs: Type.Integer({ minimum: 0, maximum: 100_000_000, default: 1048576 }),
});

const Eve = section({
  path: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
    default: null,
    allowed: "null (off) or a file path",
  }),
  rotate: section({
    maxBytes: Type.Integer({ minimum: 0, default: 104857600 }),
    intervalSeconds: Type.Integer({ minimum: 0, default: 0 }),
  }),
});

const Log = section({
  level: Type.Union(
    (["fatal", "error", "warn", "info", "debug", "trace"] as const).map((l) => Type.Literal(l)),
    { default: "info" },
  ),
});

export const ConfigSchema = Type.Object(
  { dataplane: Dataplane, api: Api, store: Store, eve: Eve, log: Log },
  { additionalProperties: false, default: {} },
);

/** A validated configuration with every default filled in. */
export type Config = Static<typeof ConfigSchema>;
export type DataplaneConfig = Config["dataplane"];
