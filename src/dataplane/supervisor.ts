/**
 * The data plane supervisor: starts tlsfp-dataplane, opens its region, drains
 * its record rings, watches its heartbeat, and restarts it when it dies or
 * stalls (ARCHITECTURE.md: "a crash of one is detected, counted, restarted,
 * and loses nothing that was already committed").
 *
 * Nothing committed is lost: the mapping of a dead data plane's region stays
 * valid after its file is gone, so a retired generation keeps being drained
 * until its rings are empty (its process has exited: no writer is left).
 *
 * Restarts back off exponentially (0.5 s, 1 s, 2 s, ... 30 s); a generation
 * that ran for a while resets the backoff. The first start is not retried:
 * a configuration that cannot start should fail at once, with its message.
 */
import { EventEmitter } from "node:events";
import type {
  BatchOptions,
  Counters,
  NativeAddon,
  NativeAggregates,
  RecordBatch,
  RegionReader,
  TlsfpRecord,
} from "../addon/native.js";
import type { Logger } from "./log.js";
import { DataplaneProcess, type DataplaneSpec } from "./process.js";
import { leftovers, openRegion, removeLeftovers } from "./region.js";

export interface SupervisorOptions {
  spec: DataplaneSpec;
  addon: Pick<NativeAddon, "RegionReader">;
  logger: Logger;
  /** tlsfp-dataplane path (default: dataplaneBinary()). */
  binary?: string;
  /** Start-up bound per generation (default 20 s). */
  startTimeoutMs?: number;
  /** A RUNNING data plane whose heartbeat is older than this is killed and restarted (default 3 s). */
  heartbeatTimeoutMs?: number;
  /** Heartbeat check period (default 250 ms). */
  watchMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** A generation running this long resets the backoff (default 10 s). */
  stableMs?: number;
}

/** Packets lost before a record could be made, by where. */
export interface DropStats {
  /** records_dropped: pipeline record drops and full shm rings. */
  records: number;
  /** NIC: RX queues full. */
  imissed: number;
  ierrors: number;
  rxNombuf: number;
  /** Software distribution rings full. */
  distDrops: number;
  total: number;
}

export interface SupervisorStats {
  running: boolean;
  pid: number | null;
  state: string;
  restarts: number;
  /** Age of the current data plane's heartbeat, null when none runs. */
  heartbeatAgeMs: number | null;
  /** Pipeline counters summed over workers and over every generation of this run. */
  counters: Counters;
  /** Port statistics summed the same way. */
  ports: { rxPackets: number; rxBytes: number };
  /** Records waiting in the rings (current and retired generations). */
  ringDepth: number;
  drops: DropStats;
  /** Worker TSC cycles per received packet (busy loop iterations only); null before any packet. */
  cyclesPerPacket: number | null;
}

interface Generation {
  dp: DataplaneProcess;
  reader: RegionReader | undefined;
  startedAt: number;
  /** The heartbeat value last seen, and when (performance.now()) it last changed. */
  lastHeartbeat: bigint;
  lastChangeAt: number;
}

interface Totals {
  counters: Counters;
  rxPackets: number;
  rxBytes: number;
  imissed: number;
  ierrors: number;
  rxNombuf: number;
  distDrops: number;
  /** TSC cycles the workers spent in loop iterations that received packets. */
  busyCycles: number;
}

function emptyTotals(): Totals {
  return {
    counters: {},
    rxPackets: 0,
    rxBytes: 0,
    imissed: 0,
    ierrors: 0,
    rxNombuf: 0,
    distDrops: 0,
    busyCycles: 0,
  };
}

function addReader(t: Totals, r: RegionReader): void {
  const c = r.counters();
  for (const [k, v] of Object.entries(c.total)) t.counters[k] = (t.counters[k] ?? 0) + v;
  for (const p of c.ports) {
    t.rxPackets += p.rxPackets;
    t.rxBytes += p.rxBytes;
    t.imissed += p.imissed;
    t.ierrors += p.ierrors;
    t.rxNombuf += p.rxNombuf;
    t.distDrops += p.distDrops;
  }
  for (const w of c.workers) t.busyCycles += w.busyCycles;
}

function addTotals(a: Totals, b: Totals): Totals {
  const out = { ...a, counters: { ...a.counters } };
  for (const [k, v] of Object.entries(b.counters)) out.counters[k] = (out.counters[k] ?? 0) + v;
  out.rxPackets += b.rxPackets;
  out.rxBytes += b.rxBytes;
  out.imissed += b.imissed;
  out.ierrors += b.ierrors;
  out.rxNombuf += b.rxNombuf;
  out.distDrops += b.distDrops;
  out.busyCycles += b.busyCycles;
  return out;
}

