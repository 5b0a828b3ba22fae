/**
 * The command client's response readers, one per tenant it sent a request to: made on the tenant's first
 * request, made again after one failed, and closed with the client.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { refusedSettingProblems } from '../consumer/client-settings.js';
import type { ClientFailure } from '../engine/client.js';
import { OptionsError } from '../errors.js';
import { commandResponseTopic } from '../tenant.js';
import type { KafkaRecord } from '../types.js';
import { readerSettings } from './operation.js';
import type { ResolvedCommandClientOptions } from './options.js';
import { ResponseReader } from './response-reader.js';
import type { CommandClientFactories } from './response-reader-client.js';

/**
 * Runs `make` (which makes the command producer) after making a response reader client with the
 * client's settings, as a check of them: a client object holds no thread or socket until it connects.
 *
 * @param clients - the client factories
 * @param options - the client's options
 * @param secrets - setting values never shown
 * @param make - makes what needs the settings
 * @returns what `make` returned
 * @throws {@link OptionsError} naming each pass-through setting librdkafka refuses (`kafka.<name>`)
 */
export function withCheckedSettings<T>(
  clients: CommandClientFactories,
  options: ResolvedCommandClientOptions,
  secrets: readonly string[],
  make: () => T,
): T {
  const ignore = (): void => undefined;
  try {
    clients.responseReader(readerSettings(options, 'settings-check'), {
      rebalance: ignore,
      clientError: ignore,
    });
    return make();
  } catch (error) {
    const tryOne = (settings: Record<string, string | number | boolean>): void => {
      clients.responseReader(
        { 'bootstrap.servers': 'localhost:9092', 'group.id': 'settings-check', ...settings },
        { rebalance: ignore, clientError: ignore },
      );
    };
    throw new OptionsError(refusedSettingProblems(options.kafka, error, tryOne, secrets));
  }
}

/** What the readers need from their client. */
export interface ResponseReadersInit {
  readonly clients: CommandClientFactories;
  readonly options: ResolvedCommandClientOptions;
  /** Receives every record read, of every tenant. */
  readonly onRecord: (record: KafkaRecord) => void;
  /** Receives every failure of a reader, to report it. */
  readonly onFailure: (failure: ClientFailure, tenantId: string) => void;
  /** Told when a tenant's reader failed for good: its pending requests can no longer get a response. */
  readonly onReaderFailed: (failure: ClientFailure, tenantId: string) => void;
}

/** One response reader per tenant. */
export class ResponseReaders {
  readonly #readers = new Map<string, ResponseReader>();
  readonly #init: ResponseReadersInit;

  /** @param init - the client factories, the options and the callbacks */
  constructor(init: ResponseReadersInit) {
    this.#init = init;
  }

  /**
   * The tenant's response reader, made and started on first use, and made again after it failed.
   *
   * @param tenantId - the tenant
   * @returns its reader, ready or getting ready
   */
  of(tenantId: string): ResponseReader {
    const existing = this.#readers.get(tenantId);
    if (existing !== undefined && existing.state !== 'failed' && existing.state !== 'closed') return existing;
    const { clients, options } = this.#init;
    const groupId = `${tenantId}-${randomUUID()}`;
    const reader: ResponseReader = new ResponseReader({
      tenantId,
      topic: commandResponseTopic(tenantId),
      makeClient: (listeners) => clients.responseReader(readerSettings(options, groupId), listeners),
      connectTimeoutMs: options.connectTimeoutMs,
      onRecord: this.#init.onRecord,
      onFailure: (failure, fatal) => {
        this.#init.onFailure(failure, tenantId);
        if (fatal && this.#readers.get(tenantId) === reader) {
          this.#readers.delete(tenantId);
          void reader.close(options.closeTimeoutMs);
          this.#init.onReaderFailed(failure, tenantId);
        }
      },
      isUnknownTopic: (failure) => clients.isUnknownTopic(failure),
      debug: (message, context) => {
        options.logger.debug(message, context);
      },
    });
    this.#readers.set(tenantId, reader);
    return reader;
  }

  /**
   * Closes every reader and forgets them.
   *
   * @param timeoutMs - how long closing may take
   * @returns whether every reader closed in time
   */
  async close(timeoutMs: number): Promise<boolean> {
    const readers = [...this.#readers.values()];
    this.#readers.clear();
    const closed = await Promise.all(readers.map((reader) => reader.close(timeoutMs)));
    return !closed.includes(false);
  }
}
