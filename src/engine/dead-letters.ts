/**
 * The dead-letter producer as the engine uses it: one {@link ProducerClient} at a time, made again after a
 * fatal error, with every failure turned into a typed {@link KafkaClientError}.
 *
 * Why it exists: a producer that hit a fatal error (librdkafka's idempotent producer, for example, when
 * it can no longer keep its sequence numbers) refuses every later write. Made once, it would fail every
 * dead-letter write until the process restarts, and with it every partition whose records fail for
 * good would stay stuck. Here the broken producer is closed in the background, a new one is made and
 * connected, and the writes go on through the new one.
 *
 * @module
 */
import { settlesWithin } from '../deadline.js';
import { KafkaClientError, StateError } from '../errors.js';
import {
  ClientFailure,
  type OutgoingRecord,
  type ProducerClient,
  type ProducerListeners,
  toFailure,
} from './client.js';
import { clientError, connectError } from './client-errors.js';

/** What {@link DeadLetters} needs. */
export interface DeadLettersOptions {
  /**
   * Makes a producer that reports to `listeners`; the engine passes
   * `(listeners) => factories.producer(settings, listeners)`. Called once in the constructor and once
   * per recreation.
   */
  readonly makeProducer: (listeners: ProducerListeners) => ProducerClient;
  /** The dead-letter topic, named in messages. */
  readonly topic: string;
  /**
   * Receives every failure that no send or connect call returns: client errors (brokers down, ...),
   * fatal errors, and recreations that failed. It must not throw.
   */
  readonly report: (error: KafkaClientError) => void;
  /** Values to scrub from every message. */
  readonly secrets: readonly string[];
  /** The bootstrap servers, named in messages. */
  readonly brokers: string;
  /**
   * How long a producer made again may take to connect.
   *
   * @defaultValue the timeout given to {@link DeadLetters.connect}
   */
  readonly reconnectTimeoutMs?: number | undefined;
  /**
   * How long closing a broken producer may take; a write still on its way through it is tried on the
   * new producer after this at the latest.
   *
   * @defaultValue 5000
   */
  readonly brokenCloseTimeoutMs?: number | undefined;
  /**
   * The least time between making one producer and making the next; it doubles with each recreation,
   * up to {@link DeadLettersOptions.maxRecreateDelayMs}, and falls back to this once a write was acknowledged.
   *
   * @defaultValue 1000
   */
  readonly firstRecreateDelayMs?: number | undefined;
  /**
   * The most time between making one producer and making the next.
   *
   * @defaultValue 30000
   */
  readonly maxRecreateDelayMs?: number | undefined;
}

/** The defaults of the optional fields of {@link DeadLettersOptions}. */
export const deadLettersDefaults = {
  brokenCloseTimeoutMs: 5_000,
  firstRecreateDelayMs: 1_000,
  maxRecreateDelayMs: 30_000,
} as const;

