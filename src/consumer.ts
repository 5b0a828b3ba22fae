/**
 * `HonoEventConsumer`: joins a consumer group on `hono.event.<tenant>`, decodes every record into a
 * typed Hono event, runs the application's handler, and commits a position only after the handler for
 * that record, and for every earlier record of its partition, has resolved.
 */
import { EventEmitter } from 'eventemitter3';
import { Committer } from './consumer/committer.js';
import { settlesWithin } from './deadline.js';
import { clientError, commitError, connectError, deadLetterRecord, scrub } from './consumer/client-errors.js';
import { type PartitionLease, PartitionTable } from './consumer/partition-table.js';
import { TopicWatch } from './consumer/topic-watch.js';
import type { HonoEventConsumerEvents, PauseReason } from './consumer-events.js';
import {
  DecodeError,
  DecodeErrorCode,
  type KafkaClientError,
  type OptionProblem,
  OptionsError,
  StateError,
} from './errors.js';
import { type HonoEventHandlers, validateHandlers } from './handlers.js';
import {
  type ClientFailure,
  type ClientMessage,
  clientCodes,
  RdkafkaConsumer,
  type RebalanceEvent,
  toClientFailure,
} from './kafka/rdkafka-consumer.js';
import type { TopicPartition, TopicPartitionOffset } from './types.js';
import { RdkafkaProducer } from './kafka/rdkafka-producer.js';
import { OffsetLedger } from './offsets/offset-ledger.js';
import {
  type HonoEventConsumerOptions,
  kafkaDefaults,
  redactSettings,
  type ResolvedOptions,
  resolveOptions,
  secretValues,
} from './options.js';
import { HandlerTimeouts } from './processing/handler-timeouts.js';
import { type Outcome, processRecord, type ProcessorContext } from './processing/process-record.js';
import type { WorkItem } from './processing/work-item.js';
import { AbandonedKeys } from './processing/abandoned-keys.js';
import { KeyedScheduler, type Slot } from './scheduling/keyed-scheduler.js';
import { orderingKey } from './scheduling/ordering.js';
import { decodeEvent } from './wire/decode.js';

/**
 * Where the consumer is in its life: `idle` before {@link HonoEventConsumer.run}, `starting` while
 * `run()` connects, `running`, `stopping` while {@link HonoEventConsumer.stop} drains and closes,
 * `stopped`, or `failed` when `run()` could not connect. A consumer runs once: after `failed` or
 * `stopped`, create a new one.
 *
 * @category Consumer
 */
export type ConsumerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/**
 * An owned partition's position and lag, for monitoring.
 *
 * @category Consumer
 */
export interface PartitionHealth extends TopicPartition {
  /**
   * The position that would be committed now (the next offset to read): the lowest fetched record not
   * finished yet, or the last fetched one + 1. `undefined` until a record was fetched since the
   * partition was assigned.
   */
  readonly committable: number | undefined;
  /** The last position the broker confirmed since the partition was assigned to this consumer. */
  readonly committed: number | undefined;
  /**
   * Records between {@link PartitionHealth.committable} (or {@link PartitionHealth.committed}) and the
   * partition's end, as far as the client knows the end. `undefined` while either is unknown, e.g.
   * before the first record was fetched.
   */
  readonly lag: number | undefined;
  /** Why fetching is paused; empty while the partition fetches. */
  readonly pausedFor: readonly PauseReason[];
}

/**
 * A snapshot for readiness and liveness probes.
 *
 * @category Consumer
 */
export interface HealthSnapshot {
  /** Where the consumer is in its life. */
  readonly state: ConsumerState;
  /**
   * Running or stopping, the client is connected, and the brokers answered at the last contact: `false`
   * from an "all brokers down" report until the next fetched record or confirmed commit.
   */
  readonly connected: boolean;
  /** Owned partitions with their positions. */
  readonly partitions: readonly PartitionHealth[];
  /**
   * Records being handled now, retries and the waits between them included. At most `concurrency` of
   * them run a handler: a record waiting for its retry delay or paused for failure holds no handler slot.
   */
  readonly inFlight: number;
  /** Records fetched and waiting for their turn (device or partition order, or a free handler slot). */
  readonly buffered: number;
  /** When the poll loop last returned (it runs while handlers run). */
  readonly lastPollAt: Date | undefined;
  /** When the broker last confirmed a commit. */
  readonly lastCommitAt: Date | undefined;
}

/**
 * What is wrong with one pass-through setting, from librdkafka's message (the value is shown unless the
 * setting is a secret).
 */
