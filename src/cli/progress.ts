/** A one-line progress bar on stderr, for big files read from a terminal. */
import type { CaptureProgress } from "../addon/native.js";
import { formatBytes } from "./summary.js";

/** Show the bar only on a terminal and for files above this size. */
export const PROGRESS_MIN_BYTES = 50 * 1024 * 1024;
const WIDTH = 30;
const EVERY_MS = 200;

export function shouldShowProgress(isTty: boolean, size: number): boolean {
  return isTty && size > PROGRESS_MIN_BYTES;
}

export function renderProgress(p: CaptureProgress): string {
  const frac = p.size > 0 ? Math.min(1, p.offset / p.size) : 0;
  const full = Math.round(frac * WIDTH);
  const bar = `${"#".repeat(full)}${"-".repeat(WIDTH - full)}`;
  const pct = (frac * 100).toFixed(0).padStart(3);
  return `[${bar}] ${pct}% ${formatBytes(p.offset)} / ${formatBytes(p.size)}, ${p.packets} packets`;
}

export class ProgressBar {
  private last = 0;
  private shown = false;

  constructor(private readonly out: NodeJS.WriteStream) {}

  update(p: CaptureProgress): void {
    const now = Date.now();
    if (now - this.last < EVERY_MS) return;
    this.last = now;
    this.shown = true;
    this.out.write(`\r${renderProgress(p)}\x1b[K`);
  }

  clear(): void {
    if (this.shown) this.out.write("\r\x1b[K");
    this.shown = false;
  }
}
