/**
 * The native addon's surface (native/*.cc), declared once with its types.
 *
 * The addon is a thin layer over the C fingerprint core: every object it
 * returns is a plain JS object built by one conversion function
 * (native/record_to_js.cc); JS never holds a raw pointer. Native failures are
 * `Error`s with a `code` ({@link NativeErrorCode}).
 */

/** The record layout this TypeScript side understands (TLSFP_RECORD_ABI in dpdk/include/tlsfp/record.h). */
export const RECORD_ABI = 2;

/** Counters the TypeScript side reads by name; the addon must report all of them. */
export const REQUIRED_COUNTERS = [
  "packets",
  "bytes",
  "handshakes",
  "tls_client_hello",
  "quic_client_hello",
  "records_dropped",
] as const;

/** `code` of the Errors the addon throws. Open failures use the errno name (ENOENT, EACCES, ...). */
export type NativeErrorCode =
  | "ENOENT"
  | "EACCES"
  | "EISDIR"
  | "TLSFP_E_OPEN"
  | "TLSFP_E_FORMAT"
  | "TLSFP_E_LINKTYPE"
  | "TLSFP_E_CORRUPT"
  | "TLSFP_E_CLOSED"
  | "TLSFP_PARSE_TRUNCATED"
  | "TLSFP_PARSE_BAD_LENGTH"
  | "TLSFP_PARSE_BAD_EXTENSION"
  | "TLSFP_PARSE_TOO_MANY_ITEMS"
  | "TLSFP_PARSE_UNSUPPORTED"
  | "TLSFP_E_SHM_VERSION"
  | "TLSFP_E_SHM_NOT_READY"
  | "TLSFP_E_SHM_INVALID"
  | "TLSFP_E_PACKED";

/** What abi() reports: the addon's view of the shared C layout. */
export interface Abi {
  /** TLSFP_RECORD_ABI the addon was compiled against. */
  recordAbi: number;
  /** sizeof(struct tlsfp_record). */
  recordSize: number;
  /** Counter names in counters.h order. */
  counters: string[];
}

/** Why a record was written (enum tlsfp_record_reason). */
export type RecordReason =
  | "server_hello"
  | "flow_end"
  | "timeout"
  | "flush"
  | "evicted"
  | "client_only"
  | "unknown";

/** enum tlsfp_record_flag, decoded. */
export interface RecordFlags {
  hasClientHello: boolean;
  /** The server side (ServerHello, JA3S) is filled. */
  hasServerHello: boolean;
  /** A HelloRetryRequest was seen (the first ClientHello is the one fingerprinted). */
  hrr: boolean;
  /** A client list did not fit the record: the clear strings are incomplete. */
  listsTruncated: boolean;
  alpnTruncated: boolean;
  sniTruncated: boolean;
  /** Extension 0x0000 present. */
  hasSni: boolean;
  /** Extension 0x0010 present. */
  hasAlpn: boolean;
  hasSupportedVersions: boolean;
}

/** A fingerprint hash with the clear string it hashes. */
export interface HashedString {
  hash: string;
  string: string;
}

/** The ClientHello's lists: wire order, GREASE removed. */
export interface ClientHandshake {
  /** legacy_version. */
  version: number;
  ciphers: number[];
  exts: number[];
  /** signature_algorithms (ext 0x000d) only. */
  sigAlgs: number[];
  groups: number[];
  pointFormats: number[];
  /** supported_versions (ext 0x002b). */
  versions: number[];
}

/** One TLS or QUIC handshake, oriented client → server (struct tlsfp_record). */
export interface TlsfpRecord {
  /** Time of the first packet of the ClientHello, Unix nanoseconds. */
  tsNs: bigint;
  /** Symmetric flow hash, below 2^53. */
  flowId: number;
  srcIp: string;
  srcPort: number;
  destIp: string;
  destPort: number;
  ipVersion: 4 | 6;
  proto: "TCP" | "UDP";
  transport: "tcp" | "quic" | "dtls";
  /** Outer VLAN IDs, outermost first; empty when untagged. */
  vlan: number[];
  reason: RecordReason;
  flags: RecordFlags;
  /**
   * First host_name of the SNI extension; null when the extension is absent.
   * Wire names (sni, ALPNs) show printable ASCII as is, a backslash as \\ and
   * any other byte as \xNN (reversible; what tshark shows).
   */
  sni: string | null;
  clientAlpns: string[];
  /** The ALPN the server selected ([] if none); null when no ServerHello was seen. */
  serverAlpns: string[] | null;
  /** ClientHello legacy_version. */
  clientVersion: number;
  /** Highest non-GREASE supported_versions entry, 0 if absent. */
  maxSupportedVersion: number;
  /** ServerHello's selected supported_version, else its legacy_version; null without ServerHello. */
  serverVersion: number | null;
  /** "TLS 1.3" style: negotiated when the ServerHello was seen, else the highest offered. */
  version: string;
  ja3: HashedString;
  ja3s: HashedString | null;
  ja4: string;
  ja4_r: string;
  ja4_o: string;
  ja4_ro: string;
  clientHandshake: ClientHandshake;
}

