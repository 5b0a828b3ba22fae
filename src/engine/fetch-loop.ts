/**
 * The poll loop and its back-pressure. The loop polls the client without pause while the engine runs
 * (rebalances and commit answers arrive during polls, so it goes on while handlers run), hands each
 * record to the engine, and bounds what is held in two ways:
 * - `maxUncommitted` per partition: a partition whose fetching ran that far ahead of its committable
 *   position pauses (`backlog`) until half of that distance is left, which bounds the replay after a
 *   crash;
 * - `maxInFlight` in all: when that many records are held and the handlers make no room, the partitions
 *   holding the most pause (`backpressure`), so that a partition whose backlog does not shrink stops
 *   only itself.
 */
import { settlesWithin } from '../deadline.js';
import type { ResolvedOptions } from '../consumer/options.js';
import type { OffsetLedger } from '../offsets/offset-ledger.js';
import type { ClientMessage } from './client.js';
import type { PartitionLease, PartitionTable } from './partition-table.js';
import type { Pauses } from './pauses.js';

const pollTimeoutMs = 100;
/**
 * How long the poll loop waits for room, without polling, before it pauses the partitions: rebalances
 * and commit answers wait at most this long meanwhile.
 */
const backpressurePatienceMs = 1_000;

/** What the loop needs to know of the records held. */
export interface HeldRecords {
  /** Records held: running, waiting or queued. */
  readonly size: number;
  /** Resolves once at most `size` records are held. */
  whenSizeAtMost(size: number): Promise<void>;
}

/** What the poll loop needs from the engine around it. */
export interface FetchLoopContext {
  readonly options: Pick<ResolvedOptions, 'maxInFlight' | 'batchSize' | 'maxUncommitted' | 'logger'>;
  poll(max: number, timeoutMs: number): Promise<ClientMessage[]>;
  readonly table: PartitionTable;
  readonly ledger: OffsetLedger;
  readonly held: HeldRecords;
  readonly pauses: Pauses;
  /** Takes a fetched record. */
  accept(message: ClientMessage): void;
  /** The client threw. */
  clientFailed(failure: unknown): void;
  /** Records arrived: the brokers answer. */
  answered(): void;
  /** A poll delivered these records (for the observer). */
  fetched(messages: readonly ClientMessage[]): void;
}

/** The poll loop. */
export class FetchLoop {
  readonly #context: FetchLoopContext;
  #polling = false;
  #loop: Promise<void> = Promise.resolve();
  #backpressure = false;
  #lastPollAt: Date | undefined;

  constructor(context: FetchLoopContext) {
    this.#context = context;
  }

  /** Whether the loop runs (commit answers and rebalances are served only then). */
  get polling(): boolean {
    return this.#polling;
  }

  /** When the last poll returned. */
  get lastPollAt(): Date | undefined {
    return this.#lastPollAt;
  }

  /** Starts the loop. */
  start(): void {
    this.#polling = true;
    this.#loop = this.#run();
  }

  /**
   * Ends the loop after its current poll.
   *
   * @returns the loop's end
   */
  stop(): Promise<void> {
    this.#polling = false;
    return this.#loop;
  }

  async #run(): Promise<void> {
    const context = this.#context;
    const { maxInFlight, batchSize } = context.options;
    while (this.#polling) {
      const backlogRoom = this.#limitBacklog();
      if (!this.#backpressure && this.#held() >= maxInFlight && (await this.#stillFull())) {
        // Handlers make no room: the partitions holding the most pause (see #balance), and polling goes on
        // so that rebalances and commit answers are served.
        this.#backpressure = true;
      }
      const room = Math.min(backlogRoom, this.#backpressure ? this.#balance() : maxInFlight - this.#held());
      let messages: ClientMessage[] = [];
      try {
        messages = await context.poll(Math.max(1, Math.min(batchSize, room)), pollTimeoutMs);
      } catch (failure) {
        context.clientFailed(failure);
        await new Promise((resolve) => setTimeout(resolve, pollTimeoutMs));
      }
      this.#lastPollAt = new Date();
      if (messages.length > 0) {
        context.answered();
        context.fetched(messages);
      }
      for (const message of messages) {
        try {
          context.accept(message);
        } catch (error) {
          // Never let one record end the poll loop; the record stays uncommitted.
          context.options.logger.error('a fetched record could not be scheduled', {
            error,
            offset: message.offset,
          });
        }
      }
      if (this.#backpressure && this.#held() <= maxInFlight / 2) {
        this.#backpressure = false;
        context.pauses.resume(context.table.all(), 'backpressure');
      }
    }
  }

