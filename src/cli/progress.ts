/**
 * What the command reports on stderr: the counts of a run, a live progress line (redrawn in place on a
 * terminal, one line per interval otherwise), and notices that must not collide with that line.
 */
import type { Writable } from 'node:stream';
import type { TopicPartitionOffset } from '../types.js';

/** The counts of a run. */
export interface ProgressCounts {
  /** Events printed. */
  readonly events: number;
  /** Records that did not decode, reported and committed. */
  readonly invalid: number;
  /** Events whose `ttl` had expired, committed without printing. */
  readonly expired: number;
  /** Records of this run that the broker confirmed as committed. */
  readonly committed: number;
}

/** Where a record sits. */
type Coordinates = TopicPartitionOffset;

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** Counts events, invalid and expired records, and how many of them are committed. */
export class Progress {
  #events = 0;
  #invalid = 0;
  #expired = 0;
  /** Per partition: the first offset this run handled. */
  readonly #first = new Map<string, number>();
  /** Per partition: the last position the broker confirmed. */
  readonly #committed = new Map<string, number>();

  /** An event was printed. */
  event(record: Coordinates): void {
    this.#events += 1;
    this.#seen(record);
  }

  /** A record did not decode and was reported. */
  invalid(record: Coordinates): void {
    this.#invalid += 1;
    this.#seen(record);
  }

  /** An event's `ttl` had expired. */
  expired(record: Coordinates): void {
    this.#expired += 1;
    this.#seen(record);
  }

  /** The broker confirmed positions (the next offset to read, per partition). */
  committed(positions: readonly Coordinates[]): void {
    for (const { topic, partition, offset } of positions) this.#committed.set(key(topic, partition), offset);
  }

  /** The counts now. */
  counts(): ProgressCounts {
    let committed = 0;
    for (const [partition, position] of this.#committed) {
      const first = this.#first.get(partition);
      if (first !== undefined) committed += Math.max(0, position - first);
    }
    return { events: this.#events, invalid: this.#invalid, expired: this.#expired, committed };
  }

  #seen({ topic, partition, offset }: Coordinates): void {
    const at = key(topic, partition);
    const first = this.#first.get(at);
    if (first === undefined || offset < first) this.#first.set(at, offset);
  }
}

/**
 * The progress line's text.
 *
 * @param counts - the counts
 * @param perSecond - events per second lately
 * @returns e.g. `1200 events (250/s), 2 invalid, 1180 committed`
 */
export function progressText(counts: ProgressCounts, perSecond: number): string {
  const parts = [`${counts.events} events (${Math.round(perSecond)}/s)`, `${counts.invalid} invalid`];
  if (counts.expired > 0) parts.push(`${counts.expired} expired`);
  parts.push(`${counts.committed} committed`);
  return parts.join(', ');
}

/**
 * The notice printed while the command waits for its first connection.
 *
 * @param brokers - the bootstrap servers, comma-separated
 * @returns e.g. `connecting to 127.0.0.1:9092...`
 */
export function connectingText(brokers: string): string {
  return `connecting to ${brokers}...`;
}

/** A stream that may be a terminal. */
export type OutputStream = Writable & { readonly isTTY?: boolean | undefined };

/**
 * Writes a line and resolves once the stream took it (the write callback), so that a caller waits
 * while the stream applies back-pressure.
 *
 * @param stream - where to write
 * @param line - the line, without its newline
 */
export function writeLine(stream: Writable, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(`${line}\n`, (error) => {
      if (error === null || error === undefined) resolve();
      else reject(error);
    });
  });
}

const clearLine = '\r\u001b[K';

/** Everything the command writes to stderr: notices, and the progress line when it is on. */
export class StatusLine {
  readonly #stream: OutputStream;
  readonly #progress: Progress;
  readonly #live: boolean;
  #timer: NodeJS.Timeout | undefined;
  #drawn = false;
  #last = { at: 0, events: 0 };

  /**
   * @param stream - stderr
   * @param progress - the counts to show
   * @param show - whether to show progress at all
   * @param intervalMs - how often the line is redrawn (on a terminal) or written (otherwise)
   */
  constructor(stream: OutputStream, progress: Progress, show: boolean, intervalMs = 1000) {
    this.#stream = stream;
    this.#progress = progress;
    this.#live = show && stream.isTTY === true;
    if (show) {
      this.#last = { at: Date.now(), events: 0 };
      this.#timer = setInterval(() => {
        this.#tick();
      }, intervalMs);
      this.#timer.unref();
    }
  }

  /** Writes a notice on a line of its own; the progress line is redrawn at the next tick. */
  async note(message: string): Promise<void> {
    this.clear();
    await writeLine(this.#stream, message).catch(() => undefined);
  }

  /** Takes the progress line off the terminal, e.g. before stdout writes to the same terminal. */
  clear(): void {
    if (!this.#drawn) return;
    this.#drawn = false;
    this.#stream.write(clearLine);
  }

  /** Stops updating and leaves the final counts on a line of their own. */
  async stop(): Promise<void> {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    const elapsed = Math.max(1, Date.now() - this.#last.at) / 1000;
    const counts = this.#progress.counts();
    await this.note(progressText(counts, (counts.events - this.#last.events) / elapsed));
  }

  #tick(): void {
    const now = Date.now();
    const counts = this.#progress.counts();
    const perSecond = ((counts.events - this.#last.events) * 1000) / Math.max(1, now - this.#last.at);
    this.#last = { at: now, events: counts.events };
    const text = progressText(counts, perSecond);
    if (this.#live) {
      this.#stream.write(`${clearLine}${text}`);
      this.#drawn = true;
    } else {
      this.#stream.write(`${text}\n`);
    }
  }
}