/** Pipeline options (struct tlsfp_pipeline_config); a bad value throws a RangeError naming it. */
export interface PipelineOptions {
  /** Flows tracked at once, 1..16777216 (default 16384). */
  maxFlows?: number;
  /** Per-direction hello reassembly bound, 64..1048576 bytes (default 16384). */
  helloMaxBytes?: number;
  /** All reassembly buffers together (default 64 MiB). */
  reasmMaxBytes?: number;
  /** Give up a hello in progress after this long, in capture time (default 10 s). */
  helloTimeoutMs?: number;
  /** Give up waiting for the ServerHello (default 30 s). */
  flowTimeoutMs?: number;
}

/** Counter name → value. */
export type Counters = Record<string, number>;

/** A frame handed to FrameAnalyzer. */
export interface Frame {
  data: Uint8Array;
  /** Capture time, Unix nanoseconds (default 0). */
  tsNs?: bigint;
  /** LINKTYPE_* (default 1, Ethernet). */
  linktype?: number;
  /** Length on the wire (default data.length). */
  wirelen?: number;
}

/** The pipeline over frames built in JS. */
export interface FrameAnalyzer {
  /** Runs the frames through the pipeline; returns the records they completed. */
  input(frames: Frame[]): TlsfpRecord[];
  /** Times out flows as of nowNs; returns the records that wrote. */
  expire(nowNs: bigint): TlsfpRecord[];
  /** End of input: every pending record (reason "flush"). */
  flush(): TlsfpRecord[];
  counters(): Counters;
  close(): void;
}

/** One batch from CaptureAnalyzer.next(). */
export interface CaptureBatch {
  records: TlsfpRecord[];
  /** The file has been read to its end and the pipeline flushed. */
  done: boolean;
}

/**
 * What a drain into a store's NativeAggregates returns (native/record_batch.h):
 * the records were aggregated and kept in its recent ring as they were read;
 * no JS object is made per record.
 */
export interface RecordBatch {
  n: number;
  /** The recent-ring index of the batch's first record (then first + 1, ...). */
  first: number;
  /** The newest capture time in the batch, Unix ms (0 when empty). */
  newestMs: number;
  /** With { eve: true }: every record's EVE line (src/export/eve.ts's, byte for byte). */
  eve?: Buffer;
}

/** Column order of RecentRows.cols (native/record_batch.h RecentColumn). */
export const RecentColumn = { ja4: 0, ja3: 1, ja3s: 2, sni: 3, transport: 4 } as const;
export const RECENT_COLUMNS = 5;

/** Entries of a recent ring (NativeAggregates.recent), oldest first. */
export interface RecentRows {
  /** Index of the first entry (later ones follow without gaps). */
  first: number;
  n: number;
  tsMs: Float64Array;
  /** n rows of RECENT_COLUMNS: JA4, JA3, JA3S (0 none), SNI (0 none) ids; transport 0/1/2. */
  cols: Int32Array;
  /** The packed records back to back: entry i is packed[offsets[i], offsets[i + 1]). */
  packed: Buffer;
  offsets: Uint32Array;
  /** [srcIp, destIp] of each entry, flat. */
  addresses: string[];
}

/** drainBatch / nextBatch options. */
export interface BatchOptions {
  /** Also write the records' EVE lines (RecordBatch.eve). */
  eve?: boolean;
  /**
   * false: leave the aggregates and the recent ring alone, only count the
   * records (and write their EVE lines): `tlsfp pcap`. Default true.
   */
  aggregate?: boolean;
}

export type AggregateKind = "ja4" | "ja3" | "ja3s" | "sni" | "ja4_sni";

