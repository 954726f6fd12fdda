import type { TrainProgress } from '../core/training/progress.js';

interface Writable {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): boolean;
}

/**
 * A training progress bar on a stream (stderr by default). On a terminal it redraws one line, at most
 * ten times a second; elsewhere (CI logs, files) it prints one line per finished epoch.
 */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly out: Writable = process.stderr) {}

  update(stage: string, p: TrainProgress): void {
    const done = p.batch === p.batches;
    if (!this.out.isTTY) {
      if (done) this.out.write(`${this.describe(stage, p)}\n`);
      return;
    }
    const now = Date.now();
    if (!done && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = Math.max(10, Math.min(30, (this.out.columns ?? 100) - 90));
    const filled = Math.round((p.batch / p.batches) * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    this.out.write(`\r\x1b[2K${bar} ${this.describe(stage, p)}`);
    this.drawn = true;
    if (done) this.end();
  }

  /** Ends the current line (call before printing anything else). */
  end(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }

  private describe(stage: string, p: TrainProgress): string {
    return (
      `${stage} | epoch ${p.epoch}/${p.epochs} | batch ${p.batch}/${p.batches} | ` +
      `loss ${p.loss.toFixed(4)} | ${Math.round(p.examplesPerSecond).toLocaleString('en-US')} ex/s`
    );
  }
}
