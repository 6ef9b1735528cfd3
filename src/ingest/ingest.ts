/**
 * The ingest loop: takes batches from a source and feeds the store, yielding
 * to the event loop between batches so the API, signals and the store's flush
 * timer keep running.
 *
 * A source is a function returning the next batch: an array (possibly empty:
 * nothing ready now, poll again after idleMs) or null (the source has ended).
 * Today that is a CaptureAnalyzer (captureSource); tomorrow the shared-memory
 * ring drain.
 */
import type { CaptureAnalyzer, TlsfpRecord } from "../addon/native.js";
import type { FingerprintStore } from "../store/types.js";

export type IngestSource = () => TlsfpRecord[] | null;

export interface IngestCounters {
  batches: number;
  records: number;
  /** Wall-clock ms minus the capture time of the newest record of the last batch (live lag). */
  lagMs: number;
  /** Polls that found nothing. */
  idlePolls: number;
}

export interface IngestOptions {
  /** Wait this long after an empty batch (default 10 ms). */
  idleMs?: number;
}

/** A CaptureAnalyzer as a source: batches of up to maxRecords, null after its last batch. */
export function captureSource(analyzer: CaptureAnalyzer, maxRecords = 1024): IngestSource {
  let done = false;
  return () => {
    if (done) return null;
    const b = analyzer.next(maxRecords);
    done = b.done;
    return b.records;
  };
}

export class IngestLoop {
  readonly counters: IngestCounters = { batches: 0, records: 0, lagMs: 0, idlePolls: 0 };
  private stopped = false;
  private running: Promise<void> | undefined;
  private readonly idleMs: number;

  constructor(
    private readonly source: IngestSource,
    private readonly store: FingerprintStore,
    opts: IngestOptions = {},
  ) {
    this.idleMs = opts.idleMs ?? 10;
  }

  /** Runs until the source ends or stop(); rejects with a source or store error. */
  start(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  /** Stops after the current batch; resolves when the loop has returned. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const batch = this.source();
      if (batch === null) return;
      if (batch.length === 0) {
        this.counters.idlePolls++;
        await new Promise((r) => setTimeout(r, this.idleMs));
        continue;
      }
      this.store.ingest(batch);
      this.counters.batches++;
      this.counters.records += batch.length;
      let newest = 0;
      for (const r of batch) {
        const ms = Number(r.tsNs) / 1e6;
        if (ms > newest) newest = ms;
      }
      this.counters.lagMs = Math.max(0, Date.now() - newest);
      await new Promise((r) => setImmediate(r));
    }
  }
}
