/**
 * How a call of the command client gets its record written: a request first waits until its tenant's
 * response reader is positioned; then every call goes to the producer, straight away when it is connected
 * (the fast path: no promise but the send's), after the connect otherwise; the acknowledgement ends a
 * one-way command or durable send, and moves a request on to waiting for its response.
 *
 * @module
 */
import { type ClientFailure, toFailure } from '../engine/client.js';
import { clientError } from '../engine/client-errors.js';
import { CommandErrorCode, type KafkaClientError } from '../errors.js';
import type { EncodedRecord } from '../wire/types.js';
import type { CommandProducer } from './command-producer.js';
import { commandError, noWait, type Operation } from './operation.js';
import type { PendingCalls } from './pending-calls.js';
import type { ResponseReader } from './response-reader.js';
import type { CommandProducerClient } from './response-reader-client.js';

/** A record, or what makes it at the moment it is written (a fresh `creation-time`). */
export type RecordSource = EncodedRecord | (() => EncodedRecord);

/** Writes the calls' records and ends the calls that the write decides. */
export class CallWriter {
  readonly #producer: CommandProducer;
  readonly #calls: PendingCalls;
  readonly #secrets: readonly string[];
  readonly #brokers: string;

  /**
   * @param producer - the shared producer
   * @param calls - the calls under way, which this writer ends on an acknowledgement or a failure
   * @param secrets - setting values kept out of error messages
   * @param brokers - the bootstrap brokers, named in connection errors
   */
  constructor(producer: CommandProducer, calls: PendingCalls, secrets: readonly string[], brokers: string) {
    this.#producer = producer;
    this.#calls = calls;
    this.#secrets = secrets;
    this.#brokers = brokers;
  }

  /**
   * Writes a request once its tenant's response reader is ready, so that no response is missed; a
   * reader that fails first rejects the request with `ERR_HONO_RESPONSE_READER_FAILED`.
   *
   * @param operation - the request
   * @param reader - its tenant's response reader
   * @param encode - makes the record when it is written
   */
  writeWhenReady(operation: Operation, reader: ResponseReader, encode: () => EncodedRecord): void {
    // A call that ends (times out, closed) while it waits stops waiting: the reader forgets it.
    operation.cancelWait = reader.whenReady((failure) => {
      operation.cancelWait = noWait;
      if (operation.settled) return;
      if (failure === undefined) {
        operation.stage = 'connecting';
        this.write(operation, encode);
      } else this.readerFailed(operation, failure);
    });
  }

  /**
   * Writes a call's record: at once when the producer is connected, else after its connect.
   *
   * @param operation - the call
   * @param record - its record, or what makes it at the moment it is written
   */
  write(operation: Operation, record: RecordSource): void {
    const producer = this.#producer.ready();
    if (producer !== undefined) {
      this.#send(operation, producer, record);
      return;
    }
    this.#producer.connected().then(
      (connected) => {
        if (!operation.settled) this.#send(operation, connected, record);
      },
      (error: unknown) => {
        this.#sendFailed(operation, error);
      },
    );
  }

  /**
   * Rejects a request because its tenant's response reader failed: its response can no longer be read.
   *
   * @param operation - the request
   * @param failure - the reader's failure
   */
  readerFailed(operation: Operation, failure: ClientFailure): void {
    const cause = clientError(
      failure,
      this.#secrets,
      [],
      `Response reader of tenant ${operation.tenantId}`,
      this.#brokers,
    );
    const written = {
      reader: 'nothing was written',
      connecting: 'nothing was written',
      sending: 'the command may still be written; its response cannot be read',
      response: 'the command was written; its response cannot be read',
    }[operation.stage];
    this.#calls.settle(operation, () => {
      operation.reject(
        commandError(
          this.#secrets,
          CommandErrorCode.ResponseReaderFailed,
          `${cause.message}; ${written}`,
          operation,
          operation.correlationId,
          operation.acknowledged,
          true,
          cause,
        ),
      );
    });
  }

  #send(operation: Operation, producer: CommandProducerClient, record: RecordSource): void {
    operation.stage = 'sending';
    let sending: Promise<void>;
    try {
      const written = typeof record === 'function' ? record() : record;
      if (producer.sendTo !== undefined) {
        // The adapter tells a waiter: no promise per command.
        producer.sendTo(written, {
          acknowledged: () => {
            this.#acknowledged(operation);
          },
          failed: (error) => {
            this.#sendFailed(operation, error);
          },
        });
        return;
      }
      sending = producer.send(written);
    } catch (error) {
      this.#sendFailed(operation, error);
      return;
    }
    sending.then(
      () => {
        this.#acknowledged(operation);
      },
      (error: unknown) => {
        this.#sendFailed(operation, error);
      },
    );
  }

  #acknowledged(operation: Operation): void {
    if (operation.settled) return;
    operation.acknowledged = true;
    operation.observation?.acknowledged();
    if (operation.kind === 'request') operation.stage = 'response';
    else if (this.#calls.end(operation)) operation.resolve(undefined);
  }

  #sendFailed(operation: Operation, error: unknown): void {
    if (operation.settled) return;
    const written = operation.stage === 'sending';
    const cause: KafkaClientError = clientError(
      toFailure(error),
      this.#secrets,
      [],
      written ? 'Command producer' : 'Command producer connect',
      this.#brokers,
    );
    this.#calls.settle(operation, () => {
      operation.reject(
        commandError(
          this.#secrets,
          CommandErrorCode.CommandSendFailed,
          written
            ? `the command was not written: ${cause.message}`
            : `the producer could not connect; nothing was written: ${cause.message}`,
          operation,
          operation.correlationId,
          false,
          cause.retriable,
          cause,
        ),
      );
    });
  }
}
