/**
 * The one module that talks to `@confluentinc/kafka-javascript`'s `KafkaConsumer`: promises instead of
 * callbacks, the methods its type declarations lack, commit results from `offset_commit_cb`, and
 * rebalances handed to the SDK, which calls (incremental) assign and unassign itself, after draining.
 */
import kafka from '@confluentinc/kafka-javascript';
import { settlesWithin } from '../deadline.js';
import { classifyFailure, codeOfErrorText, problems } from './failure-codes.js';
import { diagnoseCertificate, type TlsTrust, tlsBrokerOf } from './tls-diagnosis.js';
import type { TopicPartition, TopicPartitionOffset } from '../types.js';
import {
  ClientFailure,
  type ClientMessage,
  type ClientSettings,
  type ConsumerClient,
  type ConsumerListeners,
} from '../engine/client.js';

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
  unknownTopic: kafka.CODES.ERRORS.ERR_UNKNOWN_TOPIC_OR_PART,
} as const;

/** Turns whatever the client threw or passed into a {@link ClientFailure}. */
export function toClientFailure(error: unknown): ClientFailure {
  const record = (typeof error === 'object' && error !== null ? error : {}) as Partial<
    Record<'code' | 'errno' | 'message' | 'isFatal' | 'isRetriable', unknown>
  >;
  const given =
    typeof record.code === 'number' ? record.code : typeof record.errno === 'number' ? record.errno : -1;
  const text = typeof record.message === 'string' ? record.message : '';
  // `event.error` loses the code (-1) but keeps librdkafka's text for it: the way back to the code.
  const code = given === -1 ? (codeOfErrorText(text) ?? -1) : given;
  const message = text !== '' ? text : `client error ${code}`;
  const flags = {
    isFatal: record.isFatal === true || code === clientCodes.fatal,
    isRetriable: record.isRetriable === true,
  };
  return new ClientFailure(code, message, flags, error);
}

type Settings = ClientSettings;

/** The first connect attempt's timeout; each further attempt doubles it (see {@link RdkafkaConsumer.connect}). */
const firstAttemptMs = 1_500;
/** The least time between the starts of two connect attempts. */
const attemptPauseMs = 500;
/** How long the check of a rejected certificate may take. */
const diagnosisTimeoutMs = 2_000;

/** A librdkafka log line as the client emits it (`event.log`). */
interface ClientLog {
  readonly severity?: number;
  readonly fac?: string;
  readonly message?: string;
}

/**
 * A connection failure from librdkafka's `FAIL` log line, without the thread prefix and the timing in
 * its suffix (`(after 3ms in state SSL_HANDSHAKE, 1 identical error(s) suppressed)` becomes
 * `(in state SSL_HANDSHAKE)`), so that repeats are equal.
 *
 * @param log - the log event
 * @returns the failure (code -1: log lines carry none), or undefined for other log lines
 */
export function connectionFailureOf(log: ClientLog): ClientFailure | undefined {
  if (log.fac !== 'FAIL' || typeof log.message !== 'string') return undefined;
  const message = log.message
    .replace(/^\[thrd:[^\]]*\]: /, '')
    .replace(/ \(after \d+ms in state ([A-Z_]+).*$/, ' (in state $1)')
    .trim();
  return new ClientFailure(-1, message, { isFatal: false, isRetriable: false }, undefined);
}

/**
 * A `KafkaConsumer` with manual rebalances and commit results as callbacks.
 *
 * Offsets are never stored or committed by librdkafka on its own: `enable.auto.commit` and
 * `enable.auto.offset.store` are off, and the SDK commits explicit positions.
 */
export class RdkafkaConsumer implements ConsumerClient {
  readonly #consumer: kafka.KafkaConsumer;
  readonly #runtime: ConsumerRuntime;
  readonly #listeners: ConsumerListeners;
  readonly #trust: TlsTrust;
  /** The client's own connect, while it runs (it may outlive a connect() that gave up early). */
  #connecting: Promise<unknown> | undefined;
  /** Receives librdkafka's connection failures while connect() waits. */
  #onFailureLog: ((failure: ClientFailure) => void) | undefined;