  /** Records fetched and not finished in a lease's partition (those handled at most once included). */
  #holds(lease: PartitionLease): number {
    return (this.#context.ledger.get(lease.topic, lease.partition)?.pending ?? 0) + lease.unhandledAtMostOnce;
  }

  /**
   * The records that count against `maxInFlight`: all held records but those of partitions paused for
   * a failure or for their backlog. Those wait behind a record that fails or is slow, fetch nothing,
   * and hold at most `maxUncommitted` each: counting them would stop every other partition too.
   */
  #held(): number {
    let blocked = 0;
    for (const lease of this.#context.table.all()) {
      if (lease.pausedFor.has('failure') || lease.pausedFor.has('backlog')) blocked += this.#holds(lease);
    }
    return this.#context.held.size - blocked;
  }

  /**
   * Under back-pressure, shares `maxInFlight` among the owned partitions: a partition holding its share
   * (`maxInFlight` / partitions) or more pauses, one paused for it resumes at half its share, and the
   * others go on fetching up to their share. So a partition whose backlog does not shrink (a slow or
   * failing device, a chatty one catching up) stops only itself.
   *
   * @returns how many records the next poll may take, so that no fetching partition passes its share
   */
  #balance(): number {
    const { table, pauses, options } = this.#context;
    const leases = table.all().filter((lease) => !lease.halt.aborted);
    const share = Math.max(1, Math.floor(options.maxInFlight / Math.max(1, leases.length)));
    pauses.pause(
      leases.filter((lease) => this.#holds(lease) >= share),
      'backpressure',
    );
    pauses.resume(
      leases.filter((lease) => lease.pausedFor.has('backpressure') && this.#holds(lease) <= share / 2),
      'backpressure',
    );
    let room = share;
    for (const lease of leases) {
      if (lease.pausedFor.size === 0) room = Math.min(room, share - this.#holds(lease));
    }
    return room;
  }

  /**
   * Keeps each partition's fetching within `maxUncommitted` offsets of its committable position: pauses
   * a partition at the bound (`backlog`) and resumes it at half. Also pauses partitions that a revoke
   * drains (`stopping`): their records would only be dropped. librdkafka drops a paused partition's
   * prefetched records and fetches again from the record after the last one polled, so nothing is
   * skipped, and nothing is delivered twice.
   *
   * @returns how many records the next poll may take, so that no fetching partition passes the bound
   *   (a poll may return them all from one partition)
   */
  #limitBacklog(): number {
    const { table, ledger, pauses, options } = this.#context;
    const bound = options.maxUncommitted;
    // Records handled at most once count until their handler finished: a crash loses them.
    const ahead = (lease: PartitionLease): number =>
      (ledger.get(lease.topic, lease.partition)?.uncommitted ?? 0) + lease.unhandledAtMostOnce;
    const leases = table.all();
    pauses.pause(
      leases.filter((lease) => lease.halt.aborted && lease.pausedFor.size === 0),
      'stopping',
    );
    const live = leases.filter((lease) => !lease.halt.aborted);
    pauses.pause(
      live.filter((lease) => ahead(lease) >= bound),
      'backlog',
    );
    pauses.resume(
      live.filter((lease) => lease.pausedFor.has('backlog') && ahead(lease) <= bound / 2),
      'backlog',
    );
    let room = bound;
    for (const lease of live) if (lease.pausedFor.size === 0) room = Math.min(room, bound - ahead(lease));
    return room;
  }

  /**
   * `maxInFlight` records are held. Pausing would throw away what the client fetched ahead (librdkafka
   * empties a paused partition's queue, and a resumed partition takes up to a second to fetch again), so
   * the loop first waits, without polling, for the handlers to free half of the room; the client's own
   * limits (`queued.min.messages`, `queued.max.messages.kbytes`) stop its fetching meanwhile.
   *
   * @returns true when the handlers made no room within {@link backpressurePatienceMs}: time to pause
   */
  async #stillFull(): Promise<boolean> {
    const { held, options } = this.#context;
    const blocked = held.size - this.#held();
    const room = held.whenSizeAtMost(options.maxInFlight / 2 + blocked);
    return !(await settlesWithin(room, backpressurePatienceMs)) && this.#polling;
  }
}