/**
 * Events: "restart" (restarts, reason), "running" (pid), "error" is never
 * emitted (failures are logged and retried), "stopped".
 */
export class Supervisor extends EventEmitter {
  private current: Generation | undefined;
  private readonly retired: Generation[] = [];
  /** Counters of generations already drained and closed. */
  private done = emptyTotals();
  private restartCount = 0;
  private failures = 0;
  private stopping = false;
  /** The first generation ran: from then on an exit means a restart. */
  private started = false;
  private watchTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly opts: Required<Omit<SupervisorOptions, "binary">> & { binary?: string };

  constructor(opts: SupervisorOptions) {
    super();
    this.opts = {
      startTimeoutMs: 20_000,
      heartbeatTimeoutMs: 3_000,
      watchMs: 250,
      backoffInitialMs: 500,
      backoffMaxMs: 30_000,
      stableMs: 10_000,
      ...opts,
    };
  }

  get restarts(): number {
    return this.restartCount;
  }

  /** The DPDK file prefixes of every generation started so far (for leftover checks). */
  readonly prefixes: string[] = [];

  /** Starts the first generation; rejects with the data plane's own message if it cannot run. */
  async start(): Promise<void> {
    await this.launch();
    this.started = true;
    this.watchTimer = setInterval(() => this.watch(), this.opts.watchMs);
    this.watchTimer.unref();
  }

  private async launch(): Promise<void> {
    const { spec, logger, addon, binary } = this.opts;
    const dp = await DataplaneProcess.start(spec, logger, binary);
    this.prefixes.push(dp.prefix);
    if (this.stopping) {
      // stop() came while this restart was spawning: it is not wanted.
      await dp.stop();
      return;
    }
    const gen: Generation = {
      dp,
      reader: undefined,
      startedAt: Date.now(),
      lastHeartbeat: 0n,
      lastChangeAt: performance.now(),
    };
    this.current = gen;
    dp.once("exit", () => this.onExit(gen));
    try {
      gen.reader = await openRegion(dp, addon, { timeoutMs: this.opts.startTimeoutMs });
      // It died while being opened and drain() already let go of it: its
      // records still count.
      if (this.current !== gen && !this.retired.includes(gen)) this.retired.push(gen);
    } catch (e) {
      dp.signal("SIGKILL");
      await dp.waitExit();
      throw e;
    }
    this.emit("running", dp.pid);
  }

  /** The process ended: retire its region (still drained), restart unless stopping. */
  private onExit(gen: Generation): void {
    if (this.current === gen) this.current = undefined;
    this.retired.push(gen);
    const gone = gen.dp.exit?.code === 0 ? [] : removeLeftovers(gen.dp.prefix);
    if (gone.length > 0)
      this.opts.logger.info(`removed what data plane ${gen.dp.pid} left: ${gone.join(", ")}`);
    if (this.stopping || !this.started) return;
    const ranMs = Date.now() - gen.startedAt;
    if (ranMs >= this.opts.stableMs) this.failures = 0;
    this.failures++;
    this.restartCount++;
    const delay = Math.min(
      this.opts.backoffMaxMs,
      this.opts.backoffInitialMs * 2 ** (this.failures - 1),
    );
    this.opts.logger.warn(
      `data plane ${gen.dp.pid} ${gen.dp.describeExit()}; restart ${this.restartCount} in ${delay} ms`,
    );
    this.emit("restart", this.restartCount, gen.dp.describeExit());
    this.scheduleRestart(delay);
  }

