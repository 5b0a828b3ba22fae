/**
 * Pausing and resuming partitions for a set of reasons: a partition fetches only while no reason holds
 * it, and `paused` and `resumed` report the partitions whose fetching actually stopped or started.
 */
import type { PauseReason } from '../consumer/events.js';
import type { TopicPartition } from '../types.js';
import type { Emit } from './emit.js';
import type { PartitionLease, PartitionTable } from './partition-table.js';

/** What pausing needs from the client. */
export interface PauseTarget {
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
}

/** Pauses and resumes leases for reasons, and tells the client when fetching must change. */
export class Pauses {
  readonly #client: PauseTarget;
  readonly #table: PartitionTable;
  readonly #emit: Emit;
  readonly #clientFailed: (failure: unknown) => void;

  /**
   * @param client - the consumer client
   * @param table - the owned partitions: only current leases reach the client
   * @param emit - reports `paused` and `resumed`
   * @param clientFailed - where a failure the client throws goes
   */
  constructor(
    client: PauseTarget,
    table: PartitionTable,
    emit: Emit,
    clientFailed: (failure: unknown) => void,
  ) {
    this.#client = client;
    this.#table = table;
    this.#emit = emit;
    this.#clientFailed = clientFailed;
  }

  /** Adds `reason` to the leases; those that were fetching stop. */
  pause(leases: readonly PartitionLease[], reason: PauseReason): void {
    const newly = leases.filter((lease) => {
      const fetching = lease.pausedFor.size === 0;
      lease.pausedFor.add(reason);
      // A draining lease may pause (it fetches nothing new) until it is released and unassigned.
      return fetching && this.#table.isCurrent(lease);
    });
    if (newly.length === 0) return;
    this.#call(() => {
      this.#client.pause(newly);
    });
    this.#emit('paused', coordinates(newly), reason);
  }

  /** Removes `reason` from the leases; those held by no other reason fetch again. */
  resume(leases: readonly PartitionLease[], reason: PauseReason): void {
    const ready = leases.filter((lease) => {
      const had = lease.pausedFor.delete(reason);
      return had && lease.pausedFor.size === 0 && this.#table.isCurrent(lease) && !lease.halt.aborted;
    });
    if (ready.length === 0) return;
    this.#call(() => {
      this.#client.resume(ready);
    });
    this.#emit('resumed', coordinates(ready), reason);
  }

  #call(call: () => void): void {
    try {
      call();
    } catch (failure) {
      this.#clientFailed(failure);
    }
  }
}

function coordinates(leases: readonly PartitionLease[]): TopicPartition[] {
  return leases.map(({ topic, partition }) => ({ topic, partition }));
}
