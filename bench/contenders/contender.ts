/** What a throughput contender is given, and what it gives back. */

/** One throughput run: consume `expected` records of `topic` from the beginning, in a new group. */
export interface ThroughputRun {
  readonly brokers: string;
  readonly topic: string;
  readonly tenant: string;
  readonly groupId: string;
  readonly expected: number;
}

/** A consumer under test. */
export interface Contender {
  /**
   * Starts consuming; calls `handled(n)` each time `n` more records were handled.
   *
   * @returns how to stop it
   */
  start(run: ThroughputRun, handled: (count: number) => void): Promise<{ stop(): Promise<void> }>;
}