  /**
   * @param settings - librdkafka settings; the SDK's own keys win over the user's pass-through ones
   * @param listeners - where rebalances, commit results and client errors go
   */
  constructor(settings: Settings, listeners: ConsumerListeners) {
    this.#listeners = listeners;
    const text = (key: string): string | undefined =>
      typeof settings[key] === 'string' ? settings[key] : undefined;
    this.#trust = {
      caLocation: text('ssl.ca.location'),
      caPem: text('ssl.ca.pem'),
      checksHostName: text('ssl.endpoint.identification.algorithm')?.toLowerCase() !== 'none',
    };
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
    // librdkafka says why a connection failed only in its log, and at once (error events come later).
    this.#consumer.on('event.log', (log: ClientLog) => {
      if (this.#onFailureLog === undefined) return;
      const failure = connectionFailureOf(log);
      if (failure !== undefined) this.#onFailureLog(failure);
    });
  }

  /**
   * Connects and fetches metadata. Each distinct connection failure that librdkafka logs meanwhile goes
   * to the `clientError` listener; a definitive one (a rejected certificate or login, a listener that
   * speaks another protocol) ends the wait at once.
   *
   * librdkafka's first metadata request cannot be cancelled: it waits its whole timeout for a usable
   * broker and keeps the process alive meanwhile. So the deadline is split into attempts of
   * {@link firstAttemptMs}, doubling: after a definitive failure, the attempt under way ends within
   * seconds, and {@link RdkafkaConsumer.disconnect} closes the client after it.
   *
   * @param timeoutMs - how long connecting may take in all
   * @throws ClientFailure when no broker answers in time, or at once on a definitive failure
   */
  async connect(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const seen = new Set<string>();
    let decided: ClientFailure | undefined;
    let reject: (failure: ClientFailure) => void = () => undefined;
    const definitive = new Promise<never>((_, rejectWith) => {
      reject = rejectWith;
    });
    const giveUp = (failure: ClientFailure): void => {
      decided ??= failure;
      reject(decided);
    };
    const report = (failure: ClientFailure): void => {
      if (seen.has(failure.message)) return;
      seen.add(failure.message);
      this.#listeners.clientError(failure);
      const problem = classifyFailure(failure.code, failure.message);
      const broker = problem === 'certificate' ? tlsBrokerOf(failure.message) : undefined;
      if (broker !== undefined && !seen.has(broker)) {
        // librdkafka does not say whether the CA or the host name is wrong: check once per broker.
        seen.add(broker);
        void diagnoseCertificate(broker, this.#trust, diagnosisTimeoutMs).then((diagnosis) => {
          if (diagnosis !== undefined && this.#onFailureLog !== undefined) {
            report(new ClientFailure(-1, diagnosis, { isFatal: false, isRetriable: false }, failure));
          }
          giveUp(failure);
        });
      } else if (problems[problem].definitive) giveUp(failure);
    };
    this.#onFailureLog = report;
    try {
      for (let attemptMs = firstAttemptMs; ; attemptMs *= 2) {
        const started = Date.now();
        const timeout = Math.max(1, Math.min(attemptMs, deadline - started));
        try {
          await Promise.race([this.#connectOnce(timeout), definitive]);
          return;
        } catch (failure) {
          // Only a failed attempt is tried again: not a definitive failure, nor what connect() threw itself.
          if (Date.now() >= deadline - 1 || !(failure instanceof ClientFailure) || failure === decided) {
            throw failure;
          }
        }
        // An attempt that failed early (a broker that closed the connection) is not repeated at once.
        const pause = Math.min(attemptPauseMs - (Date.now() - started), deadline - Date.now());
        if (pause > 0) await Promise.race([new Promise((resolve) => setTimeout(resolve, pause)), definitive]);
      }
    } finally {
      this.#onFailureLog = undefined;
    }
  }

  /** One connect of the client: it creates the native client and fetches metadata once. */
  #connectOnce(timeoutMs: number): Promise<void> {
    const connecting = new Promise<void>((resolve, reject) => {
      this.#consumer.connect({ timeout: timeoutMs }, (error: kafka.LibrdKafkaError | null | undefined) => {
        this.#connecting = undefined;
        if (error === null || error === undefined) resolve();
        else reject(toClientFailure(error));
      });
    });
    this.#connecting = connecting.catch(() => undefined);
    return connecting;
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
   * @param topic - a subscribed topic (keeps the request small); undefined asks for every topic
   * @param timeoutMs - how long to wait for the answer
   */
  async reachable(topic: string | undefined, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      try {
        const request = topic === undefined ? { allTopics: true } : { topic };
        this.#consumer.getMetadata({ ...request, timeout: timeoutMs }, (error: unknown) => {
          resolve(error === null || error === undefined);
        });
      } catch {
        resolve(false);
      }
    });
  }

  // --- Topics that appear after the start (missing-topic warnings, startFrom 'latest'): ---

  /** The logical offset "the partition's beginning" (`RD_KAFKA_OFFSET_BEGINNING`), for {@link assign}. */
  static readonly beginning = -2;

  /**
   * The names of the topics the cluster has now (one metadata request for all topics).
   *
   * @param timeoutMs - how long to wait for the answer
   * @returns the topic names, or undefined when no broker answered in time
   */
  async topicNames(timeoutMs: number): Promise<Set<string> | undefined> {
    return new Promise((resolve) => {
      try {
        this.#consumer.getMetadata(
          { allTopics: true, timeout: timeoutMs },
          (error: kafka.LibrdKafkaError | null | undefined, metadata: kafka.Metadata) => {
            const ok = error === null || error === undefined;
            resolve(ok ? new Set(metadata.topics.map((topic) => topic.name)) : undefined);
          },
        );
      } catch {
        resolve(undefined);
      }
    });
  }

  /**
   * The group's committed positions of partitions (`undefined`: none committed).
   *
   * @param partitions - the partitions
   * @param timeoutMs - how long to wait for the answer
   * @returns the positions, or undefined when the broker did not answer in time
   */
  async committed(
    partitions: readonly TopicPartition[],
    timeoutMs: number,
  ): Promise<{ topic: string; partition: number; offset: number | undefined }[] | undefined> {
    return new Promise((resolve) => {
      try {
        this.#consumer.committed(
          [...partitions],
          timeoutMs,
          (
            error: kafka.LibrdKafkaError | null | undefined,
            offsets: kafka.TopicPartitionOffsetAndMetadata[],
          ) => {
            if (error !== null && error !== undefined) resolve(undefined);
            else
              resolve(
                offsets.map(({ topic, partition, offset }) => ({
                  topic,
                  partition,
                  offset: typeof offset === 'number' && offset >= 0 ? offset : undefined,
                })),
              );
          },
        );
      } catch {
        resolve(undefined);
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
    const connecting = this.#connecting;
    if (connecting !== undefined) {
      // connect() gave up early, the client's attempt still runs: close once it ended, in the background.
      void connecting.then(() => this.disconnect(timeoutMs));
      return true;
    }
    if (!this.#consumer.isConnected()) return true;
    const closing = new Promise<void>((resolve) => {
      this.#consumer.disconnect(() => {
        resolve();
      });
    });
    return settlesWithin(closing, timeoutMs);
  }
}
