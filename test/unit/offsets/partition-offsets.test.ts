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

describe('PartitionOffsets generations (offsets that went back)', () => {
  it('commits nothing until the records from before the rewind finished, then the new position', () => {
    const before = tracker(100, 101, 102);
    before.markCommitted(100);
    before.complete(100);
    const after = new PartitionOffsets('hono.event.t', 3, before);
    expect(after.committed).toBe(100);
    expect(after.lastTracked).toBeUndefined();
    after.track(0);
    after.track(1);
    after.complete(0);
    after.complete(1);
    expect(after.committable).toBeUndefined();
    expect(after.needsCommit).toBe(false);
    before.complete(102);
    expect(after.committable).toBeUndefined();
    before.complete(101);
    expect(after.committable).toBe(2);
    expect(after.needsCommit).toBe(true);
    expect(after.pending).toBe(0);
    after.markCommitted(2);
    expect(after.committed).toBe(2);
    expect(after.needsCommit).toBe(false);
    // The old tracker is untouched by the new generation's bookkeeping.
    expect(before.committable).toBe(103);
    expect(before.committed).toBe(100);
  });

  it('holds the new generation at its own lowest unfinished record once the old ones finished', () => {
    const before = tracker(50);
    const after = new PartitionOffsets('hono.event.t', 3, before);
    after.track(10);
    after.track(11);
    after.complete(11);
    before.complete(50);
    expect(after.committable).toBe(10);
    after.complete(10);
    expect(after.committable).toBe(12);
  });

  it('yields the new position at once when nothing was pending at the rewind (a recreated topic)', () => {
    const before = tracker(40, 41);
    before.complete(40);
    before.complete(41);
    before.markCommitted(42);
    const after = new PartitionOffsets('hono.event.t', 3, before);
    expect(after.committed).toBe(42);
    expect(after.committable).toBeUndefined();
    after.track(0);
    expect(after.committable).toBe(0);
    expect(after.needsCommit).toBe(true);
    after.complete(0);
    expect(after.committable).toBe(1);
    expect(after.uncommitted).toBe(0);
  });

  it('waits for every earlier generation after two rewinds in a row', () => {
    const first = tracker(200, 201);
    const second = new PartitionOffsets('hono.event.t', 3, first);
    second.track(100);
    second.track(101);
    const third = new PartitionOffsets('hono.event.t', 3, second);
    third.track(0);
    expect(third.pending).toBe(5);
    second.complete(100);
    second.complete(101);
    third.complete(0);
    // The middle generation finished, the first did not: still nothing to commit.
    expect(second.committable).toBeUndefined();
    expect(third.committable).toBeUndefined();
    expect(third.pending).toBe(2);
    first.complete(201);
    first.complete(200);
    expect(second.committable).toBe(102);
    expect(third.committable).toBe(1);
    expect(third.pending).toBe(0);
  });

  it('drops a finished generation from the chain when the next one is made', () => {
    const first = tracker(5);
    const second = new PartitionOffsets('hono.event.t', 3, first);
    second.track(3);
    first.complete(5);
    const third = new PartitionOffsets('hono.event.t', 3, second);
    third.track(1);
    // Only the second generation's record holds the third back.
    expect(third.committable).toBeUndefined();
    second.complete(3);
    expect(third.committable).toBe(1);
  });

  it('sums pending records and uncommitted offsets over the generations', () => {
    const before = tracker(10, 11, 15);
    before.complete(11);
    const after = new PartitionOffsets('hono.event.t', 3, before);
    after.track(0);
    after.track(2);
    expect(after.pending).toBe(4);
    expect(after.uncommitted).toBe(6 + 3);
    after.complete(0);
    expect(after.pending).toBe(3);
    expect(after.uncommitted).toBe(6 + 1);
    before.complete(10);
    expect(after.uncommitted).toBe(1 + 1);
    before.complete(15);
    expect(after.pending).toBe(1);
    expect(after.uncommitted).toBe(1);
    expect(after.committable).toBe(2);
  });

  it('completes a record on the tracker that tracked it, not on the other generation', () => {
    const before = tracker(7, 8);
    const after = new PartitionOffsets('hono.event.t', 3, before);
    after.track(7);
    after.complete(7);
    // Offset 7 of the old generation is still unfinished; completing 7 again on the new one fails.
    expect(() => {
      after.complete(7);
    }).toThrow(RangeError);
    expect(() => {
      after.complete(8);
    }).toThrow(RangeError);
    expect(after.pending).toBe(2);
    before.complete(7);
    before.complete(8);
    expect(after.pending).toBe(0);
    expect(after.committable).toBe(8);
  });

  it('still rejects a non-increasing offset within one generation', () => {
    const after = new PartitionOffsets('hono.event.t', 3, tracker(9));
    after.track(4);
    expect(() => {
      after.track(4);
    }).toThrow(RangeError);
  });

  it('rejects a predecessor of another topic-partition', () => {
    expect(() => new PartitionOffsets('hono.event.t', 2, tracker(1))).toThrow(RangeError);
    expect(() => new PartitionOffsets('other', 3, tracker(1))).toThrow(RangeError);
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

/**
 * A run with rewinds: segments of increasing offsets, each after the first starting at or below the
 * last offset tracked before it (log truncation, a recreated topic), tracked in order and completed in
 * any order, interleaved.
 */
const rewindScenario = fc.record({
  segments: fc.array(
    fc.record({
      back: fc.oneof(fc.constant(0), fc.nat(10), fc.nat(10_000)),
      gaps: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, fc.integer({ min: 2, max: 50 })), {
        minLength: 1,
        maxLength: 25,
      }),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  start: fc.nat(1000),
  choices: fc.array(fc.nat(), { maxLength: 300 }),
});

interface Generation {
  readonly offsets: PartitionOffsets;
  readonly unfinished: number[];
  last: number | undefined;
}

/**
 * Plays a rewind scenario the way `OffsetLedger.track` does (a new generation when an offset is not
 * above the current generation's last) against a model (each generation's unfinished offsets), checking
 * after every step: nothing is committable while an earlier generation has an unfinished record;
 * otherwise the current generation's lowest unfinished offset (last + 1 when none); pending and
 * uncommitted are summed over the generations.
 */
function playRewinds({
  segments,
  start,
  choices,
}: {
  segments: { back: number; gaps: number[] }[];
  start: number;
  choices: number[];
}): void {
  const plan: number[] = [];
  let next = start;
  for (const [index, { back, gaps }] of segments.entries()) {
    if (index > 0) next = Math.max(0, (plan.at(-1) as number) - back);
    for (const gap of gaps) {
      plan.push(next);
      next += gap;
    }
  }
  const generations: Generation[] = [];
  let tracked = 0;
  for (let step = 0; ; step += 1) {
    const open = generations.filter((generation) => generation.unfinished.length > 0);
    if (tracked === plan.length && open.length === 0) break;
    const choice = choices[step] ?? step;
    if (tracked < plan.length && (open.length === 0 || choice % 2 === 0)) {
      const offset = plan[tracked] as number;
      tracked += 1;
      let current = generations.at(-1);
      if (current?.last === undefined || offset <= current.last) {
        current = {
          offsets: new PartitionOffsets('t', 0, current?.offsets),
          unfinished: [],
          last: undefined,
        };
        generations.push(current);
      }
      current.offsets.track(offset);
      current.unfinished.push(offset);
      current.last = offset;
    } else {
      const generation = open[(choice >>> 1) % open.length] as Generation;
      const index = (choice >>> 4) % generation.unfinished.length;
      const offset = generation.unfinished[index] as number;
      generation.unfinished[index] = generation.unfinished.at(-1) as number;
      generation.unfinished.pop();
      generation.offsets.complete(offset);
    }
    const current = generations.at(-1) as Generation;
    const earlierOpen = generations.slice(0, -1).some((generation) => generation.unfinished.length > 0);
    const lowestOf = (generation: Generation): number | undefined =>
      generation.unfinished.length === 0 ? undefined : Math.min(...generation.unfinished);
    const lowest = lowestOf(current);
    const expected = earlierOpen
      ? undefined
      : (lowest ?? (current.last === undefined ? undefined : current.last + 1));
    const pending = generations.reduce((sum, generation) => sum + generation.unfinished.length, 0);
    const uncommitted = generations.reduce((sum, generation) => {
      const low = lowestOf(generation);
      return low === undefined ? sum : sum + (generation.last as number) + 1 - low;
    }, 0);
    const { offsets } = current;
    if (
      offsets.committable !== expected ||
      offsets.pending !== pending ||
      offsets.uncommitted !== uncommitted ||
      offsets.needsCommit !== (expected !== undefined)
    ) {
      expect({
        committable: offsets.committable,
        pending: offsets.pending,
        uncommitted: offsets.uncommitted,
        needsCommit: offsets.needsCommit,
      }).toEqual({ committable: expected, pending, uncommitted, needsCommit: expected !== undefined });
    }
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

  it('commits nothing across a rewind until the earlier generations finished, for any interleaving', () => {
    fc.assert(fc.property(rewindScenario, playRewinds), { numRuns: 500 });
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
