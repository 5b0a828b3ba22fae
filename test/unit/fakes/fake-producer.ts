/**
 * A fake {@link ProducerClient} for unit tests: connects, sends and closes the way each test sets it up,
 * and lets the test report failures through the listeners the producer was made with.
 */
import {
  ClientFailure,
  type OutgoingRecord,
  type ProducerClient,
  type ProducerListeners,
} from '../../../src/engine/client.js';

/** librdkafka's code for a fatal error. */
const fatalCode = -150;

/** A send that waits for the test to answer it. */
export interface HeldSend {
  readonly record: OutgoingRecord;
  readonly acknowledge: () => void;
  readonly fail: (failure: ClientFailure) => void;
}

/** How a fake call behaves: succeed at once, fail at once with a failure, or never settle. */
export type Behaviour = 'succeed' | 'hang' | ClientFailure;

/** A producer whose calls behave as the test says. */
export class FakeProducer implements ProducerClient {
  readonly listeners: ProducerListeners;
  /** When the producer was made (`Date.now()`, fake under fake timers). */
  readonly madeAt = Date.now();
  /** What connect does. */
  connectBehaviour: Behaviour = 'succeed';
  /** What send does: 'hold' keeps each send in {@link FakeProducer.held} until the test answers it. */
  sendBehaviour: Behaviour | 'hold' = 'succeed';
  /** What disconnect does. */
  disconnectBehaviour: Behaviour = 'succeed';
  /** The records acknowledged, in order. */
  readonly acknowledged: OutgoingRecord[] = [];
  /** Sends waiting for an answer (sendBehaviour 'hold'). */
  readonly held: HeldSend[] = [];
  /** The timeout of each connect call. */
  readonly connectTimeouts: number[] = [];
  /** The timeout of each disconnect call. */
  readonly disconnectTimeouts: number[] = [];
  connected = false;

  get connectCalls(): number {
    return this.connectTimeouts.length;
  }

  get disconnectCalls(): number {
    return this.disconnectTimeouts.length;
  }

  constructor(listeners: ProducerListeners) {
    this.listeners = listeners;
  }

  connect(timeoutMs: number): Promise<void> {
    this.connectTimeouts.push(timeoutMs);
    return this.#behave(this.connectBehaviour, () => {
      this.connected = true;
    });
  }

  send(record: OutgoingRecord): Promise<void> {
    const behaviour = this.sendBehaviour;
    if (behaviour !== 'hold') {
      return this.#behave(behaviour, () => this.acknowledged.push(record));
    }
    return new Promise((resolve, reject) => {
      this.held.push({
        record,
        acknowledge: () => {
          this.acknowledged.push(record);
          resolve();
        },
        fail: reject,
      });
    });
  }

  disconnect(timeoutMs: number): Promise<void> {
    this.disconnectTimeouts.push(timeoutMs);
    return this.#behave(this.disconnectBehaviour, () => {
      this.connected = false;
    });
  }

  /** Reports a fatal error, as librdkafka's `event.error` does. */
  fatal(message = 'Fatal error: Local: Inconsistent state: injected'): void {
    this.listeners.clientError(fatalFailure(message));
  }

  /** Reports a failure outside a send. */
  report(failure: ClientFailure): void {
    this.listeners.clientError(failure);
  }

  #behave(behaviour: Behaviour, onSuccess: () => void): Promise<void> {
    if (behaviour === 'hang') return new Promise(() => undefined);
    if (behaviour instanceof ClientFailure) return Promise.reject(behaviour);
    onSuccess();
    return Promise.resolve();
  }
}

/**
 * A fatal client failure.
 *
 * @param message - its message
 * @returns the failure, with librdkafka's fatal code
 */
export function fatalFailure(message = 'Fatal error: Local: Inconsistent state: injected'): ClientFailure {
  return new ClientFailure(fatalCode, message, { isFatal: true, isRetriable: false }, undefined);
}

/**
 * A factory of fake producers that keeps every producer it made.
 *
 * @param setUp - configures each new producer (its index counts from 0)
 * @returns the factory and the producers made so far
 */
export function fakeProducers(setUp: (producer: FakeProducer, index: number) => void = () => undefined): {
  readonly make: (listeners: ProducerListeners) => FakeProducer;
  readonly made: FakeProducer[];
} {
  const made: FakeProducer[] = [];
  return {
    made,
    make: (listeners) => {
      const producer = new FakeProducer(listeners);
      setUp(producer, made.length);
      made.push(producer);
      return producer;
    },
  };
}