function settingProblem(key: string, value: unknown, message: string): string {
  if (/no such configuration property/i.test(message)) {
    return `is not a librdkafka setting (${message}); see https://github.com/confluentinc/librdkafka/blob/master/CONFIGURATION.md`;
  }
  // librdkafka quotes some values, not all (and its text is scrubbed of secrets already).
  const shown = JSON.stringify(redactSettings({ [key]: value })[key]);
  return `has a value librdkafka refuses (${message})${message.includes(String(value)) ? '' : `; got ${shown}`}`;
}

const pollTimeoutMs = 100;
/**
 * How long the poll loop waits for room, without polling, before it pauses the partitions: rebalances
 * and commit answers wait at most this long meanwhile.
 */
const backpressurePatienceMs = 1_000;
const commitAnswerTimeoutMs = 10_000;
/** Between the tries of the last commit of `stop()`. */
const finalCommitRetryMs = 250;
/** The same client failure is logged at most this often (it is emitted as `error` every time). */
const clientErrorRepeatMs = 5 * 60_000;
/** While brokers are down, how often a metadata request checks whether they are back. */
const brokerProbeIntervalMs = 2_000;

/**
 * An at-least-once consumer of Hono events: joins a consumer group on the tenants' `hono.event.<tenant>`
 * topics, decodes each record, runs the matching handler and commits a position only after the handlers
 * of that record and of every earlier record of its partition resolved.
 *
 * It is an `EventEmitter` (eventemitter3) with the typed events of {@link HonoEventConsumerEvents}. A
 * consumer runs once: {@link HonoEventConsumer.run}, then {@link HonoEventConsumer.stop}.
 *
 * @example
 * ```ts
 * const consumer = new HonoEventConsumer({ brokers: '127.0.0.1:9092', tenant: 'DEFAULT_TENANT', groupId: 'my-app' });
 * consumer.on('committed', (offsets) => console.log('committed', offsets));
 * await consumer.run({
 *   connection: async (event) => { console.log(event.deviceId, event.cause); },
 *   event: async (event) => { await save(event); },
 * });
 * process.once('SIGTERM', () => void consumer.stop());
 * ```
 * @category Consumer
 */
export class HonoEventConsumer extends EventEmitter<HonoEventConsumerEvents> {
  readonly #options: ResolvedOptions;
  readonly #secrets: readonly string[];
  readonly #table = new PartitionTable();
  readonly #ledger = new OffsetLedger();
  readonly #scheduler: KeyedScheduler<WorkItem>;
  /** Keys that must not run again in their lease: a record of theirs was abandoned (issue 12 defect 3). */
  readonly #abandoned = new AbandonedKeys();
  #client: RdkafkaConsumer | undefined;
  #committer: Committer | undefined;
  #deadLetters: RdkafkaProducer | undefined;
  #processor: ProcessorContext | undefined;
  #state: ConsumerState = 'idle';
  #polling = false;
  #pollLoop: Promise<void> = Promise.resolve();
  #timers: NodeJS.Timeout[] = [];
  #stopping: Promise<void> | undefined;
  #backpressure = false;
  #brokersDown = false;
  #brokerProbe: NodeJS.Timeout | undefined;
  #lastPollAt: Date | undefined;
  #lastCommitAt: Date | undefined;
  #startupFailures: ClientFailure[] = [];
  #starting: Promise<void> | undefined;
  readonly #topics: TopicWatch;
  /** When each client failure (code and message) was last logged. */
  readonly #clientErrorsLogged = new Map<string, number>();
  /** Assignments waiting for committed positions; revokes wait for them, so that unassign follows assign. */
  #assigning: Promise<void> | undefined;

