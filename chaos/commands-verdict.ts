/**
 * The verdict of `commands-broker-restart` from the client's ledger and summary: every request settled
 * within its timeout plus a margin, every rejection typed, no response delivered to the wrong request,
 * requests succeed again once the broker is back, no unhandled rejection, `close()` within its deadline.
 */
import { readFile } from 'node:fs/promises';
import type { ClientSummary, SettledRequest } from './commands-protocol.js';

/** When the broker went down and when it was listed again (ms since the epoch). */
export interface OutageMarks {
  readonly killedAt: number;
  readonly restartedAt: number;
}

/** What the verdict checks against. */
export interface CommandBounds {
  readonly timeoutMs: number;
  /** How late past `timeoutMs` a request may settle. */
  readonly latenessMarginMs: number;
  readonly closeTimeoutMs: number;
  /** How late past `closeTimeoutMs` `close()` may finish. */
  readonly closeMarginMs: number;
  /** The least share of requests sent after the restart that must succeed. */
  readonly recoveredSuccessRate: number;
}

/** Notes for the scenario's line and problems that fail it. */
export interface CommandVerdict {
  readonly notes: string[];
  readonly problems: string[];
}

/** The client's ledger: one entry per settled request. */
export async function readSettled(path: string): Promise<SettledRequest[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as SettledRequest);
}

function share(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)} %`;
}

/** Counts by a key, as `key n, key n`. */
function tally(entries: readonly SettledRequest[], key: (entry: SettledRequest) => string): string {
  const counts = new Map<string, number>();
  for (const entry of entries) counts.set(key(entry), (counts.get(key(entry)) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${String(n)}`)
    .join(', ');
}

/**
 * Judges one run.
 *
 * @param settled - the client's ledger
 * @param summary - the client's summary line, or undefined if it printed none
 * @param marks - the outage window
 * @param bounds - the limits
 * @returns the figures and the problems
 */
export function judgeCommands(
  settled: readonly SettledRequest[],
  summary: ClientSummary | undefined,
  marks: OutageMarks,
  bounds: CommandBounds,
): CommandVerdict {
  const notes: string[] = [];
  const problems: string[] = [];
  const ok = settled.filter((entry) => entry.outcome === 'ok');
  const mismatches = settled.filter((entry) => entry.outcome === 'mismatch');
  const rejected = settled.filter((entry) => entry.outcome === 'rejected');
  const untyped = settled.filter((entry) => entry.outcome === 'untyped');
  const failures = settled.filter((entry) => entry.outcome === 'failure');
  const longest = Math.max(...settled.map((entry) => entry.settledAt - entry.startedAt));
  const tooLate = settled.filter(
    (entry) => entry.settledAt - entry.startedAt > bounds.timeoutMs + bounds.latenessMarginMs,
  );
  const phase = (from: number, until: number): SettledRequest[] =>
    settled.filter((entry) => entry.startedAt >= from && entry.startedAt < until);
  const before = phase(0, marks.killedAt);
  const outage = phase(marks.killedAt, marks.restartedAt);
  const after = phase(marks.restartedAt, Number.MAX_SAFE_INTEGER);
  const okIn = (entries: readonly SettledRequest[]): number =>
    entries.filter((entry) => entry.outcome === 'ok').length;
  const slowest = Math.max(...ok.map((entry) => entry.settledAt - entry.startedAt));

  notes.push(
    `requests ${String(summary?.sent ?? '?')}, settled ${String(settled.length)}, ok ${String(ok.length)}, ` +
      `rejected ${String(rejected.length)}${rejected.length > 0 ? ` (${tally(rejected, (e) => e.code ?? '?')})` : ''}, ` +
      `other responses ${String(failures.length)}, mismatches ${String(mismatches.length)}, untyped ${String(untyped.length)}, ` +
      `hung ${String(summary?.hung.length ?? '?')}`,
    `longest settle ${String(longest)} ms (${String(Math.max(0, longest - bounds.timeoutMs))} ms past the ${String(bounds.timeoutMs)} ms timeout, margin ${String(bounds.latenessMarginMs)} ms); slowest ok ${String(slowest)} ms`,
    `success before the kill ${share(okIn(before), before.length)} of ${String(before.length)}, ` +
      `while down and restarting (${((marks.restartedAt - marks.killedAt) / 1000).toFixed(1)} s) ${share(okIn(outage), outage.length)} of ${String(outage.length)}, ` +
      `after the restart ${share(okIn(after), after.length)} of ${String(after.length)}`,
  );
  if (summary !== undefined) {
    notes.push(
      `late responses ignored ${String(summary.lateResponses)}, ` +
        `close() ${String(summary.closeMs)} ms, pending after settling ${String(summary.pendingAfter)}, ` +
        `unhandled rejections ${String(summary.unhandledRejections.length)}, ` +
        `client error events ${
          Object.entries(summary.errorEvents)
            .map(([code, n]) => `${code} ${String(n)}`)
            .join(', ') || 'none'
        }`,
    );
  }

  if (summary === undefined) problems.push('the client printed no summary');
  else {
    if (summary.hung.length > 0)
      problems.push(
        `${String(summary.hung.length)} requests never settled, e.g. ${summary.hung.slice(0, 5).join(' ')}`,
      );
    if (summary.settled !== summary.sent || settled.length !== summary.sent)
      problems.push(`${String(summary.sent)} sent, ${String(settled.length)} in the ledger`);
    if (summary.pendingAfter !== 0)
      problems.push(`pendingRequests ${String(summary.pendingAfter)} after every request settled`);
    if (summary.unhandledRejections.length > 0)
      problems.push(`unhandled rejections: ${summary.unhandledRejections.slice(0, 3).join('; ')}`);
    if (summary.closeMs > bounds.closeTimeoutMs + bounds.closeMarginMs)
      problems.push(
        `close() took ${String(summary.closeMs)} ms (closeTimeoutMs ${String(bounds.closeTimeoutMs)})`,
      );
  }
  if (tooLate.length > 0) {
    problems.push(
      `${String(tooLate.length)} requests settled later than timeout + ${String(bounds.latenessMarginMs)} ms, ` +
        `e.g. ${tooLate
          .slice(0, 3)
          .map((e) => `#${String(e.n)} ${e.outcome} after ${String(e.settledAt - e.startedAt)} ms`)
          .join(', ')}`,
    );
  }
  if (mismatches.length > 0)
    problems.push(
      `${String(mismatches.length)} mismatched responses, e.g. #${String(mismatches[0]?.n)}: ${mismatches[0]?.detail ?? ''}`,
    );
  if (untyped.length > 0)
    problems.push(`${String(untyped.length)} untyped rejections, e.g. ${untyped[0]?.detail ?? ''}`);
  if (before.length === 0 || outage.length === 0 || after.length === 0)
    problems.push('a phase (before, during, after the outage) had no requests');
  if (okIn(after) < bounds.recoveredSuccessRate * after.length)
    problems.push(`only ${share(okIn(after), after.length)} of the requests after the restart succeeded`);
  return { notes, problems };
}
