/**
 * `node:diagnostics_channel` messages for the points the OpenTelemetry observer records, for tools that do
 * not use OpenTelemetry: handler calls, polls, commits and records not handled successfully. Nothing is
 * built while a channel has no subscriber.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { EngineEvents } from '../engine/emit.js';
import type { EngineObserver, HandlerObservation } from '../engine/observer.js';
import { isDecodeError } from '../errors.js';
import type { WorkItem } from '../processing/work-item.js';
import type { ConsumerObserverConfig } from './config.js';
import {
  channels,
  type CommitMessage,
  type ConsumerMessageSource,
  type FetchedMessage,
  type HandlerEndMessage,
  type HandlerStartMessage,
  type RecordOutcome,
  type RecordOutcomeMessage,
} from './channels.js';

/** A string property of a decoded record (a Hono event's or a command response's `tenantId`), if any. */
function tenantOf(item: WorkItem): string | undefined {
  if (isDecodeError(item.decoded)) return undefined;
  const tenantId = (item.decoded as { readonly tenantId?: unknown }).tenantId;
  return typeof tenantId === 'string' ? tenantId : undefined;
}

/** The place of an expired record: a Hono event has its own; anything else, none known. */
function placeOf(record: unknown): { topic: string; partition: number; offset: number } {
  const place = record as { topic?: unknown; partition?: unknown; offset?: unknown } | null;
  return {
    topic: typeof place?.topic === 'string' ? place.topic : '',
    partition: typeof place?.partition === 'number' ? place.partition : -1,
    offset: typeof place?.offset === 'number' ? place.offset : -1,
  };
}

/**
 * The observer that publishes to the SDK's diagnostics channels ({@link diagnosticsChannels}). It
 * publishes whatever the `telemetry` option says: a channel costs nothing while no one subscribes.
 *
 * @param config - the consumer's side
 * @returns the observer; its methods never throw
 */
export function diagnosticsObserver(config: ConsumerObserverConfig): EngineObserver {
  const source: ConsumerMessageSource = { groupId: config.groupId, clientId: config.clientId };

  const recordOutcome = (
    outcome: RecordOutcome,
    place: { readonly topic: string; readonly partition: number; readonly offset: number },
    details: Partial<Pick<RecordOutcomeMessage, 'attempt' | 'delayMs' | 'deadLetterTopic' | 'error'>>,
  ): void => {
    const message: RecordOutcomeMessage = {
      ...source,
      topic: place.topic,
      partition: place.partition,
      offset: place.offset,
      outcome,
      attempt: details.attempt,
      delayMs: details.delayMs,
      deadLetterTopic: details.deadLetterTopic,
      error: details.error,
    };
    channels.record.publish(message);
  };

  return {
    handlerStarted(item, attempt): HandlerObservation | undefined {
      if (!channels.handlerStart.hasSubscribers && !channels.handlerEnd.hasSubscribers) return undefined;
      const start: HandlerStartMessage = {
        ...source,
        topic: item.record.topic,
        partition: item.record.partition,
        offset: item.record.offset,
        deviceId: isDecodeError(item.decoded) ? undefined : item.decoded.deviceId,
        tenantId: tenantOf(item),
        attempt,
      };
      if (channels.handlerStart.hasSubscribers) channels.handlerStart.publish(start);
      const startedAt = performance.now();
      return {
        run: (call) => call(),
        end(error) {
          if (!channels.handlerEnd.hasSubscribers) return;
          const end: HandlerEndMessage = { ...start, durationMs: performance.now() - startedAt, error };
          channels.handlerEnd.publish(end);
        },
      };
    },
    fetched(messages) {
      if (!channels.fetched.hasSubscribers) return;
      const message: FetchedMessage = { ...source, count: messages.length };
      channels.fetched.publish(message);
    },
    committed(positions, durationMs, error) {
      if (!channels.commit.hasSubscribers) return;
      const message: CommitMessage = { ...source, positions, durationMs, error };
      channels.commit.publish(message);
    },
    event(name, ...args) {
      if (!channels.record.hasSubscribers) return;
      switch (name) {
        case 'retrying': {
          const [info] = args as Parameters<EngineEvents['retrying']>;
          recordOutcome('retrying', info, {
            attempt: info.attempt,
            delayMs: info.delayMs,
            error: info.error,
          });
          return;
        }
        case 'skipped': {
          const [info] = args as Parameters<EngineEvents['skipped']>;
          recordOutcome('skipped', info, { error: info.error });
          return;
        }
        case 'deadLettered': {
          const [info] = args as Parameters<EngineEvents['deadLettered']>;
          recordOutcome('deadLettered', info, { deadLetterTopic: info.deadLetterTopic, error: info.error });
          return;
        }
        case 'expired': {
          const [record] = args as Parameters<EngineEvents['expired']>;
          recordOutcome('expired', placeOf(record), {});
          return;
        }
        case 'decodeError': {
          const [error] = args as Parameters<EngineEvents['decodeError']>;
          recordOutcome('decodeError', error.record, { error });
          return;
        }
        default:
          return;
      }
    },
  };
}
