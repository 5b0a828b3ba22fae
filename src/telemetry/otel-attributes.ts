/**
 * The attributes of a record's spans: where it sits in Kafka (messaging conventions) and what Hono says
 * of it (`hono.*`).
 */
import type { Attributes } from '@opentelemetry/api';
import type { KafkaRecord } from '../types.js';
import type { ConsumerObserverConfig } from './config.js';
import { HonoAttribute, MessagingAttribute } from './semconv.js';

/** What the attributes of a record are made of; each part may be unknown. */
export interface RecordFacts {
  /** The record as the client delivered it. */
  readonly record?: KafkaRecord | undefined;
  /** Where it sits, when the record itself is not at hand. */
  readonly coordinates?: { readonly topic: string; readonly partition: number; readonly offset: number };
  /** The decoded record (a Hono event, a command response), or anything else that is not one. */
  readonly decoded?: unknown;
}

/**
 * The attributes every span of a consumer has (system, group, client).
 *
 * @param config - the consumer's side
 * @returns the attributes
 */
export function consumerAttributes(config: ConsumerObserverConfig): Attributes {
  return {
    [MessagingAttribute.System]: 'kafka',
    [MessagingAttribute.ConsumerGroupName]: config.groupId,
    [MessagingAttribute.ClientId]: config.clientId,
  };
}

/** What a `process` span says beyond the record: its attempt, or the outcome of a record not handled. */
export interface ProcessExtra {
  readonly attempt?: number | undefined;
  readonly outcome?: string | undefined;
  readonly deadLetterTopic?: string | undefined;
}

/**
 * The attributes of a `process` span, as one object of a fixed shape: built for every record, so no
 * spread and no key added later (absent values are undefined, which OpenTelemetry leaves out). Only the
 * rare span of a record's outcome adds its two keys.
 *
 * @param config - the consumer's side
 * @param facts - what is known of the record
 * @param template - the destination template of its topic, if known
 * @param extra - the attempt, or the outcome
 * @returns the attributes
 */
export function processAttributes(
  config: ConsumerObserverConfig,
  facts: RecordFacts,
  template: string | undefined,
  extra: ProcessExtra,
): Attributes {
  const { record } = facts;
  const place = record ?? facts.coordinates ?? placeOf(facts.decoded);
  const key = record?.key;
  const decoded =
    typeof facts.decoded === 'object' && facts.decoded !== null && !(facts.decoded instanceof Error)
      ? (facts.decoded as DecodedFields)
      : noFields;
  const attributes: Attributes = {
    [MessagingAttribute.System]: 'kafka',
    [MessagingAttribute.ConsumerGroupName]: config.groupId,
    [MessagingAttribute.ClientId]: config.clientId,
    [MessagingAttribute.OperationName]: 'process',
    [MessagingAttribute.OperationType]: 'process',
    [MessagingAttribute.DestinationName]: place?.topic,
    [MessagingAttribute.DestinationPartitionId]: place === undefined ? undefined : String(place.partition),
    [MessagingAttribute.KafkaOffset]: place?.offset,
    [MessagingAttribute.DestinationTemplate]: template,
    [MessagingAttribute.KafkaMessageKey]:
      key === undefined || key === null ? undefined : typeof key === 'string' ? key : key.toString('utf8'),
    [MessagingAttribute.KafkaMessageTombstone]: record?.value === null ? true : undefined,
    [HonoAttribute.TenantId]: text(decoded.tenantId),
    [HonoAttribute.DeviceId]: text(decoded.deviceId),
    [HonoAttribute.Endpoint]: text(decoded.endpoint),
    [HonoAttribute.Qos]: number(decoded.qos),
    [HonoAttribute.EventType]: text(decoded.type),
    [HonoAttribute.ContentType]: text(decoded.contentType),
    [MessagingAttribute.MessageConversationId]: text(decoded.correlationId),
    [HonoAttribute.Status]: number(decoded.status),
    [HonoAttribute.Attempt]: extra.attempt,
  };
  if (extra.outcome !== undefined) {
    attributes[HonoAttribute.Outcome] = extra.outcome;
    attributes[HonoAttribute.DeadLetterTopic] = extra.deadLetterTopic;
  }
  return attributes;
}

/** The fields of a decoded record the span reports: a Hono event's, or a command response's. */
interface DecodedFields {
  readonly tenantId?: unknown;
  readonly deviceId?: unknown;
  readonly endpoint?: unknown;
  readonly qos?: unknown;
  readonly type?: unknown;
  readonly contentType?: unknown;
  readonly correlationId?: unknown;
  readonly status?: unknown;
}

/** What a record that decoded to nothing (or to an error) says: no field. */
const noFields: DecodedFields = {};

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function number(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** Where a decoded Hono event sits (command responses do not say). */
function placeOf(decoded: unknown): { topic: string; partition: number; offset: number } | undefined {
  if (typeof decoded !== 'object' || decoded === null) return undefined;
  const { topic, partition, offset } = decoded as Partial<Record<'topic' | 'partition' | 'offset', unknown>>;
  if (typeof topic !== 'string' || typeof partition !== 'number' || typeof offset !== 'number') {
    return undefined;
  }
  return { topic, partition, offset };
}
