/**
 * Figures of the fault scenarios beyond lost/duplicates/order: the healthy devices' throughput inside a
 * partial outage against outside it, and whether a poison record held back other partitions.
 */
import type { HandledEntry, MarkEntry } from './protocol.js';
import { readLedgers } from './verdict.js';

export interface Figures {
  readonly notes: string[];
  readonly problems: string[];
}

async function entries(dir: string): Promise<{ handled: HandledEntry[]; marks: MarkEntry[] }> {
  const ledgers = [...(await readLedgers(dir)).values()];
  return { handled: ledgers.flatMap((l) => l.handled), marks: ledgers.flatMap((l) => l.marks) };
}

/** Events/s of the devices outside the outage (`device-N`, N % every !== 0) inside the window and outside it. */
export async function outageThroughput(
  dir: string,
  window: { readonly from: number; readonly until: number },
  every: number,
): Promise<Figures> {
  const { handled } = await entries(dir);
  const healthy = handled.filter((e) => Number(/^device-(\d+)$/.exec(e.device)?.[1] ?? 0) % every !== 0);
  const times = healthy.map((e) => e.at);
  const first = Math.min(...times);
  const last = Math.max(...times);
  const inside = healthy.filter((e) => e.at >= window.from && e.at <= window.until).length;
  const windowS = (window.until - window.from) / 1000;
  const outsideS = (last - first) / 1000 - windowS;
  const rate = (n: number, s: number): string => (s > 0 ? (n / s).toFixed(0) : '-');
  return {
    notes: [
      `healthy devices: ${rate(inside, windowS)} events/s inside the ${windowS.toFixed(1)} s outage, ` +
        `${rate(healthy.length - inside, outsideS)} events/s outside it (${outsideS.toFixed(1)} s)`,
    ],
    problems: inside === 0 ? ['healthy devices handled nothing during the outage'] : [],
  };
}

/**
 * For each skipped (poison) record: the stall of its partition (from the partition's previous handled
 * record to the skip) and what each other partition handled meanwhile; a partition that handled
 * nothing in the stall (while it had records later) was held back.
 */
export async function poisonIsolation(dir: string): Promise<Figures> {
  const { handled, marks } = await entries(dir);
  const notes: string[] = [];
  const problems: string[] = [];
  for (const skip of marks.filter((m) => m.mark === 'skip')) {
    const before = handled.filter((e) => e.partition === skip.partition && e.at < skip.at);
    const from = before.length > 0 ? Math.max(...before.map((e) => e.at)) : skip.at - 1000;
    const others = new Map<number, number>();
    for (const e of handled) {
      if (e.partition === skip.partition) continue;
      others.set(e.partition, (others.get(e.partition) ?? 0) + (e.at > from && e.at < skip.at ? 1 : 0));
    }
    const held = [...others].filter(([, n]) => n === 0).map(([p]) => p);
    notes.push(
      `poison ${skip.device}/${skip.seq} stalled partition ${skip.partition} ${((skip.at - from) / 1000).toFixed(2)} s; ` +
        `meanwhile other partitions handled ${[...others].map(([p, n]) => `p${p}:${n}`).join(' ')}`,
    );
    if (held.length > 0)
      problems.push(`partitions ${held.join(',')} handled nothing while the poison record stalled`);
  }
  return { notes, problems };
}
