/**
 * What the engine does with a failure the consumer client reports outside a call: a missing topic is
 * named (the topic watch), failures during the start are kept for the start's error, and others become
 * typed errors, emitted as `error` and logged (the same one at most every five minutes). It also knows
 * whether the brokers are down: from an "all brokers down" report until records, a confirmed commit or
 * a metadata probe show them back.
 */
import type { KafkaClientError } from '../errors.js';
import type { Logger } from '../consumer/options.js';
import { runningClientError } from './client-errors.js';
import { type ClientFailure, toFailure } from './client.js';
import type { Emit } from './emit.js';

/** The same client failure is logged at most this often (it is emitted as `error` every time). */
const clientErrorRepeatMs = 5 * 60_000;
/** While brokers are down, how often a metadata request checks whether they are back. */
const brokerProbeIntervalMs = 2_000;

/** What the failure handling needs from the engine around it. */
export interface ClientFailuresContext {
  readonly logger: Logger;
  /** The bootstrap servers, for messages. */
  readonly brokers: string;
  /** A subscribed topic: the probe asks for its metadata (undefined: for every topic's). */
  readonly probeTopic: string | undefined;
  /** Setting values never shown in a message. */
  readonly secrets: readonly string[];
  readonly emit: Emit;
  /** Whether a failure says that a subscribed topic does not exist. */
  isUnknownTopic(failure: ClientFailure): boolean;
  /** A subscribed topic is missing: name it. */
  topicMissing(): void;
  /** Whether the engine is starting (failures are kept for the start's error) or running. */
  phase(): 'starting' | 'running' | 'other';
  /** Whether a broker answers a metadata request for `topic` (undefined: every topic) in time. */
  reachable(topic: string | undefined, timeoutMs: number): Promise<boolean>;
  /** The client failed for good: stop. */
  fatal(): void;
}

/** Client failures outside a call, and whether the brokers are down. */
export class ClientFailures {
  readonly #context: ClientFailuresContext;
  /** When each client failure (code and message) was last logged. */
  readonly #logged = new Map<string, number>();
  /** Failures reported while the engine was starting. */
  readonly startup: ClientFailure[] = [];
  #brokersDown = false;
  #probe: NodeJS.Timeout | undefined;

  constructor(context: ClientFailuresContext) {
    this.#context = context;
  }

  /** From an "all brokers down" report until the brokers answered again. */
  get brokersDown(): boolean {
    return this.#brokersDown;
  }

  /** The brokers answered (records arrived, or a commit was confirmed). */
  answered(): void {
    this.#brokersDown = false;
  }

  /** Handles a failure the client reported or threw. */
  report(thrown: unknown): void {
    const context = this.#context;
    const failure = toFailure(thrown);
    // A subscribed topic does not exist (librdkafka names none): name it, and wait for it.
    if (context.isUnknownTopic(failure)) {
      context.topicMissing();
      return;
    }
    const phase = context.phase();
    if (phase === 'starting') {
      this.startup.push(failure);
      return;
    }
    const error = runningClientError(failure, context.secrets, 'Kafka', context.brokers);
    const wasDown = this.#brokersDown;
    if (error.code === 'ERR_HONO_BROKERS_DOWN') {
      this.#brokersDown = true;
      if (phase === 'running') this.#watchBrokers();
    }
    if (error.code !== 'ERR_HONO_BROKERS_DOWN' || !wasDown) {
      this.#log(error);
      context.emit('error', error);
    }
    if (failure.isFatal) context.fatal();
  }

  /**
   * Reports a typed error of another client (the dead-letter producer): logged like the consumer
   * client's failures, and emitted as `error`.
   */
  publish(error: KafkaClientError): void {
    this.#log(error);
    this.#context.emit('error', error);
  }

  /** Ends the broker probe. */
  close(): void {
    clearInterval(this.#probe);
    this.#probe = undefined;
  }

  /**
   * Logs a client failure that is emitted as `error`: fatal ones, refused logins and certificates, and
   * protocol mismatches at `error`, others at `warn`; the same failure again (code and message) at most
   * once per {@link clientErrorRepeatMs}.
   */
  #log(error: KafkaClientError): void {
    const key = `${error.code}\u0000${error.message}`;
    const now = Date.now();
    const last = this.#logged.get(key);
    if (last !== undefined && now - last < clientErrorRepeatMs) return;
    if (this.#logged.size >= 100) this.#logged.clear();
    this.#logged.set(key, now);
    const serious =
      error.code === 'ERR_HONO_KAFKA_FATAL' ||
      error.code === 'ERR_HONO_AUTHENTICATION' ||
      error.code === 'ERR_HONO_TLS' ||
      error.code === 'ERR_HONO_PROTOCOL_MISMATCH';
    this.#context.logger[serious ? 'error' : 'warn'](error.message, { code: error.code });
  }

  /**
   * Brokers are down: records and commit answers show when they are back, but an idle consumer has
   * neither. A small metadata request every {@link brokerProbeIntervalMs} tells, for `health()`.
   */
  #watchBrokers(): void {
    if (this.#probe !== undefined) return;
    const context = this.#context;
    let probing = false;
    const probe = setInterval(() => {
      const topic = context.probeTopic;
      if (!this.#brokersDown || context.phase() !== 'running') {
        this.close();
        return;
      }
      if (probing) return;
      probing = true;
      void context.reachable(topic, brokerProbeIntervalMs).then((up) => {
        probing = false;
        if (up) this.#brokersDown = false;
      });
    }, brokerProbeIntervalMs);
    probe.unref();
    this.#probe = probe;
  }
}