/** One aggregate's figures (NativeAggregates.get). */
export interface NativeAggregate {
  /** Unix milliseconds of the first and last handshake seen. */
  firstSeen: number;
  lastSeen: number;
  count: number;
  /** Distinct client IPs / server IPs / SNIs seen with it (exact up to a bound, then estimated). */
  distinctClients: number;
  distinctServers: number;
  /** 1 for the sni and ja4_sni kinds. */
  distinctSnis: number;
  /** ALPN (first client ALPN, "" for none) → count. */
  alpn: Record<string, number>;
  /** Handshakes over TCP (TLS), QUIC and DTLS. */
  tcp: number;
  quic: number;
  dtls: number;
}

/** What SQLite keeps of an aggregate (NativeAggregates.row / restore). */
export interface NativeAggregateRow extends NativeAggregate {
  value: string;
  /** Distinct sets: member hashes (int32 LE), or 0xff + 1024 HyperLogLog registers. */
  clients: Uint8Array;
  servers: Uint8Array;
  /** null for the sni and ja4_sni kinds. */
  snis: Uint8Array | null;
}

/**
 * What SQLite keeps of many aggregates (NativeAggregates.rows), as columns:
 * row i is the aggregate ids[i]; a figure column holds that figure of every
 * row (as NativeAggregateRow names it).
 */
export interface NativeAggregateRows {
  ids: Uint32Array;
  values: string[];
  firstSeen: Float64Array;
  lastSeen: Float64Array;
  count: Float64Array;
  tcp: Float64Array;
  quic: Float64Array;
  dtls: Float64Array;
  distinctClients: Float64Array;
  distinctServers: Float64Array;
  distinctSnis: Float64Array;
  /**
   * Every row's distinct-set blobs back to back: row i's clients, servers
   * and snis are blobs[blobOffsets[3i + j], blobOffsets[3i + j + 1]) for j =
   * 0, 1, 2 (snis empty for the sni and ja4_sni kinds: their row has none).
   */
  blobs: Buffer;
  blobOffsets: Uint32Array;
  /**
   * ALPN mixes: row i's entries are [alpnOffsets[i], alpnOffsets[i + 1]), in
   * the order of row()'s alpn object; entry e is alpnNames[alpnName[e]] with
   * count alpnCount[e].
   */
  alpnOffsets: Uint32Array;
  alpnName: Uint32Array;
  alpnCount: Float64Array;
  alpnNames: string[];
}

/**
 * The store's live aggregates in C++ (native/agg_engine.h), keyed by the ids
 * of its own dictionary: ids of a kind run 1..size(kind) and never change.
 * A ja4_sni value is "<ja4>|<sni>" ("<ja4>|" without an SNI).
 */
export interface NativeAggregates {
  /** One handshake from its strings (sni null: none; ja3s null: no ServerHello). */
  add(
    ja4: string,
    ja3: string,
    ja3s: string | null,
    sni: string | null,
    alpn: string,
    srcIp: string,
    destIp: string,
    transport: "tcp" | "quic" | "dtls",
    tsMs: number,
  ): void;
  size(kind: AggregateKind): number;
  count(kind: AggregateKind): number;
  /** Values of ids from..size(kind) (from defaults to 1). */
  names(kind: AggregateKind, from?: number): string[];
  /** Every aggregate of a kind, as columns. */
  scan(kind: AggregateKind): {
    ids: Uint32Array;
    firstSeen: Float64Array;
    lastSeen: Float64Array;
    count: Float64Array;
  };
  get(kind: AggregateKind, id: number): NativeAggregate | null;
  /** Whether a distinct set holds a hash32 (an estimated set: true). */
  has(kind: AggregateKind, id: number, set: "clients" | "servers" | "snis", hash: number): boolean;
  /** Id of an existing aggregate, 0 if none. */
  idOf(kind: AggregateKind, value: string): number;
  /** The ja4_sni ids of one JA4 id. */
  pairsOf(ja4Id: number): Uint32Array;
  /** Up to max (default all) ids changed since they were last taken; the rest stay queued. */
  takeDirty(kind: AggregateKind, max?: number): Uint32Array;
  row(kind: AggregateKind, id: number): NativeAggregateRow | null;
  /** row() of the ids that have an aggregate, in one go (the write-behind's form). */
  rows(kind: AggregateKind, ids: Uint32Array): NativeAggregateRows;
  /** Queues ids for takeDirty again (a failed write's); ids without an aggregate are left out. */
  markDirty(kind: AggregateKind, ids: Uint32Array): void;
  /**
   * Sorts ids in place into the byte order of their values (the SQLite
   * table's key order: upserts in it touch each B-tree page once); ids
   * without a value last. JA4×SNI: by JA4, then SNI.
   */
  sortByValue(kind: AggregateKind, ids: Uint32Array): void;
  /** Puts a stored aggregate back; returns its id. */
  restore(kind: AggregateKind, row: NativeAggregateRow): number;
  /** Entries [from, to) of the recent ring (to: past the newest; from: at most its oldest). */
  recent(from: number, to?: number): RecentRows;
  /** [index, record] of the entries [from, to) the ring still holds. */
  recentRecords(from: number, to: number): [number, TlsfpRecord][];
}

