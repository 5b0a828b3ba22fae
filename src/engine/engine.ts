/**
 * The consumer engine: joins the group, fetches, hands records to their handlers, commits a position
 * only after the handlers of that record and of every earlier record of its partition finished, and
 * stops within a bound. It talks to Kafka only through the clients its {@link ClientFactories} make.
 *
 * Its parts, each in its own file: the poll loop and back-pressure (`fetch-loop.ts`), the way of a
 * record (`record-flow.ts`), rebalances (`rebalances.ts`), commits (`commits.ts`), pausing for reasons
 * (`pauses.ts`), client failures and broker health (`client-failures.ts`), late and missing topics
 * (`topic-watch.ts`), and the owned partitions (`partition-table.ts`).
 */
import { settlesWithin } from '../deadline.js';
import type { ResolvedOptions } from '../consumer/options.js';
import { secretValues } from '../consumer/options.js';
import { StateError } from '../errors.js';
import { OffsetLedger } from '../offsets/offset-ledger.js';
import type { WorkItem } from '../processing/work-item.js';
import type { HonoKafkaError } from '../errors.js';
import { type ClientFactories, type ClientSettings, type ConsumerClient, toFailure } from './client.js';
import { clientError, connectError, deadLetterRecord } from './client-errors.js';
import { ClientFailures } from './client-failures.js';
import { DeadLetters } from './dead-letters.js';
import { Commits } from './commits.js';
import type { Emit } from './emit.js';
import { FetchLoop } from './fetch-loop.js';
import type { ConsumerState, HealthSnapshot } from './health.js';
import { PartitionTable } from './partition-table.js';
import { type EngineObserver, noObserver } from './observer.js';
import type { RecordRoute } from './record-route.js';
import { Pauses } from './pauses.js';
import { Rebalances } from './rebalances.js';
import { RecordFlow } from './record-flow.js';
import { TopicWatch } from './topic-watch.js';

/** The settings of the engine's clients. */
export interface EngineSettings {
  /** The consumer client's settings. */
  readonly consumer: ClientSettings;
  /** The dead-letter producer's settings; undefined without `onFailure: 'deadLetter'`. */
  readonly producer: ClientSettings | undefined;
}

/** The consumer engine behind `HonoEventConsumer`. */
export class ConsumerEngine {
  readonly #options: ResolvedOptions;
  readonly #secrets: readonly string[];
  readonly #emit: Emit;
  readonly #table = new PartitionTable();
  readonly #ledger = new OffsetLedger();
  readonly #client: ConsumerClient;
  readonly #deadLetters: DeadLetters | undefined;
  readonly #topics: TopicWatch;
  readonly #failures: ClientFailures;
  readonly #pauses: Pauses;
  readonly #flow: RecordFlow;
  readonly #commits: Commits;
  readonly #rebalances: Rebalances;
  readonly #fetch: FetchLoop;
  #state: ConsumerState = 'idle';
  /** Who watches the engine; set by `run()`. */
  #observer: EngineObserver = noObserver;
  /** Makes who watches the engine once it runs (tracing, metrics, diagnostics channels). */
  readonly #observe: (engine: ConsumerEngine) => Promise<EngineObserver> | EngineObserver;
  #timers: NodeJS.Timeout[] = [];
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;

