/**
 * A durable append-only ledger: each `append` resolves only after its line was written and fsync'd.
 * Lines that arrive while a write is under way go out together in the next write (group commit).
 */
import { type FileHandle, open } from 'node:fs/promises';

interface Waiter {
  readonly line: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class LedgerWriter {
  readonly #file: FileHandle;
  #pending: Waiter[] = [];
  #flushing = false;

  private constructor(file: FileHandle) {
    this.#file = file;
  }

  /** Opens (creates) the ledger for appending. */
  static async open(path: string): Promise<LedgerWriter> {
    const file = await open(path, 'a');
    await file.sync();
    return new LedgerWriter(file);
  }

  /** Appends a line; resolves once it is on disk. */
  append(line: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ line, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    while (this.#pending.length > 0) {
      const batch = this.#pending;
      this.#pending = [];
      try {
        await this.#file.write(batch.map((waiter) => waiter.line).join(''));
        await this.#file.datasync();
        for (const waiter of batch) waiter.resolve();
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
    this.#flushing = false;
  }

  async close(): Promise<void> {
    await this.#file.close();
  }
}
