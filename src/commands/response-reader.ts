/**
 * One tenant's response reader: a consumer of `hono.command_response.<tenant>` in a group of its own
 * that starts at the end of each partition, as Hono's `KafkaBasedCommandSender` reads responses. It is
 * ready once the group handed it the topic's partitions and it assigned each at the high watermark that
 * the partition's leader reported: every response written after that is read, so a command may be
 * written once the reader is ready.
 */
import { settlesWithin } from '../deadline.js';
import type { ClientFailure, ClientMessage, RebalanceEvent } from '../engine/client.js';
import { toFailure } from '../engine/client.js';
import type { TopicPartition } from '../types.js';
import type {
  ReaderPosition,
  ResponseReaderClient,
  ResponseReaderListeners,
} from './response-reader-client.js';

/** Records read per poll. */
const pollBatch = 500;
/** How long a poll waits for the first record; also how soon the loop sees close(). */
const pollTimeoutMs = 100;
/** The pause after a failed poll or watermark query. */
const retryDelayMs = 200;
/** The longest a single watermark query may wait. */
const watermarkQueryMs = 5_000;

/** What a reader needs from its owner. */
export interface ResponseReaderInit {
  /** The tenant whose responses it reads. */
  readonly tenantId: string;
  /** `hono.command_response.<tenant>`. */
  readonly topic: string;
  /** Makes the client (with the listeners given). */
  readonly makeClient: (listeners: ResponseReaderListeners) => ResponseReaderClient;
  /** How long connecting and positioning may take before the reader fails. */
  readonly connectTimeoutMs: number;
  /** Receives every record read. */
  readonly onRecord: (record: ClientMessage) => void;
  /** Receives client failures: `fatal` ones (and a failed start) end the reader. */
  readonly onFailure: (failure: ClientFailure, fatal: boolean) => void;
  /** Whether a failure says that the topic does not exist (yet). */
  readonly isUnknownTopic: (failure: ClientFailure) => boolean;
  /** Detail for troubleshooting. */
  readonly debug: (message: string, context?: Record<string, unknown>) => void;
}

/** Where the reader is in its life. */
export type ResponseReaderState = 'starting' | 'ready' | 'failed' | 'closed';

/** The failure waiters get when the reader closed before it was ready. */
const closedFailure = (): ClientFailure => toFailure(new Error('the response reader was closed'));
const keyOf = (partition: TopicPartition): string => `${partition.topic}\u0000${String(partition.partition)}`;
const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** Reads one tenant's command responses from the position it had when it became ready. */
export class ResponseReader {
  readonly tenantId: string;
  readonly topic: string;
  readonly #init: ResponseReaderInit;
  /** Who waits for the reader to be ready: told once, with the failure if it never is. */
  readonly #waiters = new Set<(failure: ClientFailure | undefined) => void>();
  #failure: ClientFailure | undefined;
  #readyTimer: NodeJS.Timeout | undefined;
  readonly #client: ResponseReaderClient;
  /** The next offset to read of every partition ever assigned: where a partition assigned again resumes. */
  readonly #next = new Map<string, number>();
  #state: ResponseReaderState = 'starting';
  #rebalances: Promise<void> = Promise.resolve();
  #loop: Promise<void> = Promise.resolve();
  readonly #startedAt = Date.now();

