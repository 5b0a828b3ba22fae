import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PartitionOffsets } from '../../../src/offsets/partition-offsets.js';

function tracker(...offsets: number[]): PartitionOffsets {
  const partition = new PartitionOffsets('hono.event.t', 3);
  for (const offset of offsets) partition.track(offset);
  return partition;
}

describe('PartitionOffsets', () => {
  it('has no position before the first record', () => {
    const offsets = tracker();
    expect(offsets.topic).toBe('hono.event.t');
    expect(offsets.partition).toBe(3);
    expect(offsets.committable).toBeUndefined();
    expect(offsets.lastTracked).toBeUndefined();
    expect(offsets.pending).toBe(0);
    expect(offsets.committed).toBeUndefined();
    expect(offsets.needsCommit).toBe(false);
  });

  it('holds the position at the first unfinished record', () => {
    const offsets = tracker(0, 1, 2);
    expect(offsets.committable).toBe(0);
    expect(offsets.pending).toBe(3);
    expect(offsets.lastTracked).toBe(2);
    offsets.complete(0);
    expect(offsets.committable).toBe(1);
    offsets.complete(1);
    expect(offsets.committable).toBe(2);
    offsets.complete(2);
    expect(offsets.committable).toBe(3);
    expect(offsets.pending).toBe(0);
  });

  it('commits only the contiguous prefix when completions come out of order', () => {
    const offsets = tracker(10, 11, 12, 13);
    offsets.complete(12);
    offsets.complete(11);
    expect(offsets.committable).toBe(10);
    offsets.complete(10);
    expect(offsets.committable).toBe(13);
    offsets.complete(13);
    expect(offsets.committable).toBe(14);
  });

  it('does not let offset gaps block the position', () => {
    const offsets = tracker(5, 9, 20, 21);
    offsets.complete(5);
    expect(offsets.committable).toBe(9);
    offsets.complete(20);
    offsets.complete(9);
    expect(offsets.committable).toBe(21);
    offsets.complete(21);
    expect(offsets.committable).toBe(22);
  });

  it('moves from last + 1 to the next tracked offset after a gap', () => {
    const offsets = tracker(1);
    offsets.complete(1);
    expect(offsets.committable).toBe(2);
    offsets.track(50);
    expect(offsets.committable).toBe(50);
    offsets.complete(50);
    expect(offsets.committable).toBe(51);
  });

  it('counts the offsets from the committable position to the last tracked one', () => {
    const offsets = new PartitionOffsets('t', 0);
    expect(offsets.uncommitted).toBe(0);
    offsets.track(10);
    offsets.track(11);
    offsets.track(15);
    expect(offsets.uncommitted).toBe(6);
    offsets.complete(11);
    expect(offsets.uncommitted).toBe(6);
    offsets.complete(10);
    expect(offsets.uncommitted).toBe(1);
    offsets.complete(15);
    expect(offsets.uncommitted).toBe(0);
  });

  it('works at offsets near 2^53', () => {
    const high = Number.MAX_SAFE_INTEGER - 10;
    const offsets = tracker(high, high + 2, high + 3);
    offsets.complete(high + 2);
    offsets.complete(high);
    expect(offsets.committable).toBe(high + 3);
  });

  it('tracks the commit bookkeeping', () => {
    const offsets = tracker(0, 1);
    expect(offsets.needsCommit).toBe(true);
    offsets.markCommitted(0);
    expect(offsets.committed).toBe(0);
    expect(offsets.needsCommit).toBe(false);
    offsets.complete(0);
    expect(offsets.needsCommit).toBe(true);
    offsets.markCommitted(1);
    expect(offsets.needsCommit).toBe(false);
  });

  it.each([
    ['an offset equal to the last', [4], 4],
    ['an offset below the last', [4], 3],
    ['a negative offset', [], -1],
    ['a fractional offset', [], 1.5],
    ['NaN', [], Number.NaN],
    ['an offset beyond 2^53', [], 2 ** 53],
  ])('rejects tracking %s', (_name, before, offset) => {
    const offsets = tracker(...before);
    expect(() => {
      offsets.track(offset);
    }).toThrow(RangeError);
    expect(offsets.lastTracked).toBe(before.at(-1));
    expect(offsets.pending).toBe(before.length);
  });

  it.each([
    ['an offset never tracked, in a gap', [1, 3], [], 2],
    ['an offset never tracked, below the first', [5, 6], [], 4],
    ['an offset never tracked, beyond the last', [5, 6], [], 7],
    ['an offset completed twice, still behind the head', [1, 2], [2], 2],
    ['an offset completed twice, already passed', [1, 2], [1], 1],
    ['an offset when everything finished', [1], [1], 1],
    ['an offset when nothing was tracked', [], [], 0],
    ['a fractional offset', [1, 2], [], 1.5],
  ])('rejects completing %s', (_name, tracked, completed, offset) => {
    const offsets = tracker(...tracked);
    for (const done of completed) offsets.complete(done);
    const before = [offsets.committable, offsets.pending];
    expect(() => {
      offsets.complete(offset);
    }).toThrow(RangeError);
    expect([offsets.committable, offsets.pending]).toEqual(before);
  });

  it.each([-1, 0.5, Number.NaN])('rejects a partition number %s', (partition) => {
    expect(() => new PartitionOffsets('t', partition)).toThrow(RangeError);
  });

  it.each([-1, 2.5])('rejects marking %s committed', (offset) => {
    expect(() => {
      tracker().markCommitted(offset);
    }).toThrow(RangeError);
  });

  it('keeps a long-lived window correct across compaction', () => {
    // One record stays unfinished while thousands after it finish: the head stays put, then jumps.
    const offsets = tracker();
    for (let offset = 0; offset < 5000; offset += 1) offsets.track(offset * 2);
    for (let offset = 1; offset < 5000; offset += 1) offsets.complete(offset * 2);
    expect(offsets.committable).toBe(0);
    offsets.complete(0);
    expect(offsets.committable).toBe(10_000 - 1);
    // Finish in order with a lagging straggler, so the head passes the compaction threshold repeatedly.
    for (let offset = 10_000; offset < 20_000; offset += 1) {
      offsets.track(offset);
      if (offset - 3000 >= 10_000) offsets.complete(offset - 3000);
    }
    expect(offsets.committable).toBe(17_000);
    expect(offsets.pending).toBe(3000);
  });
});

