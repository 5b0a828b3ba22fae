/**
 * A producer that resolves each send once the broker acknowledged it (acks=all, idempotent), for the
 * dead-letter topic (the consumer commits past a dead-lettered record only after that acknowledgement)
 * and for the command client's commands.
 */
import kafka from '@confluentinc/kafka-javascript';
import { wireValue } from '../wire/bytes.js';
import { toClientFailure } from './rdkafka-consumer.js';
import type { ClientSettings, OutgoingRecord, ProducerListeners } from '../engine/client.js';
import type { CommandProducerClient, SendWaiter } from '../commands/response-reader-client.js';

type Settings = ClientSettings;

/** A producer with acknowledged sends. */
export class RdkafkaProducer implements CommandProducerClient {
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
      // Each record carries its own waiter as the opaque value.
      const waiter = report.opaque as SendWaiter | undefined;
      if (error === null || error === undefined) waiter?.acknowledged();
      else waiter?.failed(toClientFailure(error));
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
    return new Promise<void>((resolve, reject) => {
      this.sendTo(record, { acknowledged: resolve, failed: reject });
    });
  }

  /**
   * Writes a record and tells `waiter` of its delivery report: the command client's path, with no
   * promise per record.
   *
   * @param record - the record
   * @param waiter - told once: acknowledged, or failed with the client's failure
   */
  sendTo(record: OutgoingRecord, waiter: SendWaiter): void {
    try {
      this.#producer.produce(
        record.topic,
        null,
        wireValue(record.value),
        record.key,
        Date.now(),
        // The delivery report hands the waiter back: no table of pending sends to keep.
        waiter,
        // The client only reads the headers (its types ask for a mutable list): no copy.
        record.headers as kafka.MessageHeader[],
      );
    } catch (error) {
      waiter.failed(toClientFailure(error));
    }
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
