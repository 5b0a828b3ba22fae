/**
 * Counts from the ledgers against what was produced: handled (distinct), lost, duplicates, the duplicate
 * bound of SIGKILLed processes, and per-device order violations.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CommitEntry, type HandledEntry, type MarkEntry, parseLedger, recordId } from './protocol.js';

/** One process's ledger, by entry kind. */
export interface Ledger {
  readonly handled: HandledEntry[];
  readonly commits: CommitEntry[];
  readonly marks: MarkEntry[];
}

/** Every ledger of a scenario, by the pid that wrote it. */
export async function readLedgers(dir: string): Promise<Map<number, Ledger>> {
  const ledgers = new Map<number, Ledger>();
  for (const name of await readdir(dir)) {
    const pid = /-(\d+)\.ledger$/.exec(name)?.[1];
    if (pid === undefined) continue;
    const entries = parseLedger(await readFile(join(dir, name), 'utf8'));
    ledgers.set(Number(pid), {
      handled: entries.filter((entry): entry is HandledEntry => entry.kind === 'handled'),
      commits: entries.filter((entry): entry is CommitEntry => entry.kind === 'commit'),
      marks: entries.filter((entry): entry is MarkEntry => entry.kind === 'mark'),
    });
  }
  return ledgers;
}

/** How many produced records appear in the ledgers (handled, or skipped after they failed for good). */
export async function countHandled(dir: string, produced: ReadonlySet<string>): Promise<number> {
  const seen = new Set<string>();
  for (const { handled, marks } of (await readLedgers(dir)).values()) {
    for (const entry of [...handled, ...marks.filter((m) => m.mark === 'skip')]) {
      const id = recordId(entry.device, entry.seq);
      if (produced.has(id)) seen.add(id);
    }
  }
  return seen.size;
}

/** The counts of one scenario. */
export interface Counts {
  readonly produced: number;
  readonly handled: number;
  readonly lost: number;
  /** Records given up on (`skipped` event): accounted for, not lost. */
  readonly skipped: number;
  /** Calls that began while another call of their device ran. */
  readonly overlaps: number;
  /** Calls that ran on past their timeout (their signal aborted). */
  readonly late: number;
  readonly duplicates: number;
  /** For SIGKILLed processes: their ledgered records at or past their last confirmed commit. */
  readonly duplicateBound: number;
  /** First handlings of a device's record after a later record of that device had been handled. */
  readonly orderViolations: number;
  /** The highest handled offset + 1 per partition: where the final commit must be. */
  readonly endOffsets: Map<number, number>;
  /** Examples of lost records, for the report. */
  readonly lostExamples: string[];
}

/**
 * Counts a scenario from its ledgers.
 * @param killedPids - processes that were SIGKILLed: their uncommitted work bounds the duplicates
 */
export async function count(
  dir: string,
  produced: ReadonlySet<string>,
  killedPids: ReadonlySet<number>,
): Promise<Counts> {
  const ledgers = await readLedgers(dir);
  const all: HandledEntry[] = [];
  const allMarks: MarkEntry[] = [];
  let duplicateBound = 0;
  for (const [pid, { handled, commits, marks }] of ledgers) {
    all.push(...handled);
    allMarks.push(...marks);
    if (!killedPids.has(pid)) continue;
    const committed = new Map<number, number>();
    for (const commit of commits)
      committed.set(commit.partition, Math.max(commit.offset, committed.get(commit.partition) ?? -1));
    duplicateBound += handled.filter(
      (entry) => entry.offset >= (committed.get(entry.partition) ?? -1),
    ).length;
  }
  all.sort((a, b) => a.at - b.at);

  const seen = new Set<string>();
  let duplicates = 0;
  let orderViolations = 0;
  const highest = new Map<string, number>();
  const endOffsets = new Map<number, number>();
  for (const entry of all) {
    endOffsets.set(entry.partition, Math.max(entry.offset + 1, endOffsets.get(entry.partition) ?? 0));
    const id = recordId(entry.device, entry.seq);
    if (seen.has(id)) {
      duplicates += 1;
      continue;
    }
    seen.add(id);
    const top = highest.get(entry.device) ?? -1;
    if (entry.seq < top) orderViolations += 1;
    else highest.set(entry.device, entry.seq);
  }
  for (const skip of allMarks.filter((m) => m.mark === 'skip'))
    endOffsets.set(skip.partition, Math.max(skip.offset + 1, endOffsets.get(skip.partition) ?? 0));
  const skippedIds = new Set(allMarks.filter((m) => m.mark === 'skip').map((m) => recordId(m.device, m.seq)));
  const lostIds = [...produced].filter((id) => !seen.has(id) && !skippedIds.has(id));
  return {
    produced: produced.size,
    handled: [...seen].filter((id) => produced.has(id)).length,
    lost: lostIds.length,
    skipped: skippedIds.size,
    overlaps: allMarks.filter((m) => m.mark === 'overlap').length,
    late: allMarks.filter((m) => m.mark === 'late').length,
    duplicates,
    duplicateBound,
    orderViolations,
    endOffsets,
    lostExamples: lostIds.slice(0, 5),
  };
}
