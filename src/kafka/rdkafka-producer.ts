/**
 * A producer that resolves each send once the broker acknowledged it (acks=all, idempotent), for the
 * dead-letter topic: the consumer commits past a dead-lettered record only after that acknowledgement.
 */
import kafka from '@confluentinc/kafka-javascript';
import { wireValue } from '../wire/bytes.js';
import { toClientFailure } from './rdkafka-consumer.js';
import type { ClientSettings, OutgoingRecord, ProducerClient, ProducerListeners } from '../engine/client.js';

type Settings = ClientSettings;

/** Who waits for one record's delivery report. */
interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** A producer with acknowledged sends. */
export class RdkafkaProducer implements ProducerClient {
  readonly #producer: kafka.Producer;

  /**
   * @param settings - librdkafka settings (brokers, security); acks and idempotence are fixed
   * @param listeners - where failures outside a send go (brokers down, a fatal error)
   */
  constructor(settings: Settings, listeners: ProducerListeners) {
    this.#producer = new kafka.Producer({
      ...settings,
      dr_cb: true,
      acks: -1,
      'enable.idempotence': true,
    });
    this.#producer.on('delivery-report', (error: kafka.LibrdKafkaError | null | undefined, report) => {
      // Each record carries its own waiter as the opaque value: no table of pending sends to keep.
      const waiter = report.opaque as Waiter | undefined;
      if (error === null || error === undefined) waiter?.resolve();
      else waiter?.reject(toClientFailure(error));
    });
    this.#producer.on('event.error', (error) => {
      listeners.clientError(toClientFailure(error));
    });
  }

  /**
   * Connects.
   *
   * @param timeoutMs - how long the first metadata request may take
   */
  async connect(timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#producer.connect({ timeout: timeoutMs }, (error: kafka.LibrdKafkaError | null | undefined) => {
        if (error === null || error === undefined) resolve();
        else reject(toClientFailure(error));
      });
    });
    this.#producer.setPollInterval(20);
  }

  /**
   * Writes a record and resolves once the broker acknowledged it.
   *
   * @param record - the record
   * @throws the client's failure when the write was rejected or timed out
   */
  send(record: OutgoingRecord): Promise<void> {
    // One promise per record, not an async function around it: the command client's one-way commands
    // are sent at the rate of the raw producer.
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      try {
        this.#producer.produce(
          record.topic,
          null,
          wireValue(record.value),
          record.key,
          Date.now(),
          waiter,
          // The client only reads the headers (its types ask for a mutable list): no copy.
          record.headers as kafka.MessageHeader[],
        );
      } catch (error) {
        reject(toClientFailure(error));
      }
    });
  }

  /**
   * Flushes and closes.
   *
   * @param timeoutMs - how long to wait for outstanding writes
   */
  async disconnect(timeoutMs: number): Promise<void> {
    if (!this.#producer.isConnected()) return;
    await new Promise<void>((resolve) => {
      this.#producer.flush(timeoutMs, () => {
        this.#producer.disconnect(timeoutMs, () => {
          resolve();
        });
      });
    });
  }
}
