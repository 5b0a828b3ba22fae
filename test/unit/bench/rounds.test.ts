import { describe, expect, it } from 'vitest';
import {
  formatSpread,
  median,
  order,
  ratioSpread,
  ratioToBaseline,
  spread,
} from '../../../bench/lib/rounds.js';

describe('order', () => {
  it('starts round r at item r mod n and keeps the cyclic order', () => {
    const items = ['raw', 'kafkajs', 'sdk'] as const;
    expect(order(items, 0)).toEqual(['raw', 'kafkajs', 'sdk']);
    expect(order(items, 1)).toEqual(['kafkajs', 'sdk', 'raw']);
    expect(order(items, 2)).toEqual(['sdk', 'raw', 'kafkajs']);
    expect(order(items, 3)).toEqual(['raw', 'kafkajs', 'sdk']);
    expect(order(items, 7)).toEqual(['kafkajs', 'sdk', 'raw']);
  });

  it('puts every item first exactly once over n rounds', () => {
    const items = [1, 2, 3, 4, 5, 6, 7];
    const firsts = items.map((_, roundIndex) => order(items, roundIndex)[0]);
    expect([...firsts].sort()).toEqual(items);
    for (let roundIndex = 0; roundIndex < items.length; roundIndex++)
      expect([...order(items, roundIndex)].sort()).toEqual(items);
  });

  it('returns an empty order for no items and does not change its input', () => {
    expect(order([], 3)).toEqual([]);
    const items = ['a', 'b'];
    order(items, 1);
    expect(items).toEqual(['a', 'b']);
  });
});

describe('median', () => {
  it('takes the middle value of an odd count, in any order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([5])).toBe(5);
  });

  it('takes the mean of the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('is NaN for no values', () => {
    expect(median([])).toBeNaN();
  });
});

describe('spread', () => {
  it('gives median, lowest, highest and count, leaving out NaN and infinite values', () => {
    expect(spread([0.9, Number.NaN, 0.8, 1.1, Number.POSITIVE_INFINITY])).toEqual({
      median: 0.9,
      lowest: 0.8,
      highest: 1.1,
      count: 3,
    });
  });

  it('is NaN with a count of 0 when no value is finite', () => {
    expect(spread([Number.NaN])).toEqual({
      median: Number.NaN,
      lowest: Number.NaN,
      highest: Number.NaN,
      count: 0,
    });
  });
});

describe('ratios to the baseline of the same round', () => {
  interface Run {
    readonly round: number;
    readonly contender: 'raw' | 'sdk';
    readonly rate: number;
  }
  const isRaw = (run: Run): boolean => run.contender === 'raw';
  const rate = (run: Run): number => run.rate;
  const runs: Run[] = [
    { round: 1, contender: 'raw', rate: 100 },
    { round: 1, contender: 'sdk', rate: 90 },
    { round: 2, contender: 'sdk', rate: 40 },
    { round: 2, contender: 'raw', rate: 50 },
    { round: 3, contender: 'sdk', rate: 95 },
    { round: 3, contender: 'raw', rate: 100 },
    // Round 4's raw run failed: its SDK run has no ratio.
    { round: 4, contender: 'sdk', rate: 1000 },
  ];
  const sdk = runs.filter((run) => run.contender === 'sdk');

  it('divides by the baseline run of the same round, not of another', () => {
    expect(sdk.map((run) => ratioToBaseline(runs, run, isRaw, rate))).toEqual([0.9, 0.8, 0.95, Number.NaN]);
  });

  it('takes the median and range of the per-round ratios, leaving out rounds without a baseline', () => {
    expect(ratioSpread(runs, sdk, isRaw, rate)).toEqual({
      median: 0.9,
      lowest: 0.8,
      highest: 0.95,
      count: 3,
    });
  });

  it('gives the baseline a ratio of 1 in every round', () => {
    const raw = runs.filter(isRaw);
    expect(ratioSpread(runs, raw, isRaw, rate)).toEqual({ median: 1, lowest: 1, highest: 1, count: 3 });
  });
});

describe('formatSpread', () => {
  it('shows the median and the range, rounded', () => {
    expect(formatSpread({ median: 0.9123, lowest: 0.88, highest: 0.951, count: 3 }, 2)).toBe(
      '0.91 (0.88 - 0.95)',
    );
  });

  it('shows only the median for a single value, and a dash for none', () => {
    expect(formatSpread({ median: 52_345.4, lowest: 52_345.4, highest: 52_345.4, count: 1 }, 0)).toBe(
      '52345',
    );
    expect(formatSpread(spread([]), 2)).toBe('-');
  });
});