  /**
   * Validates the options and applies the defaults; connects nothing yet.
   *
   * @param options - brokers, tenant(s), group and processing settings
   * @throws {@link OptionsError} listing every bad option, including invalid tenant ids, librdkafka
   *   settings that the SDK sets itself, and names and values librdkafka refuses (`kafka.<name>`)
   */
  constructor(options: HonoEventConsumerOptions) {
    super();
    this.#options = resolveOptions(options);
    this.#secrets = secretValues(this.#options.kafka);
    // librdkafka checks the pass-through settings when the client object is made: an unknown name or a bad
    // value is an options problem, reported here. The object connects nothing and holds no thread or
    // socket until run() (measured: none), so a consumer that never runs leaks nothing.
    [this.#client, this.#deadLetters] = this.#createClients();
    this.#topics = new TopicWatch(
      this.#options,
      Number(this.#clientSettings()['topic.metadata.refresh.interval.ms']),
      RdkafkaConsumer.beginning,
    );
    this.#scheduler = new KeyedScheduler<WorkItem>({
      concurrency: this.#options.concurrency,
      run: (item, key, slot) => this.#process(item, key, slot),
      onUnexpectedError: (error) => {
        this.#options.logger.error('unexpected error in record processing', { error });
      },
    });
  }

  /** Where the consumer is in its life (see {@link ConsumerState}). */
  get state(): ConsumerState {
    return this.#state;
  }

  /**
   * Connects, subscribes to the tenants' topics and starts consuming. Resolves once the consumer runs;
   * records are then handled in the background until {@link HonoEventConsumer.stop} is called. With
   * `onFailure: 'deadLetter'` it also connects the dead-letter producer.
   *
   * @param handlers - the application's handlers
   * @returns a promise that resolves once the consumer is subscribed (state `running`)
   * @throws {@link StateError} when `run()` was called before, or `stop()` was called first
   * @throws {@link OptionsError} when `handlers` is not an object of handler functions with at least one
   *   handler (`handlers.<name>: problem`, e.g. a misspelled name); nothing started, the state stays
   *   `idle`, and `run()` may be called again
   * @throws {@link KafkaClientError} when no broker answered within `connectTimeoutMs`
   *   (`ERR_HONO_BROKERS_DOWN`), the broker's certificate was rejected (`ERR_HONO_TLS`), the login was
   *   refused (`ERR_HONO_AUTHENTICATION`), the listener speaks another protocol
   *   (`ERR_HONO_PROTOCOL_MISMATCH`) or the client failed otherwise; the state is then `failed`. The
   *   message names the bootstrap servers, the likely cause and what to do. A rejected certificate or
   *   login and a protocol mismatch fail at once, without waiting for `connectTimeoutMs`.
   */
  async run(handlers: HonoEventHandlers): Promise<void> {
    if (this.#state !== 'idle') {
      throw new StateError(
        this.#stopping === undefined
          ? `run() was already called (state: ${this.#state})`
          : `run() after stop() (state: ${this.#state}): a consumer runs once; create a new one`,
      );
    }
    // Checked before anything starts: bad handlers leave the consumer idle, to run() again with good ones.
    validateHandlers(handlers);
    this.#state = 'starting';
    this.#starting = this.#start(handlers);
    await this.#starting;
  }

  async #start(handlers: HonoEventHandlers): Promise<void> {
    const options = this.#options;
    const client = this.#clientOrThrow();
    this.#committer = new Committer(client);
    this.#processor = this.#processorContext(handlers);
    try {
      await client.connect(options.connectTimeoutMs);
      await this.#deadLetters?.connect(options.connectTimeoutMs);
    } catch (failure) {
      // Error events queued during connect() arrive right after it returned: give them a moment.
      await new Promise((resolve) => setTimeout(resolve, 50));
      this.#state = 'failed';
      await client.disconnect(1000);
      throw connectError(failure as ClientFailure, this.#startupFailures, this.#secrets, options.brokers);
    }
    try {
      client.subscribe(options.topics);
    } catch (failure) {
      this.#state = 'failed';
      await client.disconnect(1000);
      await this.#deadLetters?.disconnect(1000);
      throw clientError(toClientFailure(failure), this.#secrets, []);
    }
    // Before the first poll, so that the first assignment already knows which topics appear later.
    await this.#topics.check(client, false);
    this.#state = 'running';
    this.#polling = true;
    this.#pollLoop = this.#poll();
    this.#timers = [
      setInterval(() => void this.#commit(false), options.commitIntervalMs),
      setInterval(() => void this.#commit(true), options.recommitIntervalMs),
    ];
    options.logger.info('consumer started', { topics: options.topics, groupId: options.groupId });
    this.emit('started');
  }

  /**
   * Stops: no new records, running handlers drain (up to `drainTimeoutMs`), finished positions are
   * committed, the group is left and the clients closed. Safe to call more than once, from a signal
   * handler, and during a rebalance: every call returns the same promise.
   *
   * It resolves within `drainTimeoutMs + closeTimeoutMs` (25 s with the defaults, inside Kubernetes'
   * 30 s grace period), even when the brokers do not answer: after the drain, the last commit (tried
   * again for up to three quarters of `closeTimeoutMs`), leaving the group and closing the Kafka client and the
   * dead-letter producer share one deadline of `closeTimeoutMs`. A commit or close not done by then is
   * given up (the close goes on in the background, and `warn` says so): the records after the last
   * confirmed commit are handled again by the partition's next owner. Called during `run()`, it first
   * waits for `run()` to finish (up to `connectTimeoutMs`); the bound counts from then.
   *
   * @returns a promise that resolves once the consumer is `stopped`, after the `stopped` event
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  /**
   * A snapshot for readiness and liveness probes: state, connection, partitions with positions and lag,
   * and the work held.
   *
   * @returns a new snapshot; it does not change afterwards
   * @example
   * ```ts
   * const health = consumer.health();
   * const ready = health.state === 'running' && health.connected;
   * const lag = health.partitions.reduce((sum, partition) => sum + (partition.lag ?? 0), 0);
   * ```
   */
  health(): HealthSnapshot {
    const client = this.#client;
    return {
      state: this.#state,
      // Not before run() reached a broker: the client counts itself connected while it still tries.
      connected:
        (this.#state === 'running' || this.#state === 'stopping') &&
        client?.connected === true &&
        !this.#brokersDown,
      partitions: this.#table.all().map((lease) => {
        const offsets = this.#ledger.get(lease.topic, lease.partition);
        const high = client?.highWatermark(lease.topic, lease.partition);
        const position = offsets?.committable ?? offsets?.committed;
        return {
          topic: lease.topic,
          partition: lease.partition,
          committable: offsets?.committable,
          committed: offsets?.committed,
          lag:
            high === undefined || high < 0 || position === undefined
              ? undefined
              : Math.max(0, high - position),
          pausedFor: [...lease.pausedFor],
        };
      }),
      inFlight: this.#scheduler.running + this.#scheduler.idle,
      buffered: this.#scheduler.queued,
      lastPollAt: this.#lastPollAt,
      lastCommitAt: this.#lastCommitAt,
    };
  }

  /**
   * Makes the Kafka client (and, with `onFailure: 'deadLetter'`, the dead-letter producer) without
   * connecting them; librdkafka validates the settings here.
   *
   * @throws {@link OptionsError} naming each setting librdkafka refuses (`kafka.<name>`), secrets scrubbed
   */
  #createClients(): [RdkafkaConsumer, RdkafkaProducer | undefined] {
    const options = this.#options;
    try {
      const client = new RdkafkaConsumer(this.#clientSettings(), {
        rebalance: (event) => {
          this.#onRebalance(event);
        },
        commitResult: (failure, offsets) => {
          this.#onCommitResult(failure, offsets);
        },
        clientError: (failure) => {
          this.#onClientError(failure);
        },
      });
      const deadLetters =
        options.onFailure === 'deadLetter'
          ? new RdkafkaProducer({ ...this.#commonSettings(), 'client.id': `${options.clientId}-dlq` })
          : undefined;
      return [client, deadLetters];
    } catch (error) {
      throw new OptionsError(this.#settingProblems(error));
    }
  }

  /**
   * Which pass-through settings librdkafka refuses: each is tried alone on a throwaway client object (no
   * connection, no thread), so that one error names them all; when none fails alone, the combination does.
   */
  #settingProblems(error: unknown): OptionProblem[] {
    const text = (failure: unknown): string =>
      scrub(failure instanceof Error ? failure.message : String(failure), this.#secrets);
    const ignore = (): void => undefined;
    const problems = Object.entries(this.#options.kafka).flatMap(([key, value]): OptionProblem[] => {
      try {
        // Made for its constructor's check only; it holds nothing to release.
        new RdkafkaConsumer(
          { 'bootstrap.servers': 'localhost:9092', 'group.id': 'settings-check', [key]: value },
          { rebalance: ignore, commitResult: ignore, clientError: ignore },
        );
        return [];
      } catch (failure) {
        return [{ path: `kafka.${key}`, message: settingProblem(key, value, text(failure)) }];
      }
    });
    return problems.length > 0 ? problems : [{ path: 'kafka', message: text(error) }];
  }

  #clientOrThrow(): RdkafkaConsumer {
    if (this.#client === undefined) throw new StateError('the Kafka client was not created');
    return this.#client;
  }

  #commonSettings(): Record<string, string | number | boolean> {
    return { ...this.#options.kafka, 'bootstrap.servers': this.#options.brokers };
  }

  #clientSettings(): Record<string, string | number | boolean> {
    const options = this.#options;
    const protocol =
      options.groupProtocol === 'consumer'
        ? { 'group.protocol': 'consumer' }
        : { 'partition.assignment.strategy': 'cooperative-sticky' };
    // The application's pass-through settings first: the SDK's own keys always win.
    return {
      'client.id': options.clientId,
      ...kafkaDefaults,
      ...this.#commonSettings(),
      'auto.offset.reset': options.startFrom,
      'enable.partition.eof': false,
      ...protocol,
      'group.id': options.groupId,
    };
  }

  #processorContext(handlers: HonoEventHandlers): ProcessorContext {
    return {
      handlers,
      options: this.#options,
      emit: (name, ...args) => {
        this.#emitSafely(name, ...args);
      },
      pauseForFailure: (item, error) => {
        item.lease.failureStarted();
        this.#pause([item.lease], 'failure');
        this.#emitSafely('error', error);
      },
      resumeAfterFailure: (item) => {
        // Paused while any record of the partition fails: the last one to succeed resumes it.
        if (item.lease.failureEnded()) this.#resume([item.lease], 'failure');
      },
      deadLetter: async (item, error, attempts) => {
        if (this.#deadLetters === undefined || this.#options.deadLetterTopic === undefined) {
          throw new StateError('no dead-letter producer');
        }
        try {
          await this.#deadLetters.send(
            deadLetterRecord(item.record, this.#options.deadLetterTopic, error, attempts),
          );
        } catch (failure) {
          throw clientError(failure as ClientFailure, this.#secrets, [], 'deadLetter');
        }
      },
      now: Date.now,
      timeouts: new HandlerTimeouts(this.#options.handlerTimeoutMs),
    };
  }

  async #poll(): Promise<void> {
    const client = this.#client;
    if (client === undefined) return;
    const { maxInFlight, batchSize } = this.#options;
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
        messages = await client.poll(Math.max(1, Math.min(batchSize, room)), pollTimeoutMs);
      } catch (failure) {
        this.#onClientError(failure as ClientFailure);
        await new Promise((resolve) => setTimeout(resolve, pollTimeoutMs));
      }
      this.#lastPollAt = new Date();
      if (messages.length > 0) this.#brokersDown = false;
      for (const message of messages) {
        try {
          this.#accept(message);
        } catch (error) {
          // Never let one record end the poll loop; the record stays uncommitted.
          this.#options.logger.error('a fetched record could not be scheduled', {
            error,
            offset: message.offset,
          });
        }
      }
      if (this.#backpressure && this.#held() <= maxInFlight / 2) {
        this.#backpressure = false;
        this.#resume(this.#table.all(), 'backpressure');
      }
    }
  }

  /**
   * The records that count against `maxInFlight`: all held records but those of partitions paused for
   * a failure or for their backlog. Those wait behind a record that fails or is slow, fetch nothing,
   * and hold at most `maxUncommitted` each: counting them would stop every other partition too.
   */
  #held(): number {
    let blocked = 0;
    for (const lease of this.#table.all()) {
      if (lease.pausedFor.has('failure') || lease.pausedFor.has('backlog')) {
        blocked += this.#ledger.get(lease.topic, lease.partition)?.pending ?? 0;
      }
    }
    return this.#scheduler.size - blocked;
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
    const leases = this.#table.all().filter((lease) => !lease.halt.aborted);
    const share = Math.max(1, Math.floor(this.#options.maxInFlight / Math.max(1, leases.length)));
    const holds = (lease: PartitionLease): number =>
      this.#ledger.get(lease.topic, lease.partition)?.pending ?? 0;
    this.#pause(
      leases.filter((lease) => holds(lease) >= share),
      'backpressure',
    );
    this.#resume(
      leases.filter((lease) => lease.pausedFor.has('backpressure') && holds(lease) <= share / 2),
      'backpressure',
    );
    let room = share;
    for (const lease of leases) if (lease.pausedFor.size === 0) room = Math.min(room, share - holds(lease));
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
    const bound = this.#options.maxUncommitted;
    const ahead = (lease: PartitionLease): number =>
      this.#ledger.get(lease.topic, lease.partition)?.uncommitted ?? 0;
    const leases = this.#table.all();
    this.#pause(
      leases.filter((lease) => lease.halt.aborted && lease.pausedFor.size === 0),
      'stopping',
    );
    const live = leases.filter((lease) => !lease.halt.aborted);
    this.#pause(
      live.filter((lease) => ahead(lease) >= bound),
      'backlog',
    );
    this.#resume(
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
    const blocked = this.#scheduler.size - this.#held();
    const room = this.#scheduler.whenSizeAtMost(this.#options.maxInFlight / 2 + blocked);
    return !(await settlesWithin(room, backpressurePatienceMs)) && this.#polling;
  }

  #accept(message: ClientMessage): void {
    const { topic, partition, offset } = message;
    const lease = this.#table.get(topic, partition);
    // Records of partitions being drained or already released are dropped: their next owner reads them.
    if (lease === undefined || lease.halt.aborted) return;
    const offsets = this.#ledger.ensure(topic, partition);
    // A record at or below one already taken in this ownership period is being (or was) handled.
    const last = offsets.lastTracked;
    if (last !== undefined && offset <= last) return;
    offsets.track(offset);
    let decoded: WorkItem['decoded'];
    try {
      decoded = decodeEvent(message);
    } catch (error) {
      decoded =
        error instanceof DecodeError
          ? error
          : new DecodeError(DecodeErrorCode.MalformedRecord, 'the record could not be decoded', message, {
              cause: error,
            });
    }
    const deviceId = decoded instanceof DecodeError ? message.key?.toString() : decoded.deviceId;
    const key = orderingKey(this.#options.ordering, { topic, partition, offset, deviceId });
    this.#scheduler.push(key, { record: message, decoded, lease });
  }

  /**
   * Handles a record. A record whose key had an earlier record abandoned in the same lease is not
   * handled: it is abandoned too, so that the key's records keep their order for the next owner.
   */
  #process(item: WorkItem, key: string, slot: Slot): Promise<void> | undefined {
    if (this.#processor === undefined) return undefined;
    const outcome = this.#abandoned.blocks(item.lease, key)
      ? 'abandoned'
      : processRecord(item, this.#processor, slot);
    if (typeof outcome === 'string') {
      this.#completed(item, key, outcome);
      return undefined;
    }
    return outcome.then((settled) => {
      this.#completed(item, key, settled);
    });
  }

  /**
   * A record reached its outcome: `done` counts for the commit (while its lease is current), `abandoned`
   * blocks its key for the rest of the lease. Runs before the scheduler starts the key's next record.
   */
  #completed(item: WorkItem, key: string, outcome: Outcome): void {
    if (outcome === 'abandoned') this.#abandoned.abandon(item.lease, key);
    else if (this.#table.isCurrent(item.lease)) {
      this.#ledger.get(item.record.topic, item.record.partition)?.complete(item.record.offset);
    }
  }

  #pause(leases: readonly PartitionLease[], reason: PauseReason): void {
    const newly = leases.filter((lease) => {
      const fetching = lease.pausedFor.size === 0;
      lease.pausedFor.add(reason);
      // A draining lease may pause (it fetches nothing new) until it is released and unassigned.
      return fetching && this.#table.isCurrent(lease);
    });
    if (newly.length === 0) return;
    this.#clientCall(() => this.#client?.pause(newly));
    this.#emitSafely(
      'paused',
      newly.map(({ topic, partition }) => ({ topic, partition })),
      reason,
    );
  }

  #resume(leases: readonly PartitionLease[], reason: PauseReason): void {
    const ready = leases.filter((lease) => {
      const had = lease.pausedFor.delete(reason);
      return had && lease.pausedFor.size === 0 && this.#table.isCurrent(lease) && !lease.halt.aborted;
    });
    if (ready.length === 0) return;
    this.#clientCall(() => this.#client?.resume(ready));
    this.#emitSafely(
      'resumed',
      ready.map(({ topic, partition }) => ({ topic, partition })),
      reason,
    );
  }

  #onRebalance(event: RebalanceEvent): void {
    const client = this.#client;
    if (client === undefined) return;
    if (event.kind === 'assign') {
      // With startFrom 'latest', a topic created after the start is read from its beginning where the
      // group committed nothing: 'latest' means "from now", and all of that topic is newer than the start.
      const late = this.#topics.late(event.partitions);
      if (late.length === 0 && this.#assigning === undefined) {
        this.#assign(event.partitions, event.partitions);
        return;
      }
      // Assignments stay in order, and the group waits for them (librdkafka expects the assign call).
      const assigning = (this.#assigning ?? Promise.resolve()).then(async () => {
        this.#assign(
          event.partitions,
          late.length === 0 ? event.partitions : await this.#topics.positions(client, event.partitions, late),
        );
      });
      this.#assigning = assigning;
      void assigning.finally(() => {
        if (this.#assigning === assigning) this.#assigning = undefined;
      });
      return;
    }
    void this.#revoke(event);
  }

  /** Takes newly assigned partitions (at the given start positions) and starts fetching from them. */
  #assign(partitions: readonly TopicPartition[], positions: readonly TopicPartition[]): void {
    const client = this.#client;
    if (client === undefined || this.#state === 'stopped') return;
    const leases = this.#table.assign(partitions);
    for (const lease of leases) this.#ledger.delete(lease.topic, lease.partition);
    this.#topics.assigned(partitions);
    this.#clientCall(() => {
      client.assign(positions);
    });
    // librdkafka keeps a partition's pause across unassign and assign: a partition paused before it was
    // revoked would come back paused, and never fetch. Every new lease starts in the state it should have.
    if (this.#state === 'stopping') {
      // Assigned while stop() drains (another member left): fetch nothing, hand it back at close.
      this.#pause(leases, 'stopping');
      for (const lease of leases) lease.halted();
    } else
      // Even under back-pressure: a new partition holds nothing yet (see #balance).
      this.#clientCall(() => {
        client.resume(partitions);
      });
    if (partitions.length > 0) this.#emitSafely('assigned', partitions);
  }

  /**
   * Revoke: fetch nothing new, finish what was already fetched (running, waiting and retrying records)
   * within `drainTimeoutMs`, commit, then release. Lost: release at once, commit nothing.
   */
  async #revoke(event: RebalanceEvent): Promise<void> {
    // An assignment still waiting for its committed positions goes first: unassign follows assign.
    if (this.#assigning !== undefined) await this.#assigning;
    const leases = this.#table.leasesOf(event.partitions);
    for (const lease of leases) lease.halted();
    const ofThese = (item: WorkItem): boolean => leases.includes(item.lease);
    // Commit answers arrive through the poll loop: once it ended (stop() is closing the client, and has
    // committed already), there is nothing left to drain or commit here.
    if (!event.lost && this.#polling) {
      await settlesWithin(this.#scheduler.whenSettled(ofThese), this.#options.drainTimeoutMs);
      this.#scheduler.drop(ofThese);
      for (const lease of leases) lease.aborted();
      const positions = leases.flatMap((lease) => this.#positionOf(lease));
      if (positions.length > 0) await this.#commitNow(positions);
    } else {
      this.#scheduler.drop(ofThese);
    }
    this.#table.release(leases);
    for (const lease of leases) this.#ledger.delete(lease.topic, lease.partition);
    this.#clientCall(() => this.#client?.unassign(event.partitions));
    if (event.partitions.length > 0) this.#emitSafely(event.lost ? 'lost' : 'revoked', event.partitions);
  }

  #positionOf(lease: PartitionLease): TopicPartitionOffset[] {
    const offsets = this.#ledger.get(lease.topic, lease.partition);
    const position = offsets?.committable;
    return offsets?.needsCommit === true && position !== undefined
      ? [{ topic: lease.topic, partition: lease.partition, offset: position }]
      : [];
  }

  /** Commits positions that moved (or, with `refresh`, every position) of partitions still fetching. */
  async #commit(refresh: boolean): Promise<void> {
    if (this.#state !== 'running') return;
    const live = (position: TopicPartitionOffset): boolean => {
      const lease = this.#table.get(position.topic, position.partition);
      return lease !== undefined && !lease.halt.aborted;
    };
    const positions = (refresh ? this.#ledger.refreshPositions() : this.#ledger.commitPositions()).filter(
      live,
    );
    if (positions.length > 0) await this.#commitNow(positions);
  }

  /** Commits once; resolves with whether the broker confirmed (within `answerTimeoutMs`). */
  async #commitNow(
    positions: readonly TopicPartitionOffset[],
    answerTimeoutMs = commitAnswerTimeoutMs,
  ): Promise<boolean> {
    const answer = await this.#committer?.commit(positions, answerTimeoutMs);
    if (answer !== undefined) this.#emitSafely('commitFailed', commitError(answer, positions, this.#secrets));
    return answer === undefined;
  }

  /**
   * The last commit of `stop()`. A commit that lands in the middle of a rebalance fails (the group's
   * generation is changing), so it is tried again while the poll loop runs and lets the rebalance finish,
   * until the broker confirmed or `deadline` (a `Date.now()` time) came; no wait goes past it. Partitions
   * revoked meanwhile are committed by their revoke.
   */
  async #commitFinal(deadline: number): Promise<void> {
    for (;;) {
      const positions = this.#table.all().flatMap((lease) => this.#positionOf(lease));
      const answerTimeoutMs = Math.min(commitAnswerTimeoutMs, deadline - Date.now());
      if (positions.length === 0 || answerTimeoutMs <= 0) return;
      if (await this.#commitNow(positions, answerTimeoutMs)) return;
      const pauseMs = Math.min(finalCommitRetryMs, deadline - Date.now());
      if (pauseMs <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  #onCommitResult(failure: ClientFailure | undefined, offsets: readonly TopicPartitionOffset[]): void {
    // The answer goes to the commit call of these offsets, whatever the order answers arrive in.
    this.#committer?.answered(failure, offsets);
    if (failure !== undefined) return;
    this.#brokersDown = false;
    this.#lastCommitAt = new Date();
    for (const { topic, partition, offset } of offsets)
      this.#ledger.get(topic, partition)?.markCommitted(offset);
    if (offsets.length > 0) this.#emitSafely('committed', offsets);
  }

  #onClientError(failure: ClientFailure): void {
    // A subscribed topic does not exist (librdkafka names none): name it, and wait for it.
    if (failure.code === clientCodes.unknownTopic) {
      if (this.#client !== undefined) void this.#topics.check(this.#client, true);
      return;
    }
    if (this.#state === 'starting') {
      this.#startupFailures.push(failure);
      return;
    }
    const error = clientError(failure, this.#secrets, [], 'Kafka', this.#options.brokers);
    const wasDown = this.#brokersDown;
    if (error.code === 'ERR_HONO_BROKERS_DOWN') {
      this.#brokersDown = true;
      this.#watchBrokers();
    }
    if (error.code !== 'ERR_HONO_BROKERS_DOWN' || !wasDown) {
      this.#logClientError(error);
      this.#emitSafely('error', error);
    }
    if (failure.isFatal) void this.stop();
  }

  /**
   * Logs a client failure that is emitted as `error`: fatal ones, refused logins and certificates, and
   * protocol mismatches at `error`, others at `warn`; the same failure again (code and message) at most once per {@link clientErrorRepeatMs}.
   */
  #logClientError(error: KafkaClientError): void {
    const key = `${error.code}\u0000${error.message}`;
    const now = Date.now();
    const last = this.#clientErrorsLogged.get(key);
    if (last !== undefined && now - last < clientErrorRepeatMs) return;
    if (this.#clientErrorsLogged.size >= 100) this.#clientErrorsLogged.clear();
    this.#clientErrorsLogged.set(key, now);
    const serious =
      error.code === 'ERR_HONO_KAFKA_FATAL' ||
      error.code === 'ERR_HONO_AUTHENTICATION' ||
      error.code === 'ERR_HONO_TLS' ||
      error.code === 'ERR_HONO_PROTOCOL_MISMATCH';
    this.#options.logger[serious ? 'error' : 'warn'](error.message, { code: error.code });
  }

  /**
   * Brokers are down: records and commit answers show when they are back, but an idle consumer has
   * neither. A small metadata request every {@link brokerProbeIntervalMs} tells, for `health()`.
   */
  #watchBrokers(): void {
    if (this.#brokerProbe !== undefined) return;
    let probing = false;
    const probe = setInterval(() => {
      const client = this.#client;
      const topic = this.#options.topics[0];
      if (!this.#brokersDown || this.#state !== 'running' || client === undefined || topic === undefined) {
        clearInterval(probe);
        this.#brokerProbe = undefined;
        return;
      }
      if (probing) return;
      probing = true;
      void client.reachable(topic, brokerProbeIntervalMs).then((up) => {
        probing = false;
        if (up) this.#brokersDown = false;
      });
    }, brokerProbeIntervalMs);
    probe.unref();
    this.#brokerProbe = probe;
  }

  async #stop(): Promise<void> {
    // stop() during run(): let the start finish (or fail) first, then stop what it started.
    await this.#starting?.catch(() => undefined);
    const state = this.#state;
    if (state === 'idle' || state === 'failed' || state === 'stopped') {
      this.#state = 'stopped';
      this.#emitSafely('stopped');
      return;
    }
    this.#state = 'stopping';
    for (const timer of this.#timers) clearInterval(timer);
    clearInterval(this.#brokerProbe);
    const leases = this.#table.all();
    this.#pause(leases, 'stopping');
    for (const lease of leases) lease.halted();
    // Finish what was already fetched, within the drain time; then give up on the rest.
    await settlesWithin(this.#scheduler.whenIdle(), this.#options.drainTimeoutMs);
    this.#scheduler.drop(() => true);
    for (const lease of leases) lease.aborted();
    // Everything after the drain shares one deadline, closeTimeoutMs from now: the last commit may use
    // three quarters of it (during a cooperative rebalance its answer can take seconds, and a lost last
    // commit means records handled again), ending the poll loop and closing both clients (in parallel)
    // the rest; with brokers that answer, leaving the group takes well under a second. A step that is
    // not done by then is left to finish in the background.
    const closeTimeoutMs = this.#options.closeTimeoutMs;
    const closeBy = Date.now() + closeTimeoutMs;
    const left = (): number => Math.max(0, closeBy - Date.now());
    await this.#commitFinal(closeBy - closeTimeoutMs / 4);
    this.#polling = false;
    await settlesWithin(this.#pollLoop, left());
    const client = this.#client;
    const deadLetters = this.#deadLetters;
    const closeClient = async (): Promise<boolean> => {
      if (client === undefined) return true;
      const closing = client.disconnect(left()).catch(() => false);
      return (await settlesWithin(closing, left())) && (await closing);
    };
    const [clientClosed, deadLettersClosed] = await Promise.all([
      closeClient(),
      deadLetters === undefined ? true : settlesWithin(deadLetters.disconnect(left()), left()),
    ]);
    if (!clientClosed) this.#options.logger.warn('the Kafka client did not close in time', {});
    if (!deadLettersClosed) this.#options.logger.warn('the dead-letter producer did not close in time', {});
    this.#state = 'stopped';
    this.#options.logger.info('consumer stopped', {});
    this.#emitSafely('stopped');
  }

  #clientCall(call: () => void): void {
    try {
      call();
    } catch (failure) {
      this.#onClientError(failure as ClientFailure);
    }
  }

  #emitSafely<Name extends keyof HonoEventConsumerEvents>(
    name: Name,
    ...args: Parameters<HonoEventConsumerEvents[Name]>
  ): void {
    try {
      (this.emit as (event: Name, ...rest: unknown[]) => boolean)(name, ...args);
    } catch (error) {
      this.#options.logger.error(`a listener of "${name}" threw`, { error });
    }
  }
}