/**
 * A run: increasing offsets with gaps, and an interleaving of tracking and completion steps. With a
 * `hold`, the lowest unfinished offset is completed only every `hold` steps, so that thousands of
 * finished records pile up behind it (this drives the tracker through its compaction).
 */
const scenario = (records: { min: number; max: number }, hold: fc.Arbitrary<number | undefined>) =>
  fc.record({
    start: fc.oneof(fc.nat(100), fc.nat(2 ** 45)),
    gaps: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, fc.integer({ min: 2, max: 5000 })), {
      minLength: records.min,
      maxLength: records.max,
      size: 'max',
    }),
    choices: fc.array(fc.nat(), { minLength: 2 * records.min, maxLength: 2 * records.max, size: 'max' }),
    hold,
  });

interface Scenario {
  start: number;
  gaps: number[];
  choices: number[];
  hold: number | undefined;
}

/**
 * Plays a scenario against a tracker and a naive model (the list of unfinished offsets), checking after
 * every step that the committable offset is the lowest unfinished offset (last + 1 when none), never
 * exceeds an unfinished offset, and never decreases.
 */
function play({ start, gaps, choices, hold }: Scenario): void {
  const offsets = new PartitionOffsets('t', 0);
  const toTrack: number[] = [];
  let next = start;
  for (const gap of gaps) {
    toTrack.push(next);
    next += gap;
  }
  const unfinished: number[] = [];
  let lowest: number | undefined;
  let tracked = 0;
  let last: number | undefined;
  let previous: number | undefined;
  for (let step = 0; tracked < toTrack.length || unfinished.length > 0; step += 1) {
    const choice = choices[step] ?? step;
    // While holding, the lowest unfinished record is not completed (and tracking continues).
    const holding = hold !== undefined && step % hold !== 0 && tracked < toTrack.length;
    const mustTrack = unfinished.length === 0 || (holding && unfinished.length === 1);
    if (tracked < toTrack.length && (mustTrack || choice % 2 === 0)) {
      const offset = toTrack[tracked] as number;
      tracked += 1;
      offsets.track(offset);
      unfinished.push(offset);
      lowest ??= offset;
      last = offset;
    } else {
      let index = (choice >>> 1) % unfinished.length;
      if (holding && unfinished[index] === lowest) index = (index + 1) % unfinished.length;
      const offset = unfinished[index] as number;
      unfinished[index] = unfinished[unfinished.length - 1] as number;
      unfinished.pop();
      offsets.complete(offset);
      if (offset === lowest) lowest = unfinished.length === 0 ? undefined : Math.min(...unfinished);
    }
    const expected = lowest ?? (last === undefined ? undefined : last + 1);
    const committable = offsets.committable;
    // Plain comparisons first: expect() per step would dominate the run time of long scenarios.
    const regressed = previous !== undefined && (committable === undefined || committable < previous);
    const beyond = lowest !== undefined && (committable === undefined || committable > lowest);
    if (
      committable !== expected ||
      offsets.pending !== unfinished.length ||
      offsets.lastTracked !== last ||
      regressed ||
      beyond
    ) {
      expect({
        committable,
        pending: offsets.pending,
        lastTracked: offsets.lastTracked,
        regressed,
        beyond,
      }).toEqual({
        committable: expected,
        pending: unfinished.length,
        lastTracked: last,
        regressed: false,
        beyond: false,
      });
    }
    previous = committable;
  }
}

describe('PartitionOffsets properties', () => {
  it('committable is the lowest unfinished offset after every step, for any gaps and completion order', () => {
    fc.assert(
      fc.property(
        scenario({ min: 0, max: 60 }, fc.option(fc.integer({ min: 2, max: 20 }), { nil: undefined })),
        play,
      ),
      {
        numRuns: 500,
      },
    );
  });

  it('stays correct over long runs that pass the compaction threshold', () => {
    fc.assert(fc.property(scenario({ min: 3000, max: 4000 }, fc.integer({ min: 1500, max: 3000 })), play), {
      numRuns: 40,
      endOnFailure: true, // shrinking thousands of steps takes minutes; seed and path reproduce a failure
    });
  });

  it('rejects completing anything that is not unfinished, without changing state', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat(200), { minLength: 1, maxLength: 40, size: 'max' }),
        fc.array(fc.nat(), { maxLength: 40, size: 'max' }),
        fc.nat(220),
        (raw, completions, probe) => {
          const sorted = [...raw].sort((a, b) => a - b);
          const offsets = tracker(...sorted);
          const unfinished = new Set(sorted);
          for (const pick of completions) {
            const offset = sorted[pick % sorted.length] as number;
            if (!unfinished.has(offset)) continue;
            offsets.complete(offset);
            unfinished.delete(offset);
          }
          const before = [offsets.committable, offsets.pending];
          if (unfinished.has(probe)) {
            offsets.complete(probe);
          } else {
            expect(() => {
              offsets.complete(probe);
            }).toThrow(RangeError);
            expect([offsets.committable, offsets.pending]).toEqual(before);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
