/**
 * Rebalances. An assignment starts fetching the new partitions, each under a new lease. A revoke stops
 * fetching, lets the records already fetched finish (running, waiting and retrying ones) within
 * `drainTimeoutMs`, commits, then releases the partitions. A loss releases them at once and commits
 * nothing: the group already gave them to another member.
 */
import { settlesWithin } from '../deadline.js';
import type { OffsetLedger } from '../offsets/offset-ledger.js';
import type { WorkItem } from '../processing/work-item.js';
import type { TopicPartition } from '../types.js';
import type { ConsumerClient, RebalanceEvent } from './client.js';
import type { Commits } from './commits.js';
import type { Emit } from './emit.js';
import type { PartitionTable } from './partition-table.js';
import type { Pauses } from './pauses.js';
import type { TopicWatch } from './topic-watch.js';

/** What the held records offer a revoke. */
export interface DrainableRecords {
  /** Resolves once no record matching `filter` is held. */
  whenSettled(filter: (item: WorkItem) => boolean): Promise<void>;
  /** Forgets the queued records matching `filter`. */
  drop(filter: (item: WorkItem) => boolean): void;
}

/** What rebalances need from the engine around them. */
export interface RebalancesContext {
  readonly client: ConsumerClient;
  readonly table: PartitionTable;
  readonly ledger: OffsetLedger;
  readonly records: DrainableRecords;
  readonly pauses: Pauses;
  readonly commits: Commits;
  readonly topics: TopicWatch;
  readonly emit: Emit;
  readonly drainTimeoutMs: number;
  /** Whether the engine is stopping (new partitions fetch nothing) or stopped (they are ignored). */
  phase(): 'stopping' | 'stopped' | 'other';
  /** Whether the poll loop runs: commit answers arrive only then. */
  polling(): boolean;
  /** The client threw. */
  clientFailed(failure: unknown): void;
}

/** Handles the group's assignments and revokes. */
export class Rebalances {
  readonly #context: RebalancesContext;
  /** Assignments waiting for committed positions; revokes wait for them, so that unassign follows assign. */
  #assigning: Promise<void> | undefined;

  constructor(context: RebalancesContext) {
    this.#context = context;
  }

  /** A rebalance the client reported. */
  rebalanced(event: RebalanceEvent): void {
    if (event.kind === 'revoke') {
      void this.#revoke(event);
      return;
    }
    const { topics, client } = this.#context;
    // With startFrom 'latest', a topic created after the start is read from its beginning where the
    // group committed nothing: 'latest' means "from now", and all of that topic is newer than the start.
    const late = topics.late(event.partitions);
    if (late.length === 0 && this.#assigning === undefined) {
      this.#assign(event.partitions, event.partitions);
      return;
    }
    // Assignments stay in order, and the group waits for them (librdkafka expects the assign call).
    const assigning = (this.#assigning ?? Promise.resolve()).then(async () => {
      this.#assign(
        event.partitions,
        late.length === 0 ? event.partitions : await topics.positions(client, event.partitions, late),
      );
    });
    this.#assigning = assigning;
    void assigning.finally(() => {
      if (this.#assigning === assigning) this.#assigning = undefined;
    });
  }

  /** Takes newly assigned partitions (at the given start positions) and starts fetching from them. */
  #assign(partitions: readonly TopicPartition[], positions: readonly TopicPartition[]): void {
    const { client, table, ledger, topics, pauses, emit } = this.#context;
    const phase = this.#context.phase();
    if (phase === 'stopped') return;
    const leases = table.assign(partitions);
    for (const lease of leases) ledger.delete(lease.topic, lease.partition);
    topics.assigned(partitions);
    this.#call(() => {
      client.assign(positions);
    });
    // librdkafka keeps a partition's pause across unassign and assign: a partition paused before it was
    // revoked would come back paused, and never fetch. Every new lease starts in the state it should have.
    if (phase === 'stopping') {
      // Assigned while stop() drains (another member left): fetch nothing, hand it back at close.
      pauses.pause(leases, 'stopping');
      for (const lease of leases) lease.halted();
    } else {
      // Even under back-pressure: a new partition holds nothing yet.
      this.#call(() => {
        client.resume(partitions);
      });
    }
    if (partitions.length > 0) emit('assigned', partitions);
  }

  /**
   * Revoke: fetch nothing new, finish what was already fetched (running, waiting and retrying records)
   * within `drainTimeoutMs`, commit, then release. Lost: release at once, commit nothing.
   */
  async #revoke(event: RebalanceEvent): Promise<void> {
    // An assignment still waiting for its committed positions goes first: unassign follows assign.
    if (this.#assigning !== undefined) await this.#assigning;
    const { client, table, ledger, records, commits, emit, drainTimeoutMs } = this.#context;
    const leases = table.leasesOf(event.partitions);
    for (const lease of leases) lease.halted();
    const ofThese = (item: WorkItem): boolean => leases.includes(item.lease);
    // Commit answers arrive through the poll loop: once it ended (stop() is closing the client, and has
    // committed already), there is nothing left to drain or commit here.
    if (!event.lost && this.#context.polling()) {
      await settlesWithin(records.whenSettled(ofThese), drainTimeoutMs);
      records.drop(ofThese);
      for (const lease of leases) lease.aborted();
      const positions = leases.flatMap((lease) => commits.positionOf(lease));
      if (positions.length > 0) await commits.now(positions);
    } else {
      records.drop(ofThese);
    }
    table.release(leases);
    for (const lease of leases) ledger.delete(lease.topic, lease.partition);
    this.#call(() => {
      client.unassign(event.partitions);
    });
    if (event.partitions.length > 0) emit(event.lost ? 'lost' : 'revoked', event.partitions);
  }

  #call(call: () => void): void {
    try {
      call();
    } catch (failure) {
      this.#context.clientFailed(failure);
    }
  }
}