  private scheduleRestart(delay: number): void {
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.launch().catch((e: unknown) => {
        if (this.stopping) return;
        // The failed generation's exit already counted it and scheduled the
        // next try when it had started; a spawn failure did not.
        this.opts.logger.error(`data plane restart failed: ${(e as Error).message}`);
        if (this.current === undefined && !this.restartTimer && !this.stopping) {
          this.failures++;
          this.scheduleRestart(
            Math.min(this.opts.backoffMaxMs, this.opts.backoffInitialMs * 2 ** (this.failures - 1)),
          );
        }
      });
    }, delay);
  }

  /**
   * Kills a RUNNING data plane whose heartbeat stalled; its exit restarts it.
   * Staleness is measured on our monotonic clock (how long the heartbeat
   * value has not moved), so a step of the wall clock is not a stall.
   */
  private watch(): void {
    const gen = this.current;
    if (gen?.reader === undefined || !gen.dp.alive || this.stopping) return;
    const h = gen.reader.header();
    const now = performance.now();
    if (h.state !== "running" || h.heartbeatNs !== gen.lastHeartbeat) {
      gen.lastHeartbeat = h.heartbeatNs;
      gen.lastChangeAt = now;
      return;
    }
    const age = Math.round(now - gen.lastChangeAt);
    if (age > this.opts.heartbeatTimeoutMs) {
      this.opts.logger.warn(
        `data plane ${gen.dp.pid}: no heartbeat for ${age} ms (limit ${this.opts.heartbeatTimeoutMs}): killing it`,
      );
      gen.lastChangeAt = now; // once: its exit restarts it
      gen.dp.signal("SIGKILL");
    }
  }

  /**
   * Up to max records: first from retired generations (older), then from the
   * running one. A retired generation whose rings are empty is closed.
   */
  drain(max = 4096): TlsfpRecord[] {
    return this.drainWith(
      max,
      (r, n) => r.drain(n),
      (got) => got.length,
    ).flat();
  }

  /** drain() as RecordBatches, aggregated into `aggregates` as read (the ingest path). */
  drainBatches(aggregates: NativeAggregates, max = 4096, options?: BatchOptions): RecordBatch[] {
    return this.drainWith(
      max,
      (r, n) => r.drainBatch(aggregates, n, options),
      (b) => b.n,
    );
  }

  private drainWith<T>(
    max: number,
    take: (r: RegionReader, n: number) => T,
    size: (t: T) => number,
  ): T[] {
    const out: T[] = [];
    let n = 0;
    for (const gen of [...this.retired]) {
      if (gen.reader !== undefined) {
        while (n < max) {
          const got = take(gen.reader, Math.min(4096, max - n));
          if (size(got) === 0) break;
          out.push(got);
          n += size(got);
        }
        if (n >= max) return out;
        addReader(this.done, gen.reader);
        gen.reader.close();
      }
      this.retired.splice(this.retired.indexOf(gen), 1);
    }
    const r = this.current?.reader;
    if (r !== undefined && n < max) {
      const got = take(r, Math.min(65536, max - n));
      if (size(got) > 0) out.push(got);
    }
    return out;
  }

  /** True while a data plane process is alive or records remain to be drained. */
  get busy(): boolean {
    return this.current !== undefined || this.retired.length > 0;
  }

  stats(): SupervisorStats {
    let t = this.done;
    let depth = 0;
    for (const gen of [...this.retired, ...(this.current ? [this.current] : [])]) {
      if (gen.reader === undefined) continue;
      const g = emptyTotals();
      addReader(g, gen.reader);
      t = addTotals(t, g);
      depth += gen.reader.ringDepth().total;
    }
    const cur = this.current;
    const h = cur?.reader?.header();
    const recordsDropped = t.counters.records_dropped ?? 0;
    return {
      running: cur?.dp.alive === true && h?.state === "running",
      pid: cur?.dp.pid ?? null,
      state: h?.state ?? (cur ? "starting" : "stopped"),
      restarts: this.restartCount,
      heartbeatAgeMs: h ? Math.max(0, Date.now() - Number(h.heartbeatNs / 1_000_000n)) : null,
      counters: t.counters,
      ports: { rxPackets: t.rxPackets, rxBytes: t.rxBytes },
      ringDepth: depth,
      cyclesPerPacket: t.counters.packets ? t.busyCycles / t.counters.packets : null,
      drops: {
        records: recordsDropped,
        imissed: t.imissed,
        ierrors: t.ierrors,
        rxNombuf: t.rxNombuf,
        distDrops: t.distDrops,
        total: recordsDropped + t.imissed + t.ierrors + t.rxNombuf + t.distDrops,
      },
    };
  }

  /**
   * Stops for good: no more restarts, SIGTERM to the data plane (it flushes
   * its pipelines into the rings and reaches STOPPED), waits for its exit.
   * Drain afterwards until drain() returns nothing, then close().
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.watchTimer) clearInterval(this.watchTimer);
    const gen = this.current;
    if (gen !== undefined) {
      const exit = await gen.dp.stop(timeoutMs);
      const state = gen.reader?.header().state;
      if (exit.code !== 0 || state !== "stopped") {
        this.opts.logger.warn(
          `data plane ${gen.dp.pid} did not stop cleanly (${gen.dp.describeExit()}, state ${state})`,
        );
      }
    }
    this.emit("stopped");
  }

  /** Files any generation left behind (after stop(): should be none). */
  leftovers(): string[] {
    return this.prefixes.flatMap((p) => leftovers(p));
  }

  /** Removes what leftovers() lists; returns the paths. */
  removeLeftovers(): string[] {
    return this.prefixes.flatMap((p) => removeLeftovers(p));
  }

  /** Closes every region (after the final drain). */
  close(): void {
    for (const gen of [...this.retired, ...(this.current ? [this.current] : [])]) {
      if (gen.reader !== undefined) {
        addReader(this.done, gen.reader);
        gen.reader.close();
        gen.reader = undefined;
      }
    }
    this.retired.length = 0;
  }
}
