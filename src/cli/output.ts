/**
 * Line output with backpressure: awaits 'drain' when the stream's buffer is
 * full, and turns a closed reader (EPIPE, e.g. `| head`) into a quiet stop.
 */

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";

export class LineWriter {
  /** The reader went away (EPIPE): stop producing, exit quietly. */
  closed = false;
  private error: Error | undefined;

  private constructor(
    private readonly stream: Writable,
    private readonly owned: boolean,
  ) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") this.closed = true;
      else this.error = e;
    });
  }

  static stdout(): LineWriter {
    return new LineWriter(process.stdout, false);
  }

  /** Opens (creates/truncates) a file; rejects with the open error. */
  static async file(path: string): Promise<LineWriter> {
    const stream = createWriteStream(path);
    await once(stream, "open"); // rejects on the stream's 'error' event
    return new LineWriter(stream, true);
  }

  /** Writes text (whole lines; UTF-8 bytes as they are); resolves once the stream can take more. */
  async write(text: string | Uint8Array): Promise<void> {
    this.check();
    if (this.closed || text.length === 0) return;
    if (!this.stream.write(text)) await this.drained();
    this.check();
  }

  /** Flushes and closes a file (stdout is left open). */
  async end(): Promise<void> {
    this.check();
    if (this.owned && !this.closed) {
      this.stream.end();
      await once(this.stream, "finish");
    }
    this.check();
  }

  /** Resolves on 'drain', or when the stream closes or fails (then see check()). */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off("drain", done);
        this.stream.off("close", done);
        this.stream.off("error", done);
        resolve();
      };
      this.stream.on("drain", done);
      this.stream.on("close", done);
      this.stream.on("error", done);
    });
  }

  private check(): void {
    if (this.error) throw this.error;
  }
}
