/**
 * When and what the engine commits: every `commitIntervalMs` the positions that moved, every
 * `recommitIntervalMs` all of them (so that the broker does not expire an unchanged one), a revoked
 * partition's position before it is released, and the last positions when `stop()` closes. Only
 * positions of partitions still owned are committed; the broker's answers confirm them.
 */
import type { OffsetLedger } from '../offsets/offset-ledger.js';
import type { TopicPartitionOffset } from '../types.js';
import type { ClientFailure } from './client.js';
import { commitError } from './client-errors.js';
import { Committer, type CommitTarget } from './committer.js';
import type { Emit } from './emit.js';
import type { EngineObserver } from './observer.js';
import type { PartitionLease, PartitionTable } from './partition-table.js';

/** How long a commit waits for the broker's answer, unless its caller has less time. */
const commitAnswerTimeoutMs = 10_000;
/** Between the tries of the last commit of `stop()`. */
const finalCommitRetryMs = 250;

/** What the commits need from the engine around them. */
export interface CommitsContext {
  readonly client: CommitTarget;
  readonly table: PartitionTable;
  readonly ledger: OffsetLedger;
  readonly emit: Emit;
  /** Setting values never shown in a message. */
  readonly secrets: readonly string[];
  /** The broker confirmed a commit: the brokers are up. */
  answered(): void;
  /** Who watches the engine (read at each commit: it is set when the engine runs). */
  observer(): EngineObserver;
}

/** The engine's commits and the broker's answers to them. */
export class Commits {
  readonly #context: CommitsContext;
  readonly #committer: Committer;
  #lastCommitAt: Date | undefined;

  constructor(context: CommitsContext) {
    this.#context = context;
    this.#committer = new Committer(context.client);
  }

  /** When the broker last confirmed a commit. */
  get lastCommitAt(): Date | undefined {
    return this.#lastCommitAt;
  }

  /**
   * Commits the positions that moved (or, with `refresh`, every position) of partitions still fetching.
   *
   * @param refresh - commit unchanged positions too
   */
  async periodic(refresh: boolean): Promise<void> {
    const { ledger, table } = this.#context;
    const live = (position: TopicPartitionOffset): boolean => {
      const lease = table.get(position.topic, position.partition);
      return lease !== undefined && !lease.halt.aborted;
    };
    const positions = (refresh ? ledger.refreshPositions() : ledger.commitPositions()).filter(live);
    if (positions.length > 0) await this.now(positions);
  }

  /**
   * The position of a lease's partition, when it moved since the last commit.
   *
   * @returns one position, or none
   */
  positionOf(lease: PartitionLease): TopicPartitionOffset[] {
    const offsets = this.#context.ledger.get(lease.topic, lease.partition);
    const position = offsets?.committable;
    return offsets?.needsCommit === true && position !== undefined
      ? [{ topic: lease.topic, partition: lease.partition, offset: position }]
      : [];
  }

  /**
   * Commits once; a failure is emitted as `commitFailed`.
   *
   * @returns whether the broker confirmed within `answerTimeoutMs`
   */
  async now(
    positions: readonly TopicPartitionOffset[],
    answerTimeoutMs = commitAnswerTimeoutMs,
  ): Promise<boolean> {
    const started = performance.now();
    const answer = await this.#committer.commit(positions, answerTimeoutMs);
    const error = answer === undefined ? undefined : commitError(answer, positions, this.#context.secrets);
    this.#context.observer().committed(positions, performance.now() - started, error);
    if (error !== undefined) this.#context.emit('commitFailed', error);
    return answer === undefined;
  }

  /**
   * The last commit of `stop()`. A commit that lands in the middle of a rebalance fails (the group's
   * generation is changing), so it is tried again while the poll loop runs and lets the rebalance
   * finish, until the broker confirmed or `deadline` (a `Date.now()` time) came; no wait goes past it.
   * Partitions revoked meanwhile are committed by their revoke.
   */
  async final(deadline: number): Promise<void> {
    for (;;) {
      const positions = this.#context.table.all().flatMap((lease) => this.positionOf(lease));
      const answerTimeoutMs = Math.min(commitAnswerTimeoutMs, deadline - Date.now());
      if (positions.length === 0 || answerTimeoutMs <= 0) return;
      if (await this.now(positions, answerTimeoutMs)) return;
      const pauseMs = Math.min(finalCommitRetryMs, deadline - Date.now());
      if (pauseMs <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  /** The broker's answer to a commit (the client's `commitResult`). */
  answer(failure: ClientFailure | undefined, offsets: readonly TopicPartitionOffset[]): void {
    // The answer goes to the commit call of these offsets, whatever the order answers arrive in.
    this.#committer.answered(failure, offsets);
    if (failure !== undefined) return;
    const { ledger, emit } = this.#context;
    this.#context.answered();
    this.#lastCommitAt = new Date();
    for (const { topic, partition, offset } of offsets) ledger.get(topic, partition)?.markCommitted(offset);
    if (offsets.length > 0) emit('committed', offsets);
  }
}
