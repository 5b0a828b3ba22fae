/**
 * Interleaved rounds: every contender runs once per round, in an order that rotates from round to round,
 * and a ratio is taken within a round (against that round's baseline run), so that a machine that gets
 * busier or quieter during a section moves both sides of a ratio alike. The sections report the median of
 * those ratios and their range.
 */
import { round } from './child.js';

/** The median of a set of values, with the lowest and the highest. */
export interface Spread {
  /** The median; NaN when there were no values. */
  readonly median: number;
  /** The lowest value; NaN when there were no values. */
  readonly lowest: number;
  /** The highest value; NaN when there were no values. */
  readonly highest: number;
  /** How many values there were. */
  readonly count: number;
}

/**
 * The order in which round `roundIndex` runs `items`: it starts at item `roundIndex mod n` and goes on in
 * turn, so that no item always runs first, on a colder or warmer machine.
 *
 * @param items - every contender, in their usual order
 * @param roundIndex - the round, counted from 0
 * @returns the items rotated by `roundIndex`
 * @example
 * order(['a', 'b', 'c'], 1); // ['b', 'c', 'a']
 */
export function order<Item>(items: readonly Item[], roundIndex: number): Item[] {
  const count = items.length;
  if (count === 0) return [];
  const start = ((roundIndex % count) + count) % count;
  return [...items.slice(start), ...items.slice(0, start)];
}

/**
 * The median of `values`: the middle one, or the mean of the two in the middle.
 *
 * @param values - in any order
 * @returns the median, NaN when there are none
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/**
 * The median, lowest and highest of the finite `values`; NaN (from a round whose baseline failed) and
 * infinite values are left out.
 *
 * @param values - in any order
 * @returns the spread; with no finite value, NaN for each figure and a count of 0
 */
export function spread(values: readonly number[]): Spread {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return { median: Number.NaN, lowest: Number.NaN, highest: Number.NaN, count: 0 };
  return {
    median: median(finite),
    lowest: Math.min(...finite),
    highest: Math.max(...finite),
    count: finite.length,
  };
}

/** What a run of a round needs to carry for {@link ratioToBaseline} and {@link ratioSpread}. */
export interface RoundRun {
  /** The round, counted from 1 as the tables show it, or from 0: only equality matters. */
  readonly round: number;
}

/**
 * A run's ratio to the baseline run of the same round, of the figure `value` reads.
 *
 * @param runs - every run of the section
 * @param run - the run to compare
 * @param isBaseline - which run of a round is the baseline (the raw loop, telemetry off)
 * @param value - the figure compared (events per second, CPU seconds per million records)
 * @returns `value(run) / value(baseline)`, NaN when the round has no baseline run (it failed)
 */
export function ratioToBaseline<Run extends RoundRun>(
  runs: readonly Run[],
  run: Run,
  isBaseline: (run: Run) => boolean,
  value: (run: Run) => number,
): number {
  const baseline = runs.find((candidate) => candidate.round === run.round && isBaseline(candidate));
  return baseline === undefined ? Number.NaN : value(run) / value(baseline);
}

/**
 * The spread of the per-round ratios of `selected` runs to their rounds' baseline runs: each round's
 * ratio is taken first, then the median and range of those ratios.
 *
 * @param runs - every run of the section (where the baselines are found)
 * @param selected - the runs of one contender
 * @param isBaseline - which run of a round is the baseline
 * @param value - the figure compared
 * @returns the spread of the ratios; rounds without a baseline are left out of it
 */
export function ratioSpread<Run extends RoundRun>(
  runs: readonly Run[],
  selected: readonly Run[],
  isBaseline: (run: Run) => boolean,
  value: (run: Run) => number,
): Spread {
  return spread(selected.map((run) => ratioToBaseline(runs, run, isBaseline, value)));
}

/**
 * A spread as a table cell: `median (lowest - highest)`, or only the median when there was one value.
 *
 * @param of - the spread
 * @param digits - decimals to keep
 * @returns the cell, `-` when there were no values
 * @example
 * formatSpread({ median: 0.912, lowest: 0.88, highest: 0.95, count: 3 }, 2); // '0.91 (0.88 - 0.95)'
 */
export function formatSpread(of: Spread, digits: number): string {
  if (of.count === 0) return '-';
  const format = (value: number): string => String(round(value, digits));
  return of.count === 1
    ? format(of.median)
    : `${format(of.median)} (${format(of.lowest)} - ${format(of.highest)})`;
}
