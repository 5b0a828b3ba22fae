/**
 * Matches the records read from `hono.command_response.<tenant>` to the requests waiting for them, by
 * `correlation-id`, as Hono's `KafkaBasedCommandSender` does: a response for no pending request (another
 * instance's, a late one, a duplicate) is ignored and nothing is kept of it; one that does not decode is
 * reported, and rejects its request if it names one; one whose `ttl` has passed is skipped, as Hono's
 * sender skips it (`respectTtl`), and its request waits on.
 *
 * @module
 */
import { type DecodeError, isDecodeError, thrownMessage } from '../errors.js';
import type { Logger } from '../consumer/options.js';
import type { KafkaRecord } from '../types.js';
import { type CommandResponse, decodeCommandResponse } from '../wire/commands.js';
import type { Operation } from './operation.js';
import type { PendingCalls } from './pending-calls.js';

/**
 * How long ago a response expired: `ttl` and `creation-time` both set and their sum passed, as Hono's
 * `KafkaRecordHelper.isTtlElapsed` decides; `undefined` for one that has not (or cannot) expire.
 *
 * @param response - a decoded response
 * @param now - the time to compare with, in ms since the epoch
 * @returns ms since it expired, or `undefined`
 */
export function expiredByMs(response: CommandResponse, now: number): number | undefined {
  if (response.kind !== 'response' || response.ttlMs === undefined || response.creationTime === undefined) {
    return undefined;
  }
  const expiry = response.creationTime + response.ttlMs;
  return expiry < now ? now - expiry : undefined;
}

/** What the matcher needs from its client. */
export interface ResponseMatcherInit {
  /** The calls under way: a matched request ends through it. */
  readonly calls: PendingCalls;
  /** Where matching logs. */
  readonly logger: Logger;
  /** Reports a record that is no valid command response (the client's `invalidResponse` event). */
  readonly invalidResponse: (error: DecodeError) => void;
}

/** The requests waiting for their responses, by correlation id, and the matching of what is read. */
export class ResponseMatcher {
  readonly #requests = new Map<string, Operation>();
  readonly #init: ResponseMatcherInit;

  /** @param init - the calls, the logger and the invalid-response report */
  constructor(init: ResponseMatcherInit) {
    this.#init = init;
  }

  /** The number of requests waiting for their responses. */
  get size(): number {
    return this.#requests.size;
  }

  /**
   * Makes a request wait for the response with its correlation id.
   *
   * @param operation - a request (with a correlation id)
   */
  add(operation: Operation): void {
    if (operation.correlationId !== undefined) this.#requests.set(operation.correlationId, operation);
  }

  /**
   * Forgets a request that ended, so that a response coming later is ignored.
   *
   * @param operation - any call that ended
   */
  forget(operation: Operation): void {
    if (operation.correlationId !== undefined && this.#requests.get(operation.correlationId) === operation) {
      this.#requests.delete(operation.correlationId);
    }
  }

  /**
   * The requests of a tenant still waiting.
   *
   * @param tenantId - the tenant
   * @returns a copy: ending them while iterating is safe
   */
  pendingOf(tenantId: string): Operation[] {
    return [...this.#requests.values()].filter((operation) => operation.tenantId === tenantId);
  }

  /**
   * Matches a record read to the request waiting for it; everything else is ignored or reported.
   *
   * @param record - a record of `hono.command_response.<tenant>`
   */
  onRecord(record: KafkaRecord): void {
    let response: CommandResponse;
    try {
      response = decodeCommandResponse(record);
    } catch (error) {
      if (isDecodeError(error)) this.#invalid(error);
      else this.#init.logger.error('decoding a command response threw', { error: thrownMessage(error) });
      return;
    }
    const operation = this.#requests.get(response.correlationId);
    if (operation === undefined || operation.tenantId !== response.tenantId) {
      // Another instance's response, a late one or a duplicate: nothing is kept of it.
      this.#init.logger.debug('command response for no pending request', {
        correlationId: response.correlationId,
        topic: record.topic,
        offset: record.offset,
      });
      return;
    }
    const lateMs = expiredByMs(response, Date.now());
    if (lateMs !== undefined) {
      // As Hono's sender (`respectTtl`): an expired response does not count; the request waits on.
      operation.expiredResponseLateMs = lateMs;
      this.#init.logger.debug('expired command response skipped', {
        correlationId: response.correlationId,
        creationTime: response.creationTime,
        ttlMs: response.kind === 'response' ? response.ttlMs : undefined,
        lateMs,
        topic: record.topic,
        offset: record.offset,
      });
      return;
    }
    this.#init.calls.settle(operation, () => {
      operation.observation?.responseRead(record);
      operation.resolve(response);
    });
  }

  #invalid(error: DecodeError): void {
    const operation = error.correlationId === undefined ? undefined : this.#requests.get(error.correlationId);
    const context = {
      code: error.code,
      topic: error.record.topic,
      partition: error.record.partition,
      offset: error.record.offset,
    };
    if (operation !== undefined || error.correlationId === undefined) {
      this.#init.logger.warn(`invalid command response: ${error.message}`, context);
    } else this.#init.logger.debug(`invalid command response: ${error.message}`, context);
    this.#init.invalidResponse(error);
    if (operation !== undefined) {
      this.#init.calls.settle(operation, () => {
        operation.reject(error);
      });
    }
  }
}
