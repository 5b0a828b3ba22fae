/**
 * The command client's producer: connected on first use, shared by every call, and made again after a
 * failed connect or a fatal error (a fatal librdkafka producer cannot send again).
 */
import { settlesWithin } from '../deadline.js';
import { type ClientFailure, type ProducerListeners, toFailure } from '../engine/client.js';
import type { CommandProducerClient } from './response-reader-client.js';

/** One producer client and its connect. */
interface Connection {
  readonly client: CommandProducerClient;
  connecting: Promise<CommandProducerClient> | undefined;
  /** Whether the connect succeeded. */
  connected: boolean;
}

/** A producer that connects when first asked and is replaced when it cannot go on. */
export class CommandProducer {
  readonly #make: (listeners: ProducerListeners) => CommandProducerClient;
  readonly #connectTimeoutMs: number;
  readonly #onFailure: (failure: ClientFailure) => void;
  #current: Connection;
  #closed = false;

  /**
   * Makes the first client (which checks the settings); connects nothing.
   *
   * @param make - makes a producer client with the listeners given
   * @param connectTimeoutMs - how long a connect may take
   * @param onFailure - receives every failure of a client outside a send
   * @throws what `make` throws (a setting librdkafka refuses)
   */
  constructor(
    make: (listeners: ProducerListeners) => CommandProducerClient,
    connectTimeoutMs: number,
    onFailure: (failure: ClientFailure) => void,
  ) {
    this.#make = make;
    this.#connectTimeoutMs = connectTimeoutMs;
    this.#onFailure = onFailure;
    this.#current = this.#newConnection();
  }

  #newConnection(): Connection {
    const connection: Connection = {
      client: this.#make({
        clientError: (failure) => {
          this.#onFailure(failure);
          if (failure.isFatal) this.#replace(connection);
        },
      }),
      connecting: undefined,
      connected: false,
    };
    return connection;
  }

  /** Drops a client that cannot go on: the next call makes a new one. */
  #replace(connection: Connection): void {
    if (this.#current !== connection || this.#closed) return;
    this.#current = this.#newConnection();
    void connection.client.disconnect(this.#connectTimeoutMs).catch(() => undefined);
  }

  /**
   * The producer client if it is connected and was not replaced: the calls' fast path, which waits for
   * no promise.
   *
   * @returns the client, or `undefined` when a call must wait for {@link CommandProducer.connected}
   */
  ready(): CommandProducerClient | undefined {
    const connection = this.#current;
    return connection.connected ? connection.client : undefined;
  }

  /**
   * The connected producer client, connecting it first if needed.
   *
   * @returns the client
   * @throws ClientFailure when it could not connect (the next call tries with a new client)
   */
  async connected(): Promise<CommandProducerClient> {
    const connection = this.#current;
    connection.connecting ??= connection.client.connect(this.#connectTimeoutMs).then(
      () => {
        connection.connected = true;
        return connection.client;
      },
      (error: unknown) => {
        this.#replace(connection);
        throw toFailure(error);
      },
    );
    return connection.connecting;
  }

  /**
   * Flushes what is in flight and closes, within a deadline.
   *
   * @param timeoutMs - how long it may take
   * @returns whether it closed in time
   */
  async close(timeoutMs: number): Promise<boolean> {
    this.#closed = true;
    const connection = this.#current;
    if (connection.connecting === undefined) return true;
    const deadline = Date.now() + timeoutMs;
    const closing = connection.connecting.then(
      () => connection.client.disconnect(Math.max(1, deadline - Date.now())),
      () => undefined,
    );
    return settlesWithin(closing, timeoutMs);
  }
}
