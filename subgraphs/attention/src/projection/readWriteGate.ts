/**
 * Readers run together; a writer runs alone. A writer that arrives waits for the readers under way and
 * holds back those that arrive after it, so a steady stream of reads cannot starve it.
 */
export class ReadWriteGate {
  private readers = 0;
  private readersDone: (() => void)[] = [];
  private writing: Promise<void> | null = null;

  async read<T>(fn: () => Promise<T>): Promise<T> {
    while (this.writing) await this.writing;
    this.readers++;
    try {
      return await fn();
    } finally {
      if (--this.readers === 0) for (const done of this.readersDone.splice(0)) done();
    }
  }

  async write(fn: () => Promise<void>): Promise<void> {
    while (this.writing) await this.writing;
    let done = () => {};
    this.writing = new Promise<void>((resolve) => {
      done = resolve;
    });
    try {
      while (this.readers > 0) await new Promise<void>((resolve) => this.readersDone.push(resolve));
      await fn();
    } finally {
      this.writing = null;
      done();
    }
  }
}