/** A promise with its resolve function outside. */
interface Signal {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

function signal(): Signal {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** One producer and what is known about it. */
interface Generation {
  readonly producer: ProducerClient;
  /** Whether its connect() is running: failures reported meanwhile explain a failed connect. */
  connecting: boolean;
  /** The failures reported while it connected. */
  readonly seen: ClientFailure[];
  /** The fatal failure (or failed connect) that broke it; writes go to the next producer. */
  broken: ClientFailure | undefined;
  /** Its close, once started (after it broke, or by {@link DeadLetters.disconnect}). */
  closing: Promise<void> | undefined;
  /**
   * The sends on their way through it, each with the function that ends it. When the producer is
   * given up (its close ended or ran out of time), the sends it still holds end with the failure that
   * broke it: a broken producer may never answer for them.
   */
  readonly onTheirWay: Set<(failure: ClientFailure) => void>;
}

/** Why a send ended without an answer after {@link DeadLetters.disconnect}. */
function closedFailure(): ClientFailure {
  return new ClientFailure(
    -1,
    'the dead-letter producer was closed',
    { isFatal: false, isRetriable: false },
    undefined,
  );
}

/**
 * Writes dead letters through a producer that is made again after a fatal error.
 *
 * - {@link DeadLetters.send} resolves once the broker acknowledged the record, and otherwise rejects with
 *   a {@link KafkaClientError} (operation `deadLetter`).
 * - A fatal error, reported by the producer or by a rejected send, breaks the producer: it is closed in
 *   the background (bounded by `brokenCloseTimeoutMs`), a new one is made and connected (bounded by
 *   `reconnectTimeoutMs`), and later sends use it. Sends that come meanwhile wait for that one
 *   recreation. A send that failed because of the fatal error is tried once more on the new producer.
 * - Recreations never run in a tight loop: one starts at least `firstRecreateDelayMs` (1 s) after the
 *   previous producer was made, and that delay doubles with each recreation, up to `maxRecreateDelayMs`
 *   (30 s); an acknowledged write sets it back to 1 s. A recreation whose connect failed is not tried
 *   again on its own: the next send tries, after the delay.
 * - Other client errors (brokers down, ...) go to `report`, as typed errors that name the dead-letter
 *   producer; failures reported while a producer connects explain a failed connect instead.
 *
 * @example
 * ```ts
 * const deadLetters = new DeadLetters({
 *   makeProducer: (listeners) => factories.producer(settings, listeners),
 *   topic: 'hono.event.acme.dlq',
 *   report: (error) => consumer.emit('error', error),
 *   secrets,
 *   brokers: 'kafka:9092',
 * });
 * await deadLetters.connect(10_000);
 * await deadLetters.send(deadLetterRecord(record, 'hono.event.acme.dlq', error, attempts));
 * await deadLetters.disconnect(5_000);
 * ```
 */
export class DeadLetters {
  readonly #options: DeadLettersOptions;
  readonly #brokenCloseTimeoutMs: number;
  readonly #firstDelayMs: number;
  readonly #maxDelayMs: number;
  #reconnectTimeoutMs: number | undefined;
  #state: 'new' | 'connecting' | 'open' | 'failed' | 'closed' = 'new';
  #current: Generation;
  /** The recreation under way, shared by every send that waits for it. */
  #replacing: Promise<Generation> | undefined;
  /** Closes of producers still running (broken ones, and the current one after disconnect). */
  readonly #closing = new Set<Promise<void>>();
  /** When the current producer was made (connect or recreation), for the back-off. */
  #madeAt = 0;
  /** The least time from {@link DeadLetters.#madeAt} to the next recreation. */
  #delayMs: number;
  #recreations = 0;
  /** A producer broke while a recreation was under way: another one follows it. */
  #replaceAgain = false;
  readonly #closed = signal();
  #disconnecting: Promise<boolean> | undefined;

  /**
   * Makes the first producer; connects nothing yet.
   *
   * @param options - how to make producers, where failures go, and the bounds
   * @throws whatever `makeProducer` throws (a refused setting): the engine turns it into an options error
   */
  constructor(options: DeadLettersOptions) {
    this.#options = options;
    this.#reconnectTimeoutMs = options.reconnectTimeoutMs;
    this.#brokenCloseTimeoutMs = options.brokenCloseTimeoutMs ?? deadLettersDefaults.brokenCloseTimeoutMs;
    this.#firstDelayMs = options.firstRecreateDelayMs ?? deadLettersDefaults.firstRecreateDelayMs;
    this.#maxDelayMs = options.maxRecreateDelayMs ?? deadLettersDefaults.maxRecreateDelayMs;
    this.#delayMs = this.#firstDelayMs;
    this.#current = this.#make();
  }

  /** How many times a producer was made again after a fatal error (attempts, also failed ones). */
  get recreations(): number {
    return this.#recreations;
  }

  /**
   * Connects the producer. Failures the producer reports meanwhile explain a failed connect; when it
   * fails, the producer is closed in the background.
   *
   * @param timeoutMs - how long the connect may take; also the connect bound of recreations, unless
   *   `reconnectTimeoutMs` was given
   * @throws {@link KafkaClientError} whose message says that the dead-letter producer could not connect,
   *   and why
   * @throws {@link StateError} when called twice, or after {@link DeadLetters.disconnect}
   */
  async connect(timeoutMs: number): Promise<void> {
    if (this.#state !== 'new')
      throw new StateError(`dead-letter producer: connect() in state ${this.#state}`);
    this.#state = 'connecting';
    this.#reconnectTimeoutMs ??= timeoutMs;
    this.#madeAt = Date.now();
    const generation = this.#current;
    try {
      await this.#connect(generation, timeoutMs);
    } catch (failure) {
      if (!this.#isClosed()) this.#state = 'failed';
      generation.broken = toFailure(failure);
      this.#close(generation, this.#brokenCloseTimeoutMs);
      throw this.#connectError(failure, generation.seen, '');
    }
    if (this.#isClosed()) throw this.#closedError();
    this.#state = 'open';
    this.#afterConnect(generation);
  }

  /**
   * Writes a record and resolves once the broker acknowledged it. While the producer is made again,
   * waits for that; when the producer broke while the record was on its way, tries once more on the new
   * one.
   *
   * @param record - the dead letter (see `deadLetterRecord`)
   * @throws {@link KafkaClientError} when the write was refused or timed out, when no new producer could
   *   be made and connected, or after {@link DeadLetters.disconnect}
   */
  async send(record: OutgoingRecord): Promise<void> {
    const first = await this.#usable();
    const failure = await this.#sendOn(first, record);
    if (failure === undefined) return;
    if (this.#isClosed()) throw this.#closedError();
    if (failure.isFatal && first.broken === undefined) this.#break(first, failure);
    if (first.broken === undefined) throw this.#sendError(failure);
    // The producer broke while the record was on its way. The record processor would try again anyway,
    // but only after its own delay and with an error event for a write that could not have succeeded.
    const second = await this.#usable();
    const again = await this.#sendOn(second, record);
    if (again === undefined) return;
    if (this.#isClosed()) throw this.#closedError();
    if (again.isFatal && second.broken === undefined) this.#break(second, again);
    throw this.#sendError(again);
  }

  /**
   * Closes the current producer (and waits for broken ones still closing). Sends waiting for a
   * recreation reject at once; sends on their way end when the close ended or ran out of time. Calling
   * it again returns the first call's answer.
   *
   * @param timeoutMs - how long the close may take
   * @returns whether every producer closed within `timeoutMs`
   */
  disconnect(timeoutMs: number): Promise<boolean> {
    this.#disconnecting ??= this.#disconnect(timeoutMs);
    return this.#disconnecting;
  }

  async #disconnect(timeoutMs: number): Promise<boolean> {
    this.#state = 'closed';
    this.#closed.resolve();
    // A producer that is still connecting (a recreation) is the current one: it is closed too.
    this.#close(this.#current, timeoutMs);
    return await settlesWithin(Promise.all(this.#closing), timeoutMs);
  }

  /** Whether {@link DeadLetters.disconnect} was called (a method: the state changes across awaits). */
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  /** A new producer whose failures are told apart from those of earlier ones. */
  #make(): Generation {
    const listeners: ProducerListeners = {
      clientError: (failure) => {
        this.#onClientError(generation, failure);
      },
    };
    // Assigned before the listeners can run: the client reports nothing while it is being made.
    const generation: Generation = {
      producer: this.#options.makeProducer(listeners),
      connecting: false,
      seen: [],
      broken: undefined,
      closing: undefined,
      onTheirWay: new Set(),
    };
    return generation;
  }

  async #connect(generation: Generation, timeoutMs: number): Promise<void> {
    generation.connecting = true;
    try {
      await generation.producer.connect(timeoutMs);
    } finally {
      generation.connecting = false;
    }
  }

  /** A fatal error reported while the producer connected, yet it connected: it is broken all the same. */
  #afterConnect(generation: Generation): void {
    const fatal = generation.seen.find((failure) => failure.isFatal);
    if (fatal !== undefined) this.#break(generation, fatal);
  }

  #onClientError(generation: Generation, failure: ClientFailure): void {
    // A producer that was replaced or is being closed: what it says now is about its own end, and was
    // reported when it broke.
    if (this.#isClosed() || generation !== this.#current || generation.broken !== undefined) return;
    if (generation.connecting) {
      generation.seen.push(failure);
      return;
    }
    if (failure.isFatal) {
      this.#break(generation, failure);
      return;
    }
    this.#options.report(
      clientError(
        failure,
        this.#options.secrets,
        [],
        `the dead-letter producer for topic ${this.#options.topic}`,
        this.#options.brokers,
      ),
    );
  }

  /** The producer cannot go on: close it, make the next one now (not at the next send), and say so. */
  #break(generation: Generation, failure: ClientFailure): void {
    generation.broken = failure;
    this.#close(generation, this.#brokenCloseTimeoutMs);
    const open = this.#state === 'open';
    if (open) this.#replaceInBackground();
    const next = open ? ' is closed and made again after a fatal error' : ' hit a fatal error';
    // Last: bookkeeping is done even when the listener misbehaves.
    this.#options.report(
      clientError(
        failure,
        this.#options.secrets,
        [],
        `the dead-letter producer for topic ${this.#options.topic}${next}`,
        this.#options.brokers,
      ),
    );
  }

  /**
   * Closes a producer in the background; its sends still on their way end when the close ended or
   * after `timeoutMs`, whichever comes first.
   */
  #close(generation: Generation, timeoutMs: number): void {
    if (generation.closing !== undefined) return;
    const closing = (async () => {
      try {
        await generation.producer.disconnect(timeoutMs);
      } catch {
        // A producer that fails to close is dropped all the same; its failure says nothing new.
      }
    })();
    generation.closing = closing;
    this.#closing.add(closing);
    void closing.finally(() => this.#closing.delete(closing));
    void settlesWithin(closing, timeoutMs).then(() => {
      const failure = generation.broken ?? closedFailure();
      for (const end of generation.onTheirWay) end(failure);
      generation.onTheirWay.clear();
    });
  }

  /** The producer to send with: the current one, or the one being made to replace it. */
  async #usable(): Promise<Generation> {
    if (this.#isClosed()) throw this.#closedError();
    if (this.#state !== 'open') {
      throw new KafkaClientError(
        'ERR_HONO_KAFKA',
        `deadLetter: the dead-letter producer for topic ${this.#options.topic} is not connected`,
      );
    }
    if (this.#replacing === undefined && this.#current.broken === undefined) return this.#current;
    const closed = this.#closed.promise.then(() => {
      throw this.#closedError();
    });
    return await Promise.race([this.#replacement(), closed]);
  }

  /** The recreation under way, or a new one. */
  #replacement(): Promise<Generation> {
    this.#replacing ??= this.#replace().finally(() => {
      this.#replacing = undefined;
      // The producer it made broke before this promise settled: make the next one now too.
      if (this.#replaceAgain && this.#state === 'open' && this.#current.broken !== undefined) {
        this.#replaceInBackground();
      }
      this.#replaceAgain = false;
    });
    return this.#replacing;
  }

