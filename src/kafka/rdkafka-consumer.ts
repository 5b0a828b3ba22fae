/**
 * The one module that talks to `@confluentinc/kafka-javascript`'s `KafkaConsumer`: promises instead of
 * callbacks, the methods its type declarations lack, commit results from `offset_commit_cb`, and
 * rebalances handed to the SDK, which calls (incremental) assign and unassign itself, after draining.
 */
import kafka from '@confluentinc/kafka-javascript';
import { settlesWithin } from '../deadline.js';

/** A partition of a topic. */
export interface TopicPartition {
  /** The topic. */
  readonly topic: string;
  /** The partition. */
  readonly partition: number;
}

/** A position to commit: the next offset the group will read. */
export interface TopicPartitionOffset extends TopicPartition {
  /** The offset: for a commit, the next offset the group will read. */
  readonly offset: number;
}

/** A record as the client delivers it. */
export type ClientMessage = kafka.Message;

/** Methods present at run time but missing from the client's type declarations (1.10). */
interface ConsumerRuntime {
  incrementalAssign(assignments: TopicPartition[]): void;
  incrementalUnassign(assignments: TopicPartition[]): void;
  assign(assignments: TopicPartition[]): void;
  unassign(): void;
  assignmentLost(): boolean;
  rebalanceProtocol(): 'COOPERATIVE' | 'EAGER' | 'NONE';
  setDefaultIsTimeoutOnlyForFirstMessage(value: boolean): void;
  setDefaultConsumeTimeout(ms: number): void;
}

/** What the client reports when the group hands partitions out or takes them back. */
export interface RebalanceEvent {
  readonly kind: 'assign' | 'revoke';
  readonly partitions: readonly TopicPartition[];
  /** True when the partitions were taken away without a revoke (session timeout, fatal error). */
  readonly lost: boolean;
}

/**
 * A failure reported by the client. Its numeric code stays inside the SDK (the SDK maps it to its own
 * typed errors); the original error is the `cause`.
 */
export class ClientFailure extends Error {
  override readonly name = 'ClientFailure';
  readonly code: number;
  readonly isFatal: boolean;
  readonly isRetriable: boolean;

  constructor(
    code: number,
    message: string,
    flags: { isFatal: boolean; isRetriable: boolean },
    cause: unknown,
  ) {
    super(message, { cause });
    this.code = code;
    this.isFatal = flags.isFatal;
    this.isRetriable = flags.isRetriable;
  }
}

/** Callbacks from the client to the SDK. */
export interface ConsumerListeners {
  rebalance(event: RebalanceEvent): void;
  commitResult(error: ClientFailure | undefined, offsets: readonly TopicPartitionOffset[]): void;
  clientError(failure: ClientFailure): void;
}

/** The librdkafka error codes the SDK reacts to. */
export const clientCodes = {
  assignPartitions: kafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS,
  revokePartitions: kafka.CODES.ERRORS.ERR__REVOKE_PARTITIONS,
  timedOut: kafka.CODES.ERRORS.ERR__TIMED_OUT,
  maxPollExceeded: kafka.CODES.ERRORS.ERR__MAX_POLL_EXCEEDED,
  fatal: kafka.CODES.ERRORS.ERR__FATAL,
  noOffset: kafka.CODES.ERRORS.ERR__NO_OFFSET,
  state: kafka.CODES.ERRORS.ERR__STATE,
  authentication: kafka.CODES.ERRORS.ERR__AUTHENTICATION,
  allBrokersDown: kafka.CODES.ERRORS.ERR__ALL_BROKERS_DOWN,
} as const;

/** Turns whatever the client threw or passed into a {@link ClientFailure}. */
export function toClientFailure(error: unknown): ClientFailure {
  const record = (typeof error === 'object' && error !== null ? error : {}) as Partial<
    Record<'code' | 'errno' | 'message' | 'isFatal' | 'isRetriable', unknown>
  >;
  const code =
    typeof record.code === 'number' ? record.code : typeof record.errno === 'number' ? record.errno : -1;
  const message =
    typeof record.message === 'string' && record.message !== '' ? record.message : `client error ${code}`;
  const flags = {
    isFatal: record.isFatal === true || code === clientCodes.fatal,
    isRetriable: record.isRetriable === true,
  };
  return new ClientFailure(code, message, flags, error);
}

type Settings = Record<string, string | number | boolean>;

/**
 * A `KafkaConsumer` with manual rebalances and commit results as callbacks.
 *
 * Offsets are never stored or committed by librdkafka on its own: `enable.auto.commit` and
 * `enable.auto.offset.store` are off, and the SDK commits explicit positions.
 */
export class RdkafkaConsumer {
  readonly #consumer: kafka.KafkaConsumer;
  readonly #runtime: ConsumerRuntime;