  /**
   * Makes the clients (connecting nothing) and the engine's parts.
   *
   * @param options - the resolved consumer options
   * @param settings - the clients' settings
   * @param clients - makes the clients
   * @param emit - reports the consumer's events
   * @throws what the client factories throw for settings they refuse
   */
  constructor(
    options: ResolvedOptions,
    settings: EngineSettings,
    clients: ClientFactories,
    emitPublic: Emit,
    observe: (engine: ConsumerEngine) => Promise<EngineObserver> | EngineObserver = () => noObserver,
  ) {
    this.#observe = observe;
    // Every event goes to the observer first, then to the consumer's listeners.
    const emit: Emit = (name, ...args) => {
      this.#observer.event(name, ...args);
      emitPublic(name, ...args);
    };
    this.#options = options;
    this.#secrets = secretValues(options.kafka);
    this.#emit = emit;
    const clientFailed = (failure: unknown): void => {
      this.#failures.report(failure);
    };
    this.#client = clients.consumer(settings.consumer, {
      rebalance: (event) => {
        this.#rebalances.rebalanced(event);
      },
      commitResult: (failure, offsets) => {
        this.#commits.answer(failure, offsets);
      },
      clientError: clientFailed,
    });
    const producerSettings = settings.producer;
    const deadLetterTopic = options.deadLetterTopic;
    this.#deadLetters =
      producerSettings === undefined || deadLetterTopic === undefined
        ? undefined
        : new DeadLetters({
            makeProducer: (listeners) => clients.producer(producerSettings, listeners),
            topic: deadLetterTopic,
            report: (error) => {
              this.#failures.publish(error);
            },
            secrets: this.#secrets,
            brokers: options.brokers,
          });
    const client = this.#client;
    const table = this.#table;
    const ledger = this.#ledger;
    this.#topics = new TopicWatch(
      options,
      Number(settings.consumer['topic.metadata.refresh.interval.ms']),
      clients.beginning,
    );
    this.#failures = new ClientFailures({
      logger: options.logger,
      brokers: options.brokers,
      // A pattern is no topic name: then the probe asks for every topic.
      probeTopic: options.topics.find((topic) => !topic.startsWith('^')),
      secrets: this.#secrets,
      emit,
      isUnknownTopic: (failure) => clients.isUnknownTopic(failure),
      topicMissing: () => void this.#topics.check(client, true),
      phase: () => (this.#state === 'starting' || this.#state === 'running' ? this.#state : 'other'),
      reachable: (topic, timeoutMs) => client.reachable(topic, timeoutMs),
      fatal: () => void this.stop(),
    });
    this.#pauses = new Pauses(client, table, emit, clientFailed);
    this.#flow = new RecordFlow({
      options,
      table,
      ledger,
      pauses: this.#pauses,
      emit,
      deadLetter: (item, error, attempts) => this.#deadLetter(item, error, attempts),
    });
    this.#commits = new Commits({
      client,
      table,
      ledger,
      emit,
      secrets: this.#secrets,
      answered: () => {
        this.#failures.answered();
      },
      observer: () => this.#observer,
    });
    this.#fetch = new FetchLoop({
      options,
      poll: (max, timeoutMs) => client.poll(max, timeoutMs),
      table,
      ledger,
      held: this.#flow.records,
      pauses: this.#pauses,
      accept: (message) => {
        this.#flow.accept(message);
      },
      clientFailed,
      answered: () => {
        this.#failures.answered();
      },
      fetched: (messages) => {
        this.#observer.fetched(messages);
      },
    });
    this.#rebalances = new Rebalances({
      client,
      table,
      ledger,
      records: this.#flow.records,
      pauses: this.#pauses,
      commits: this.#commits,
      topics: this.#topics,
      emit,
      drainTimeoutMs: options.drainTimeoutMs,
      phase: () => (this.#state === 'stopping' || this.#state === 'stopped' ? this.#state : 'other'),
      polling: () => this.#fetch.polling,
      clientFailed,
    });
  }

  /** Where the consumer is in its life. */
  get state(): ConsumerState {
    return this.#state;
  }

  /**
   * See `HonoEventConsumer.run`.
   *
   * @param route - checks the application's handlers and binds them to the decoding of the records; it
   *   throws (an `OptionsError`) for bad handlers, before anything starts
   */
  async run(route: () => RecordRoute): Promise<void> {
    if (this.#state !== 'idle') {
      throw new StateError(
        this.#stopping === undefined
          ? `run() was already called (state: ${this.#state})`
          : `run() after stop() (state: ${this.#state}): a consumer runs once; create a new one`,
      );
    }
    // Checked before anything starts: bad handlers leave the consumer idle, to run() again with good ones.
    const bound = route();
    this.#state = 'starting';
    this.#starting = (async () => {
      this.#observer = await this.#observe(this);
      await this.#start(bound);
    })();
    await this.#starting;
  }

  async #start(route: RecordRoute): Promise<void> {
    const options = this.#options;
    const client = this.#client;
    this.#flow.start(route, this.#observer);
    try {
      await client.connect(options.connectTimeoutMs);
    } catch (thrown) {
      // Error events queued during connect() arrive right after it returned: give them a moment.
      await new Promise((resolve) => setTimeout(resolve, 50));
      this.#state = 'failed';
      await client.disconnect(1000);
      throw connectError(toFailure(thrown), this.#failures.startup, this.#secrets, options.brokers);
    }
    try {
      await this.#deadLetters?.connect(options.connectTimeoutMs);
    } catch (error) {
      // A typed error that names the dead-letter producer.
      this.#state = 'failed';
      await client.disconnect(1000);
      throw error;
    }
    try {
      client.subscribe(options.topics);
    } catch (thrown) {
      this.#state = 'failed';
      await client.disconnect(1000);
      await this.#deadLetters?.disconnect(1000);
      throw clientError(toFailure(thrown), this.#secrets, []);
    }
    // Before the first poll, so that the first assignment already knows which topics appear later.
    await this.#topics.check(client, false);
    this.#state = 'running';
    this.#fetch.start();
    this.#timers = [
      setInterval(() => void this.#periodicCommit(false), options.commitIntervalMs),
      setInterval(() => void this.#periodicCommit(true), options.recommitIntervalMs),
    ];
    options.logger.info('consumer started', { topics: options.topics, groupId: options.groupId });
    this.#emit('started');
  }

  /** See `HonoEventConsumer.stop`. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  /** See `HonoEventConsumer.health`. */
  health(): HealthSnapshot {
    const client = this.#client;
    const records = this.#flow.records;
    return {
      state: this.#state,
      // Not before run() reached a broker: the client counts itself connected while it still tries.
      connected:
        (this.#state === 'running' || this.#state === 'stopping') &&
        client.connected &&
        !this.#failures.brokersDown,
      partitions: this.#table.all().map((lease) => {
        const offsets = this.#ledger.get(lease.topic, lease.partition);
        const high = client.highWatermark(lease.topic, lease.partition);
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
      inFlight: records.running + records.idle,
      buffered: records.queued,
      lastPollAt: this.#fetch.lastPollAt,
      lastCommitAt: this.#commits.lastCommitAt,
    };
  }

  async #periodicCommit(refresh: boolean): Promise<void> {
    if (this.#state === 'running') await this.#commits.periodic(refresh);
  }

  async #deadLetter(item: WorkItem, error: HonoKafkaError, attempts: number): Promise<void> {
    const topic = this.#options.deadLetterTopic;
    if (this.#deadLetters === undefined || topic === undefined) {
      throw new StateError('no dead-letter producer');
    }
    // Rejects with a typed error; a producer broken by a fatal error is made again meanwhile.
    await this.#deadLetters.send(deadLetterRecord(item.record, topic, error, attempts));
  }

  async #stop(): Promise<void> {
    // stop() during run(): let the start finish (or fail) first, then stop what it started.
    await this.#starting?.catch(() => undefined);
    const state = this.#state;
    if (state === 'idle' || state === 'failed' || state === 'stopped') {
      this.#state = 'stopped';
      this.#observer.close?.();
      this.#emit('stopped');
      return;
    }
    this.#state = 'stopping';
    for (const timer of this.#timers) clearInterval(timer);
    this.#failures.close();
    const leases = this.#table.all();
    this.#pauses.pause(leases, 'stopping');
    for (const lease of leases) lease.halted();
    const records = this.#flow.records;
    // Finish what was already fetched, within the drain time; then give up on the rest.
    await settlesWithin(records.whenIdle(), this.#options.drainTimeoutMs);
    records.drop(() => true);
    for (const lease of leases) lease.aborted();
    // Everything after the drain shares one deadline, closeTimeoutMs from now: the last commit may use
    // three quarters of it (during a cooperative rebalance its answer can take seconds, and a lost last
    // commit means records handled again), ending the poll loop and closing both clients (in parallel)
    // the rest; with brokers that answer, leaving the group takes well under a second. A step that is
    // not done by then is left to finish in the background.
    const closeTimeoutMs = this.#options.closeTimeoutMs;
    const closeBy = Date.now() + closeTimeoutMs;
    const left = (): number => Math.max(0, closeBy - Date.now());
    await this.#commits.final(closeBy - closeTimeoutMs / 4);
    await settlesWithin(this.#fetch.stop(), left());
    const client = this.#client;
    const deadLetters = this.#deadLetters;
    const closeClient = async (): Promise<boolean> => {
      const closing = client.disconnect(left()).catch(() => false);
      return (await settlesWithin(closing, left())) && (await closing);
    };
    const [clientClosed, deadLettersClosed] = await Promise.all([
      closeClient(),
      deadLetters === undefined ? true : deadLetters.disconnect(left()),
    ]);
    if (!clientClosed) this.#options.logger.warn('the Kafka client did not close in time', {});
    if (!deadLettersClosed) this.#options.logger.warn('the dead-letter producer did not close in time', {});
    this.#state = 'stopped';
    this.#observer.close?.();
    this.#options.logger.info('consumer stopped', {});
    this.#emit('stopped');
  }
}