  /** Starts a recreation without a send waiting for it, or asks the running one for another. */
  #replaceInBackground(): void {
    if (this.#replacing !== undefined) {
      this.#replaceAgain = true;
      return;
    }
    // The recreation reports its own failures; nobody else waits for this promise.
    this.#replacement().catch(() => undefined);
  }

  /**
   * Makes and connects producers until one connected without a fatal error, each after the back-off;
   * stops at the first that could not be made or connected.
   */
  async #replace(): Promise<Generation> {
    for (;;) {
      const generation = await this.#replaceOnce();
      // A fatal error while it connected: broken already (reported by #break); the next one waits for
      // the back-off like any other.
      const fatal = generation.seen.find((failure) => failure.isFatal);
      if (fatal === undefined) return generation;
      this.#break(generation, fatal);
      // This loop makes the next one; #break asked for it again only because this one still runs.
      this.#replaceAgain = false;
    }
  }

  async #replaceOnce(): Promise<Generation> {
    const wait = this.#madeAt + this.#delayMs - Date.now();
    if (wait > 0) await this.#sleep(wait);
    if (this.#isClosed()) throw this.#closedError();
    this.#delayMs = Math.min(this.#delayMs * 2, this.#maxDelayMs);
    this.#madeAt = Date.now();
    this.#recreations++;
    let generation: Generation;
    try {
      generation = this.#make();
    } catch (failure) {
      // The settings passed when the first producer was made; this is a resource problem, and the
      // next send tries again after the delay.
      const error = this.#connectError(failure, [], ', made again after a fatal error,');
      this.#options.report(error);
      throw error;
    }
    this.#current = generation;
    try {
      // Set by connect(), which came first.
      await this.#connect(generation, this.#reconnectTimeoutMs ?? 0);
    } catch (failure) {
      if (this.#isClosed()) throw this.#closedError();
      // A producer that did not connect is broken too: the next send makes another one, after the delay.
      generation.broken = toFailure(failure);
      this.#close(generation, this.#brokenCloseTimeoutMs);
      const error = this.#connectError(failure, generation.seen, ', made again after a fatal error,');
      this.#options.report(error);
      throw error;
    }
    if (this.#isClosed()) throw this.#closedError();
    return generation;
  }

  /** Waits `ms`, or less when {@link DeadLetters.disconnect} is called. */
  async #sleep(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
      this.#closed.promise,
    ]);
    clearTimeout(timer);
  }

  /**
   * Sends through one producer.
   *
   * @returns undefined once acknowledged, else the failure; a send still on its way when the producer is
   *   given up fails with the failure that broke it
   */
  async #sendOn(generation: Generation, record: OutgoingRecord): Promise<ClientFailure | undefined> {
    // Closed between the choice of the producer and now (disconnect() or a fatal error).
    if (generation.closing !== undefined) return generation.broken ?? closedFailure();
    let sending: Promise<void>;
    try {
      sending = generation.producer.send(record);
    } catch (failure) {
      return toFailure(failure);
    }
    let end: (failure: ClientFailure) => void = () => undefined;
    const givenUp = new Promise<ClientFailure>((resolve) => {
      end = resolve;
    });
    generation.onTheirWay.add(end);
    const result = await Promise.race([sending.then(() => undefined, toFailure), givenUp]);
    // Removed either way, so that a producer that lives long holds nothing of the sends it answered.
    generation.onTheirWay.delete(end);
    if (result === undefined) this.#delayMs = this.#firstDelayMs;
    return result;
  }

  #sendError(failure: ClientFailure): KafkaClientError {
    return clientError(failure, this.#options.secrets, [], 'deadLetter');
  }

  /**
   * The error of a connect that failed, naming the dead-letter producer (the translation alone would
   * read as if the consumer could not connect).
   */
  #connectError(failure: unknown, seen: readonly ClientFailure[], how: string): KafkaClientError {
    const base = connectError(toFailure(failure), seen, this.#options.secrets, this.#options.brokers);
    return new KafkaClientError(
      base.code,
      `the dead-letter producer for topic ${this.#options.topic}${how} ${base.message}`,
      { cause: base.cause, retriable: base.retriable },
    );
  }

  #closedError(): KafkaClientError {
    return new KafkaClientError(
      'ERR_HONO_KAFKA',
      `deadLetter: the dead-letter producer for topic ${this.#options.topic} was closed (disconnect())`,
    );
  }
}