  /**
   * @param settings - librdkafka settings; the SDK's own keys win over the user's pass-through ones
   * @param listeners - where rebalances, commit results and client errors go
   */
  constructor(settings: Settings, listeners: ConsumerListeners) {
    const isLost = (): boolean => this.assignmentLost();
    this.#consumer = new kafka.KafkaConsumer(
      {
        ...settings,
        'enable.auto.commit': false,
        'enable.auto.offset.store': false,
        rebalance_cb(this: unknown, error: kafka.LibrdKafkaError, assignment: kafka.TopicPartition[]) {
          const partitions = assignment.map(({ topic, partition }) => ({ topic, partition }));
          if (error.code === clientCodes.assignPartitions) {
            listeners.rebalance({ kind: 'assign', partitions, lost: false });
          } else {
            listeners.rebalance({ kind: 'revoke', partitions, lost: isLost() });
          }
        },
        offset_commit_cb(error: kafka.LibrdKafkaError | undefined, offsets: kafka.TopicPartitionOffset[]) {
          listeners.commitResult(
            error === undefined || error.code === 0 ? undefined : toClientFailure(error),
            offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
          );
        },
      },
      // A topic configuration object replaces librdkafka's default one, which is where a global
      // `auto.offset.reset` lands: without repeating it here, a new group would start at the end.
      { 'auto.offset.reset': settings['auto.offset.reset'] === 'latest' ? 'latest' : 'earliest' },
    );
    this.#runtime = this.#consumer as unknown as ConsumerRuntime;
    this.#runtime.setDefaultIsTimeoutOnlyForFirstMessage(true);
    this.#consumer.on('event.error', (error) => {
      listeners.clientError(toClientFailure(error));
    });
  }

  /**
   * Connects and fetches metadata.
   *
   * @param timeoutMs - how long the first metadata request may take
   * @throws ClientFailure-shaped error when no broker answers in time
   */
  async connect(timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#consumer.connect({ timeout: timeoutMs }, (error: kafka.LibrdKafkaError | null | undefined) => {
        if (error === null || error === undefined) resolve();
        else reject(toClientFailure(error));
      });
    });
  }

  /** Subscribes to topics; partitions arrive through the rebalance listener. */
  subscribe(topics: readonly string[]): void {
    this.#consumer.subscribe([...topics]);
  }

  /**
   * Polls up to `max` records, waiting at most `timeoutMs` for the first. Rebalance and commit callbacks
   * are served during this call.
   */
  async poll(max: number, timeoutMs: number): Promise<ClientMessage[]> {
    this.#runtime.setDefaultConsumeTimeout(timeoutMs);
    return new Promise((resolve, reject) => {
      this.#consumer.consume(max, (error: kafka.LibrdKafkaError | null | undefined, messages) => {
        if (error === null || error === undefined) resolve(messages);
        else reject(toClientFailure(error));
      });
    });
  }

  /** The group protocol in force: cooperative rebalances assign and revoke incrementally. */
  get cooperative(): boolean {
    return this.#runtime.rebalanceProtocol() === 'COOPERATIVE';
  }

  /** Accepts partitions the group handed out. */
  assign(partitions: readonly TopicPartition[]): void {
    if (this.cooperative) this.#runtime.incrementalAssign([...partitions]);
    else this.#runtime.assign([...partitions]);
  }

  /** Releases partitions after a revoke (all of them under the eager protocol). */
  unassign(partitions: readonly TopicPartition[]): void {
    if (this.cooperative) this.#runtime.incrementalUnassign([...partitions]);
    else this.#runtime.unassign();
  }

  /** Whether the current revoke is a loss: the group already gave the partitions to others. */
  assignmentLost(): boolean {
    return this.#runtime.assignmentLost();
  }

  /** Commits explicit positions; the broker's answer arrives through `commitResult` during a poll. */
  commit(offsets: readonly TopicPartitionOffset[]): void {
    this.#consumer.commit(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
  }

  /** Stops fetching from partitions (the poll loop goes on, so group membership stays alive). */
  pause(partitions: readonly TopicPartition[]): void {
    this.#consumer.pause([...partitions]);
  }

  /** Fetches from paused partitions again. */
  resume(partitions: readonly TopicPartition[]): void {
    this.#consumer.resume([...partitions]);
  }

  /** The last known high watermark of a partition, or undefined when the client has none yet. */
  highWatermark(topic: string, partition: number): number | undefined {
    try {
      return this.#consumer.getWatermarkOffsets(topic, partition).highOffset;
    } catch {
      return undefined;
    }
  }

  /**
   * Whether a broker answers a metadata request for `topic` in time: librdkafka reports brokers going
   * down, but not coming back.
   *
   * @param topic - a subscribed topic (keeps the request small)
   * @param timeoutMs - how long to wait for the answer
   */
  async reachable(topic: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      try {
        this.#consumer.getMetadata({ topic, timeout: timeoutMs }, (error: unknown) => {
          resolve(error === null || error === undefined);
        });
      } catch {
        resolve(false);
      }
    });
  }

  /** Whether the client is connected. */
  get connected(): boolean {
    return this.#consumer.isConnected();
  }

  /**
   * Leaves the group and closes the client, giving up after a deadline (with brokers down, closing can
   * take a whole session timeout).
   *
   * @param timeoutMs - the deadline
   * @returns whether the client closed before the deadline
   */
  async disconnect(timeoutMs: number): Promise<boolean> {
    if (!this.#consumer.isConnected()) return true;
    const closing = new Promise<void>((resolve) => {
      this.#consumer.disconnect(() => {
        resolve();
      });
    });
    return settlesWithin(closing, timeoutMs);
  }
}
