/**
 * EVE JSON lines to a rotating file (eve.json, eve.json.1, ... like
 * logrotate), for Filebeat/Vector to ship unchanged.
 *
 * Contracts:
 * - Every write() is one chunk of whole lines; rotating-file-stream writes a
 *   chunk whole into one file and rotates only between chunks, so no line is
 *   ever split across files (a file may exceed `size` by one chunk).
 * - No fsync: the OS page cache is the buffer; a crash may lose the tail.
 * - Backpressure: write() returns false once the stream's buffer is over its
 *   high-water mark (wait for drained()). Callers on the ingest path need not
 *   wait: beyond maxBufferedBytes whole batches are dropped and counted, so a
 *   slow or full disk never grows memory without bound or stalls ingest.
 */
import { basename, dirname } from "node:path";
import { createStream, type RotatingFileStream } from "rotating-file-stream";
import type { TlsfpRecord } from "../addon/native.js";
import { toEveLine } from "./eve.js";

export interface EveFileOptions {
  /** The live file, e.g. /var/log/tlsfp/eve.json; rotated files get .1, .2, ... (.gz when compressed). */
  path: string;
  /** Rotate when the file reaches this size: "100M", "1G", "512K", "4096B" (default "100M"). */
  size?: string;
  /** Also rotate on a time interval: "1h", "1d", "30m" (default: size only). */
  interval?: string;
  /** Rotated files kept (default 10). */
  keep?: number;
  /** gzip rotated files (default false: shippers read plain lines). */
  compress?: boolean;
  /** Bytes buffered in memory before batches are dropped (default 16 MiB). */
  maxBufferedBytes?: number;
}

export interface EveFileStats {
  lines: number;
  bytes: number;
  /** Records dropped because the buffer was full or the writer closed. */
  dropped: number;
  rotations: number;
  errors: number;
  lastError?: string;
}

const SIZE_RE = /^\d+[BKMG]$/;
const INTERVAL_RE = /^\d+[smhdM]$/;

export class EveFileWriter {
  private readonly stream: RotatingFileStream;
  private readonly maxBuffered: number;
  private closed = false;
  private readonly counts: EveFileStats = {
    lines: 0,
    bytes: 0,
    dropped: 0,
    rotations: 0,
    errors: 0,
  };

  constructor(opts: EveFileOptions) {
    const size = opts.size ?? "100M";
    if (!SIZE_RE.test(size)) throw new RangeError(`eve.size: "${size}" is not like 100M`);
    if (opts.interval !== undefined && !INTERVAL_RE.test(opts.interval)) {
      throw new RangeError(`eve.interval: "${opts.interval}" is not like 1h or 1d`);
    }
    const keep = opts.keep ?? 10;
    if (!Number.isInteger(keep) || keep < 1) throw new RangeError("eve.keep: must be >= 1");
    this.maxBuffered = opts.maxBufferedBytes ?? 16 * 1024 * 1024;
    const name = basename(opts.path);
    // Classical (logrotate) mode calls the generator with the rotation index
    // as its only argument, and with null for the live file's name.
    const ext = opts.compress ? ".gz" : "";
    const generator = (index: number | Date | null): string =>
      typeof index === "number" && index > 0 ? `${name}.${index}${ext}` : name;
    this.stream = createStream(generator as (time: number | Date) => string, {
      path: dirname(opts.path),
      size,
      ...(opts.interval !== undefined ? { interval: opts.interval } : {}),
      rotate: keep,
      compress: opts.compress ? "gzip" : false,
    });
    this.stream.on("rotated", () => {
      this.counts.rotations++;
    });
    this.stream.on("error", (e: Error) => this.fail(e));
    this.stream.on("warning", (e: Error) => this.fail(e));
  }

  private fail(e: Error): void {
    this.counts.errors++;
    this.counts.lastError = e.message;
  }

  /**
   * Append one EVE line per record. Returns false when the caller should
   * wait for drained() before writing more (records are kept either way,
   * unless over maxBufferedBytes, where they are dropped and counted).
   */
  write(records: readonly TlsfpRecord[]): boolean {
    let chunk = "";
    for (const r of records) chunk += toEveLine(r);
    return this.writeChunk(chunk, records.length);
  }

  /** The same for EVE lines already made (whole lines, each ending in \n). */
  writeLines(text: string): boolean {
    let n = 0;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
    return this.writeChunk(text, n);
  }

  private writeChunk(chunk: string, lines: number): boolean {
    if (lines === 0) return !this.stream.writableNeedDrain;
    if (this.closed || this.stream.writableLength >= this.maxBuffered) {
      this.counts.dropped += lines;
      return false;
    }
    this.counts.lines += lines;
    this.counts.bytes += Buffer.byteLength(chunk);
    return this.stream.write(chunk);
  }

  /** Resolves when the stream's buffer is below its high-water mark again. */
  drained(): Promise<void> {
    if (!this.stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => this.stream.once("drain", () => resolve()));
  }

  stats(): EveFileStats {
    return { ...this.counts };
  }

  /** Flush what is buffered and close the file. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      this.stream.end(() => resolve());
    });
  }
}
