/**
 * The verdict of `tenants-sigkill`: from the ledgers and what was produced, records lost by kind (events
 * and qos-1 telemetry must lose none), the qos-0 losses against their bound, duplicates against the
 * SIGKILLed process's uncommitted work, and how soon each tenant created during the run was read.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseTenantsLedger, type TenantsHandled } from './tenants-protocol.js';

/** A produced record: where it went and what it was. */
export interface ProducedRecord {
  readonly id: string;
  readonly tenant: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** `event`, `telemetry` at qos 1, `telemetry` at qos 0. */
  readonly kind: 'event' | 'qos1' | 'qos0';
}

/** What the runner knows besides the ledgers. */
export interface TenantsRun {
  readonly dir: string;
  readonly produced: readonly ProducedRecord[];
  /** The SIGKILLed process. */
  readonly killedPid: number;
  /** The group's committed offsets (`topic/partition` → offset) read right after the SIGKILL. */
  readonly committedAtKill: ReadonlyMap<string, number>;
  readonly maxUncommitted: number;
  /** When each tenant created during the run got its topics (ms since the epoch). */
  readonly createdAt: ReadonlyMap<string, number>;
  /** The most seconds from a tenant's topics to its first handled record. */
  readonly discoveryLimitS: number;
}

/** The verdict's figures, notes and problems. */
export interface TenantsVerdict {
  readonly notes: string[];
  readonly problems: string[];
}

const key = (topic: string, partition: number): string => `${topic}/${String(partition)}`;

/** Judges a run of `tenants-sigkill`. */
export async function judgeTenants(run: TenantsRun): Promise<TenantsVerdict> {
  const notes: string[] = [];
  const problems: string[] = [];
  const handled: TenantsHandled[] = [];
  for (const name of await readdir(run.dir)) {
    if (!name.endsWith('.ledger')) continue;
    for (const entry of parseTenantsLedger(await readFile(join(run.dir, name), 'utf8')))
      if (entry.kind === 'handled') handled.push(entry);
  }
  const times = new Map<string, number>();
  let duplicates = 0;
  for (const entry of handled) {
    if (times.has(entry.id)) duplicates += 1;
    else times.set(entry.id, entry.at);
  }

  // Lost, by kind.
  const lost = { event: [] as ProducedRecord[], qos1: [] as ProducedRecord[], qos0: [] as ProducedRecord[] };
  const producedByKind = { event: 0, qos1: 0, qos0: 0 };
  for (const record of run.produced) {
    producedByKind[record.kind] += 1;
    if (!times.has(record.id)) lost[record.kind].push(record);
  }
  notes.push(
    `produced ${String(run.produced.length)} (events ${String(producedByKind.event)}, telemetry qos 1 ${String(producedByKind.qos1)}, qos 0 ${String(producedByKind.qos0)}); ` +
      `lost: events ${String(lost.event.length)}, qos 1 ${String(lost.qos1.length)}, qos 0 ${String(lost.qos0.length)}`,
  );
  for (const kind of ['event', 'qos1'] as const) {
    if (lost[kind].length > 0)
      problems.push(
        `lost ${String(lost[kind].length)} ${kind} records, e.g. ${lost[kind]
          .slice(0, 3)
          .map((r) => `${r.id} (${key(r.topic, r.partition)}@${String(r.offset)})`)
          .join(' ')}`,
      );
  }

  // qos 0: every lost record lies below the position committed when the process died, within
  // maxUncommitted of it, and no partition loses more than maxUncommitted.
  const lostPerPartition = new Map<string, number>();
  let widest = 0;
  for (const record of lost.qos0) {
    const at = key(record.topic, record.partition);
    lostPerPartition.set(at, (lostPerPartition.get(at) ?? 0) + 1);
    const committed = run.committedAtKill.get(at);
    if (committed === undefined || record.offset >= committed) {
      problems.push(
        `qos-0 record ${record.id} (${at}@${String(record.offset)}) lost although the committed position at the kill was ${String(committed)}`,
      );
      continue;
    }
    widest = Math.max(widest, committed - record.offset);
  }
  const most = Math.max(0, ...lostPerPartition.values());
  notes.push(
    `qos 0 lost on ${String(lostPerPartition.size)} partitions, at most ${String(most)} per partition, at most ${String(widest)} offsets below the position committed at the kill (bound: maxUncommitted ${String(run.maxUncommitted)})`,
  );
  if (most > run.maxUncommitted || widest > run.maxUncommitted)
    problems.push(`qos-0 losses beyond maxUncommitted ${String(run.maxUncommitted)}`);

  // Duplicates: at most what the killed process handled at or past the position committed at the kill.
  const bound = handled.filter(
    (entry) =>
      entry.pid === run.killedPid &&
      entry.offset >= (run.committedAtKill.get(key(entry.topic, entry.partition)) ?? 0),
  ).length;
  notes.push(`duplicates ${String(duplicates)} (bound ${String(bound)})`);
  if (duplicates > bound)
    problems.push(`${String(duplicates)} duplicates, more than the bound ${String(bound)}`);

  // Tenants created during the run: from their topics to their first handled record.
  const firsts = new Map<string, number>();
  for (const [id, at] of times) {
    const tenant = id.slice(0, id.lastIndexOf('/'));
    firsts.set(tenant, Math.min(at, firsts.get(tenant) ?? Number.POSITIVE_INFINITY));
  }
  const delays: string[] = [];
  for (const [tenant, created] of run.createdAt) {
    const first = firsts.get(tenant);
    const seconds = first === undefined ? Number.NaN : (first - created) / 1000;
    delays.push(`${tenant.slice(tenant.lastIndexOf('-') + 1)} ${seconds.toFixed(1)} s`);
    if (!(seconds <= run.discoveryLimitS))
      problems.push(`tenant ${tenant} first read ${seconds.toFixed(1)} s after its topics were created`);
  }
  notes.push(`new tenants, topics created to first record handled: ${delays.join(', ')}`);
  return { notes, problems };
}