  /**
   * Makes the client and starts connecting, subscribing and polling in the background.
   *
   * @param init - the tenant, the topic, the client factory and the callbacks
   * @throws what the client factory throws (a refused setting)
   */
  constructor(init: ResponseReaderInit) {
    this.#init = init;
    this.tenantId = init.tenantId;
    this.topic = init.topic;
    // A topic that does not exist (and that the brokers do not create) is never assigned: give up then.
    this.#readyTimer = setTimeout(() => {
      this.#fail(
        toFailure(
          new Error(
            `no partition of ${init.topic} was assigned within ${String(init.connectTimeoutMs)} ms (does the topic exist?)`,
          ),
        ),
      );
    }, init.connectTimeoutMs);
    this.#client = init.makeClient({
      rebalance: (event) => {
        this.#rebalances = this.#rebalances.then(() => this.#rebalance(event));
      },
      clientError: (failure) => {
        if (failure.isFatal) this.#fail(failure);
        else this.#report(failure);
      },
    });
    this.#loop = this.#run();
  }

  /** Where the reader is in its life. */
  get state(): ResponseReaderState {
    return this.#state;
  }

  /**
   * Tells `listener` once when the reader is ready (`undefined`) or has failed or closed (the failure),
   * at once if it is already.
   *
   * @param listener - what to tell
   * @returns a function that stops waiting (a caller that gave up must not stay referenced)
   */
  whenReady(listener: (failure: ClientFailure | undefined) => void): () => void {
    if (this.#state !== 'starting') {
      listener(this.#state === 'ready' ? undefined : (this.#failure ?? closedFailure()));
      return () => undefined;
    }
    this.#waiters.add(listener);
    return () => {
      this.#waiters.delete(listener);
    };
  }

  /** Tells the waiters and forgets them. */
  #settle(failure: ClientFailure | undefined): void {
    clearTimeout(this.#readyTimer);
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) waiter(failure);
  }

  /**
   * Stops polling and closes the client.
   *
   * @param timeoutMs - how long closing may take
   * @returns whether the client closed in time
   */
  async close(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const wasStarting = this.#state === 'starting';
    this.#state = 'closed';
    if (wasStarting) this.#settle(closedFailure());
    // The loop ends within one poll; a client that does not answer is closed anyway at the deadline.
    // settlesWithin clears its timer: a bare race with a delay kept the process alive for the whole
    // closeTimeoutMs after close() returned.
    await settlesWithin(this.#loop, Math.max(0, deadline - Date.now()));
    return this.#client.disconnect(Math.max(1, deadline - Date.now()));
  }

  #fail(failure: ClientFailure): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    const wasStarting = this.#state === 'starting';
    this.#state = 'failed';
    this.#failure = failure;
    if (wasStarting) this.#settle(failure);
    this.#init.onFailure(failure, true);
  }

  /**
   * A failure that is not fatal. While the reader starts, its topic may not exist yet: the reader had the
   * broker make it (see `requestTopic`), and the subscription reports it missing until the group sees
   * it; that is expected, and only debug detail.
   */
  #report(failure: ClientFailure): void {
    if (this.#state === 'starting' && this.#init.isUnknownTopic(failure)) {
      this.#init.debug('response topic not there yet', { topic: this.topic, error: failure.message });
      return;
    }
    this.#init.onFailure(failure, false);
  }

  #isStopped(): boolean {
    return this.#state === 'closed' || this.#state === 'failed';
  }

  async #run(): Promise<void> {
    try {
      await this.#client.connect(this.#init.connectTimeoutMs);
    } catch (error) {
      this.#fail(toFailure(error));
      return;
    }
    if (this.#isStopped()) return;
    // A tenant whose devices never answered a command has no response topic yet: have it made first.
    await this.#client.requestTopic(this.topic, this.#init.connectTimeoutMs);
    if (this.#isStopped()) return;
    this.#client.subscribe(this.topic);
    this.#init.debug('response reader subscribed', { tenantId: this.tenantId, topic: this.topic });
    while (!this.#isStopped()) {
      let records: ClientMessage[];
      try {
        records = await this.#client.poll(pollBatch, pollTimeoutMs);
      } catch (error) {
        const failure = toFailure(error);
        if (failure.isFatal) this.#fail(failure);
        else {
          this.#report(failure);
          await delay(retryDelayMs);
        }
        continue;
      }
      for (const record of records) {
        this.#next.set(keyOf(record), record.offset + 1);
        this.#init.onRecord(record);
      }
    }
  }

  async #rebalance(event: RebalanceEvent): Promise<void> {
    if (event.kind === 'revoke') {
      // Also while closing: librdkafka's close waits for the revoke it hands out to be answered.
      this.#client.unassign(event.partitions);
      return;
    }
    if (this.#isStopped()) return;
    let positions: ReaderPosition[];
    try {
      positions = await Promise.all(event.partitions.map((partition) => this.#positionOf(partition)));
    } catch (error) {
      this.#fail(toFailure(error));
      return;
    }
    if (this.#isStopped()) return;
    this.#client.assign(positions);
    for (const position of positions) {
      if (typeof position.offset === 'number') this.#next.set(keyOf(position), position.offset);
    }
    this.#init.debug('response reader assigned', { tenantId: this.tenantId, positions });
    if (this.#state === 'starting' && positions.length > 0) {
      this.#state = 'ready';
      this.#settle(undefined);
    }
  }

  /**
   * Where a partition starts: where it stopped when it was assigned before; at its high watermark while
   * the reader gets ready (no command was written before); at its first record when it appeared later
   * (a partition added to the topic, or a topic created after the subscription).
   */
  async #positionOf(partition: TopicPartition): Promise<ReaderPosition> {
    const known = this.#next.get(keyOf(partition));
    if (known !== undefined) return { ...partition, offset: known };
    if (this.#state === 'ready') return { ...partition, offset: 'beginning' };
    const deadline = this.#startedAt + this.#init.connectTimeoutMs;
    for (;;) {
      const timeoutMs = Math.max(1, Math.min(watermarkQueryMs, deadline - Date.now()));
      try {
        return {
          ...partition,
          offset: await this.#client.highWatermark(partition.topic, partition.partition, timeoutMs),
        };
      } catch (error) {
        if (this.#isStopped() || Date.now() + retryDelayMs >= deadline) throw error;
        this.#init.onFailure(toFailure(error), false);
        await delay(retryDelayMs);
      }
    }
  }
}