/** Reading position, for a progress bar. */
export interface CaptureProgress {
  offset: number;
  /** File size, 0 if unknown. */
  size: number;
  packets: number;
}

/**
 * A pcap/pcapng file through the pipeline. The constructor throws for a
 * missing/unreadable file (errno code), a non-capture (TLSFP_E_FORMAT) or an
 * unsupported link type (TLSFP_E_LINKTYPE). A file malformed mid-way
 * (TLSFP_E_CORRUPT): the records before the bad block are returned first,
 * the next call to next() throws.
 */
export interface CaptureAnalyzer {
  /** Reads until maxRecords (default 1024) records are batched, ~64k packets, or the end. */
  next(maxRecords?: number): CaptureBatch;
  /** next(), aggregated into `aggregates` as read, as a RecordBatch. */
  nextBatch(
    aggregates: NativeAggregates,
    maxRecords?: number,
    options?: BatchOptions,
  ): { batch: RecordBatch; done: boolean };
  progress(): CaptureProgress;
  counters(): Counters;
  close(): void;
}

/** A ClientHello's facts and fingerprints (parseClientHello). */
export interface ClientHelloFacts {
  legacyVersion: number;
  maxSupportedVersion: number;
  hasSupportedVersions: boolean;
  hasSni: boolean;
  hasAlpn: boolean;
  ciphers: number[];
  exts: number[];
  groups: number[];
  pointFormats: number[];
  sigAlgs: number[];
  versions: number[];
  sni: string | null;
  alpns: string[];
  ja3: HashedString;
  ja4: string;
  ja4_r: string;
  ja4_o: string;
  ja4_ro: string;
  /** JA4 part a alone. */
  ja4_a: string;
}

/** A ServerHello's facts and JA3S (parseServerHello). */
export interface ServerHelloFacts {
  legacyVersion: number;
  selectedVersion: number;
  cipher: number;
  helloRetryRequest: boolean;
  exts: number[];
  alpn: string | null;
  ja3s: HashedString;
}

/** enum tlsfp_shm_state: the data plane's life cycle as its region shows it. */
export type RegionState = "starting" | "running" | "stopping" | "stopped" | "unknown";

/** The region header's identity and live line (struct tlsfp_shm_header). */
export interface RegionHeader {
  path: string;
  /** The data plane process that made the region. */
  pid: number;
  /** "stopped": every record is in the rings and no writer is left. */
  state: RegionState;
  /** CLOCK_REALTIME ns of the last heartbeat (every ~100 ms while running). */
  heartbeatNs: bigint;
  startNs: bigint;
  nWorkers: number;
  nPorts: number;
  ringSlots: number;
  instance: string;
  layoutVersion: number;
  regionSize: number;
  /** Backed by hugetlbfs (else /dev/shm). */
  hugetlb: boolean;
}

/** One worker lcore's statistics (struct tlsfp_shm_worker). */
export interface RegionWorkerStats {
  lcore: number;
  socket: number;
  rxQueues: number;
  /** It also reads a software-distribution ring. */
  distributed: boolean;
  loops: number;
  busyLoops: number;
  cycles: number;
  busyCycles: number;
  rxBursts: number;
  /** Records enqueued into its ring. */
  records: number;
  ticks: number;
  /** Records waiting in its ring now. */
  ringDepth: number;
  /** Its pipeline counters; records_dropped includes ring-full drops. */
  counters: Counters;
}

