/**
 * What the chaos runner and its consumer processes share: the consumer's configuration (passed as JSON in
 * `CHAOS_CONFIG`), the ledger line format, and the lifecycle lines a consumer prints on stdout.
 */

/** How one consumer process runs. */
export interface ConsumerConfig {
  readonly brokers: string;
  readonly tenant: string;
  readonly groupId: string;
  /** The folder of the per-process ledgers; each process writes `<label>-<pid>.ledger` there. */
  readonly ledgerDir: string;
  /** A name for logs: `c1`, `c2`, ... */
  readonly label: string;
  readonly ordering: 'device' | 'partition' | 'none';
  readonly concurrency: number;
  readonly commitIntervalMs: number;
  /** Share of records whose handler throws on its first attempt (0 to 1). */
  readonly failFirstRate: number;
  /** The delay before the first retry of a failed handler. */
  readonly retryDelayMs: number;
  /** librdkafka settings passed through the SDK's `kafka` option. */
  readonly kafka: Readonly<Record<string, string | number | boolean>>;
  /** Attempts in all (`retry.maxAttempts`). @defaultValue 5 */
  readonly maxAttempts?: number;
  readonly onFailure?: 'pause' | 'skip' | 'deadLetter';
  /**
   * When set: the SDK's `handlerTimeoutMs`, a payload's `slowMs` applies to the first attempt only, and a
   * call whose signal aborted (it ran on past the timeout) ledgers `late` and throws instead of `handled`.
   */
  readonly handlerTimeoutMs?: number;
  /** During an outage (started and ended by `outage on` / `outage off` on stdin), `device-N` with N % this === 0 throws. */
  readonly failingEvery?: number;
  /** The record (`device/seq`) whose handler throws on every attempt. */
  readonly poison?: string;
}

/** The payload of every produced data event. */
export interface ChaosPayload {
  /** The device's sequence number, 0, 1, 2, ... */
  readonly seq: number;
  /** When set, the handler takes this long instead of 0-20 ms. */
  readonly slowMs?: number;
}

/** A handled record: `partition offset device sequence pid time`. */
export interface HandledEntry {
  readonly kind: 'handled';
  readonly partition: number;
  readonly offset: number;
  readonly device: string;
  readonly seq: number;
  readonly pid: number;
  /** Wall-clock time in ms with microseconds, comparable across processes on one machine. */
  readonly at: number;
}

/** A position the broker confirmed: `commit partition offset pid time`. */
export interface CommitEntry {
  readonly kind: 'commit';
  readonly partition: number;
  readonly offset: number;
  readonly pid: number;
  readonly at: number;
}

/**
 * A fault observed in a consumer process: `skip` (a record given up on, `skipped` event), `overlap` (a
 * call began while another call of its device ran), `late` (a call that ran on past its timeout).
 * Line: `<mark> partition offset device sequence pid time`.
 */
export interface MarkEntry {
  readonly kind: 'mark';
  readonly mark: 'skip' | 'overlap' | 'late';
  readonly partition: number;
  readonly offset: number;
  readonly device: string;
  readonly seq: number;
  readonly pid: number;
  readonly at: number;
}

export type LedgerEntry = HandledEntry | CommitEntry | MarkEntry;

const marks: readonly string[] = ['skip', 'overlap', 'late'];

/** Wall-clock time with sub-millisecond resolution. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** One ledger line, newline included. */
export function formatEntry(entry: LedgerEntry): string {
  const at = entry.at.toFixed(3);
  if (entry.kind === 'mark')
    return `${entry.mark} ${entry.partition} ${entry.offset} ${entry.device} ${entry.seq} ${entry.pid} ${at}\n`;
  return entry.kind === 'commit'
    ? `commit ${entry.partition} ${entry.offset} ${entry.pid} ${at}\n`
    : `${entry.partition} ${entry.offset} ${entry.device} ${entry.seq} ${entry.pid} ${at}\n`;
}

/** Parses a ledger file's text; a torn last line (a SIGKILL during write) is ignored. */
export function parseLedger(text: string): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    if (fields[0] === 'commit' && fields.length === 5) {
      const [, partition, offset, pid, at] = fields.map(Number);
      if ([partition, offset, pid, at].some((n) => n === undefined || Number.isNaN(n))) continue;
      entries.push({
        kind: 'commit',
        partition: partition ?? 0,
        offset: offset ?? 0,
        pid: pid ?? 0,
        at: at ?? 0,
      });
    } else if (fields.length === 7 && marks.includes(fields[0] ?? '')) {
      const [mark, partition, offset, device, seq, pid, at] = fields;
      const numbers = [partition, offset, seq, pid, at].map(Number);
      if (device === undefined || numbers.some(Number.isNaN)) continue;
      const [p, o, s, i, a] = numbers as [number, number, number, number, number];
      entries.push({
        kind: 'mark',
        mark: mark as MarkEntry['mark'],
        partition: p,
        offset: o,
        device,
        seq: s,
        pid: i,
        at: a,
      });
    } else if (fields.length === 6) {
      const [partition, offset, device, seq, pid, at] = fields;
      const numbers = [partition, offset, seq, pid, at].map(Number);
      if (device === undefined || numbers.some(Number.isNaN)) continue;
      const [p, o, s, i, a] = numbers as [number, number, number, number, number];
      entries.push({ kind: 'handled', partition: p, offset: o, device, seq: s, pid: i, at: a });
    }
  }
  return entries;
}

/** The identity of a produced record: its device and sequence number. */
export function recordId(device: string, seq: number): string {
  return `${device}/${seq}`;
}

/** A lifecycle line a consumer process prints on stdout, as JSON. */
export interface LifecycleLine {
  readonly event: 'started' | 'assigned' | 'revoked' | 'lost' | 'error' | 'stopped' | 'commitFailed';
  readonly partitions?: readonly number[];
  readonly message?: string;
}
