/**
 * Scripted clients behind the engine's client seam (`src/engine/client.ts`), for tests that drive a whole
 * consumer through what its clients answer rather than through a broker: the test pushes the records the
 * next polls deliver and the failures they throw, says how commits are answered, what the metadata
 * requests answer, and whether the consumer client closes (the producers are `fake-producer.ts`'s). A
 * test makes its consumer on them:
 *
 * ```ts
 * const scripted = scriptedClients();
 * const consumer = withClients(scripted.factories, () => new HonoEventConsumer(options));
 * ```
 *
 * For a broker with partition logs and a group's committed positions, use `fake-kafka.ts` instead. Time
 * is whatever clock the test runs on (it works with `vi.useFakeTimers()`).
 */
import {
  ClientFailure,
  type ClientFactories,
  type ClientMessage,
  type ConsumerClient,
  type ConsumerListeners,
} from '../../../src/engine/client.js';
import type { TopicPartition, TopicPartitionOffset } from '../../../src/types.js';
import { FakeProducer } from './fake-producer.js';

/** A partition's committed position as the client reports it (`offset` undefined: none). */
export interface CommittedPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number | undefined;
}

/** How a consumer answers `committed()`: the positions, or undefined for no answer in time. */
export type CommittedAnswer = (
  partitions: readonly TopicPartition[],
) => Promise<CommittedPosition[] | undefined>;

/** How commits are answered at the next poll: confirmed, failed (rebalance in progress), or never. */
export type CommitAnswer = 'confirm' | 'fail' | 'never';

/** A client call a test may observe (subscribe, assign, unassign and committed are recorded). */
export interface ScriptedCall {
  readonly name: 'subscribe' | 'assign' | 'unassign' | 'committed';
  readonly partitions?: readonly TopicPartition[];
}

/** What the consumers of one {@link scriptedClients} answer about the cluster. */
export interface ClusterScript {
  /** What `topicNames()` answers: the topics that exist, or undefined for a request with no answer. */
  existingTopics: Set<string> | undefined;
  /** What `committed()` answers; by default, no committed position for any partition. */
  committed: CommittedAnswer;
}

/** librdkafka's code for "rebalance in progress", the failure a failed commit answers with. */
const rebalanceInProgress = 27;

/** The longest an empty poll waits, so that commit answers and failures arrive soon. */
const longestEmptyPollMs = 10;

/** A consumer client that delivers what the test pushed and answers as the test says. */
export class ScriptedConsumer implements ConsumerClient {
  /** The client's logical offset for the partition's beginning. */
  static readonly beginning = -2;
  /** The engine's listeners: a test calls `rebalance` on them to hand out or take back partitions. */
  readonly listeners: ConsumerListeners;
  /** Records the next polls deliver, oldest first. */
  readonly records: ClientMessage[] = [];
  /** Failures the next empty polls throw, one a poll, oldest first. */
  readonly pollFailures: Error[] = [];
  /** Every commit call, in order. */
  readonly commits: TopicPartitionOffset[][] = [];
  /** The recorded calls, in order. */
  readonly calls: ScriptedCall[] = [];
  /** How commits are answered from the next poll on. */
  answer: CommitAnswer = 'confirm';
  /** Whether disconnect() never settles (a client that ignores its own timeout). */
  hangOnDisconnect = false;
  /** When disconnect() was called (`Date.now()`), if it was. */
  disconnectedAt: number | undefined;
  readonly #cluster: ClusterScript;
  readonly #pendingCommits: TopicPartitionOffset[][] = [];

  constructor(listeners: ConsumerListeners, cluster: ClusterScript) {
    this.listeners = listeners;
    this.#cluster = cluster;
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  subscribe(): void {
    this.calls.push({ name: 'subscribe' });
  }

  /** Answers the commits made so far, then delivers pushed records, or waits and throws a pushed failure. */
  async poll(max: number, timeoutMs: number): Promise<ClientMessage[]> {
    this.#answerCommits();
    const records = this.records.splice(0, max);
    if (records.length > 0) return records;
    await new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, longestEmptyPollMs)));
    this.#answerCommits();
    const failure = this.pollFailures.shift();
    if (failure !== undefined) throw failure;
    return [];
  }

  assign(partitions: readonly TopicPartition[]): void {
    this.calls.push({ name: 'assign', partitions });
  }

  unassign(partitions: readonly TopicPartition[]): void {
    this.calls.push({ name: 'unassign', partitions });
  }

  commit(offsets: readonly TopicPartitionOffset[]): void {
    const copy = offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset }));
    this.commits.push(copy);
    this.#pendingCommits.push(copy);
  }

  pause(): void {}

  resume(): void {}

  highWatermark(): undefined {
    return undefined;
  }

  reachable(): Promise<boolean> {
    return Promise.resolve(true);
  }

  topicNames(): Promise<Set<string> | undefined> {
    const topics = this.#cluster.existingTopics;
    return Promise.resolve(topics === undefined ? undefined : new Set(topics));
  }

  committed(partitions: readonly TopicPartition[]): Promise<CommittedPosition[] | undefined> {
    this.calls.push({ name: 'committed', partitions });
    return this.#cluster.committed(partitions);
  }

  get connected(): boolean {
    return true;
  }

  disconnect(): Promise<boolean> {
    this.disconnectedAt = Date.now();
    return this.hangOnDisconnect ? new Promise<boolean>(() => undefined) : Promise.resolve(true);
  }

  /** Answers the commits not answered yet, unless commits are never answered. */
  #answerCommits(): void {
    if (this.answer === 'never') return;
    for (const offsets of this.#pendingCommits.splice(0)) {
      const failure =
        this.answer === 'fail'
          ? new ClientFailure(
              rebalanceInProgress,
              'Broker: Rebalance in progress',
              { isFatal: false, isRetriable: true },
              undefined,
            )
          : undefined;
      this.listeners.commitResult(failure, offsets);
    }
  }
}

/** Scripted clients: the factories to make a consumer on, and what they made. */
export interface ScriptedClients extends ClusterScript {
  /** The factories: pass them to `withClients` around `new HonoEventConsumer(...)`. */
  readonly factories: ClientFactories;
  /** The consumer clients made, in order. */
  readonly consumers: readonly ScriptedConsumer[];
  /** The producers made, in order (`fake-producer.ts`: a test sets how each call behaves). */
  readonly producers: readonly FakeProducer[];
  /** The last consumer client made. @throws when none was made */
  readonly consumer: ScriptedConsumer;
}

/**
 * Makes factories of scripted clients that keep every client they made.
 *
 * @returns the factories, the clients made so far, and the cluster's answers (a test may change them)
 */
export function scriptedClients(): ScriptedClients {
  const consumers: ScriptedConsumer[] = [];
  const producers: FakeProducer[] = [];
  const scripted: ScriptedClients = {
    existingTopics: undefined,
    committed: (partitions) =>
      Promise.resolve(partitions.map((partition) => ({ ...partition, offset: undefined }))),
    consumers,
    producers,
    get consumer(): ScriptedConsumer {
      const consumer = consumers.at(-1);
      if (consumer === undefined) throw new Error('no scripted consumer client was made');
      return consumer;
    },
    factories: {
      consumer: (_settings, listeners) => {
        const consumer = new ScriptedConsumer(listeners, scripted);
        consumers.push(consumer);
        return consumer;
      },
      producer: (_settings, listeners) => {
        const producer = new FakeProducer(listeners);
        producers.push(producer);
        return producer;
      },
      beginning: ScriptedConsumer.beginning,
      isUnknownTopic: (failure) => failure.code === 3,
    },
  };
  return scripted;
}