/** One port's statistics (struct tlsfp_shm_port). */
export interface RegionPortStats {
  name: string;
  portId: number;
  rxQueues: number;
  rss: boolean;
  distributed: boolean;
  socket: number;
  rxPackets: number;
  rxBytes: number;
  /** Dropped by the NIC: its RX queues were full. */
  imissed: number;
  ierrors: number;
  /** RX mbuf allocation failures. */
  rxNombuf: number;
  /** Handed to a worker by the software distributor. */
  distPackets: number;
  /** Freed by the distributor: the worker's ring was full. */
  distDrops: number;
}

/** RegionReader.counters(): the pipeline counters summed over workers, and per worker/port. */
export interface RegionCounters {
  total: Counters;
  workers: RegionWorkerStats[];
  ports: RegionPortStats[];
}

/** Records waiting in the rings. */
export interface RingDepth {
  total: number;
  workers: number[];
}

/**
 * The data plane's shared-memory region (dpdk/include/tlsfp/shm.h), opened as
 * the one consumer of its record rings. The constructor throws ENOENT/EACCES,
 * TLSFP_E_SHM_NOT_READY (the creator is not done: retry), TLSFP_E_SHM_VERSION
 * (a layout or record ABI this build does not know) or TLSFP_E_SHM_INVALID.
 * The mapping stays valid after the data plane exits and unlinks the file, so
 * what it committed can still be drained.
 */
export interface RegionReader {
  /** Up to maxRecords (default 1024, at most 65536) records, oldest first per worker ring. */
  drain(maxRecords?: number): TlsfpRecord[];
  /**
   * The ingest path: records straight from the ring slots into `aggregates`,
   * returned as a RecordBatch (no JS object per record).
   */
  drainBatch(
    aggregates: NativeAggregates,
    maxRecords?: number,
    options?: BatchOptions,
  ): RecordBatch;
  header(): RegionHeader;
  counters(): RegionCounters;
  ringDepth(): RingDepth;
  /** Unmaps the region; later calls throw TLSFP_E_CLOSED. */
  close(): void;
}

/** The module object of tlsfp.node. */
export interface NativeAddon {
  abi(): Abi;
  /**
   * One complete handshake message (4-byte header + body) → facts and every
   * fingerprint. Throws an Error with code TLSFP_PARSE_* when it does not parse.
   */
  parseClientHello(msg: Uint8Array, transport?: "tcp" | "quic" | "dtls"): ClientHelloFacts;
  parseServerHello(msg: Uint8Array): ServerHelloFacts;
  /** "TLS 1.3", "TLS 1.2", ..., "SSLv3", "UNDETERMINED". */
  versionName(version: number): string;
  FrameAnalyzer: new (options?: PipelineOptions) => FrameAnalyzer;
  CaptureAnalyzer: new (path: string, options?: PipelineOptions) => CaptureAnalyzer;
  RegionReader: new (path: string) => RegionReader;
  /**
   * distinctBound: exact distinct counts up to this many members (default
   * 4096); recentMax: handshakes the recent ring keeps (at least 65 536);
   * recentBytes: the ring's bytes (default 1 KB a handshake), fewer
   * handshakes when their packed records outgrow them; preallocPairs: room
   * for this many JA4×SNI pairs, with the seen table and the recent ring,
   * committed now (default 0: as records arrive).
   */
  Aggregates: new (options?: {
    distinctBound?: number;
    recentMax?: number;
    recentBytes?: number;
    preallocPairs?: number;
  }) => NativeAggregates;
  /** One packed record (a history row) → the record. TLSFP_E_PACKED for bad bytes. */
  unpackRecord(packed: Uint8Array): TlsfpRecord;
  /**
   * sched_setaffinity on every thread of this process (main thread first,
   * then each /proc/self/task/<tid>; later threads inherit it). Returns the
   * tids changed. TypeError for a bad entry; Error with code EINVAL for an
   * empty set, a CPU >= CPU_SETSIZE or no online CPU in the set, EPERM, ...
   * Optional: an addon built before it lacks it.
   */
  setProcessAffinity?(cpus: number[]): number[];
}

/** An Error thrown by the addon. */
export interface NativeError extends Error {
  code: NativeErrorCode | string;
  path?: string;
}

/** True for an Error thrown by the addon (it carries a string `code`). */
export function isNativeError(e: unknown): e is NativeError {
  return e instanceof Error && typeof (e as { code?: unknown }).code === "string";
}
