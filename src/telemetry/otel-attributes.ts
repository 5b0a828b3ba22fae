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
 * spread and no key added later (absent values are undefined, which OpenTelemetry leaves out).
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
      ? (facts.decoded as Partial<Record<string, unknown>>)
      : undefined;
  const text = (name: string): string | undefined => {
    const value = decoded?.[name];
    return typeof value === 'string' ? value : undefined;
  };
  const number = (name: string): number | undefined => {
    const value = decoded?.[name];
    return typeof value === 'number' ? value : undefined;
  };
  return {
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
    [HonoAttribute.TenantId]: text('tenantId'),
    [HonoAttribute.DeviceId]: text('deviceId'),
    [HonoAttribute.Endpoint]: text('endpoint'),
    [HonoAttribute.Qos]: number('qos'),
    [HonoAttribute.EventType]: text('type'),
    [HonoAttribute.ContentType]: text('contentType'),
    [MessagingAttribute.MessageConversationId]: text('correlationId'),
    [HonoAttribute.Status]: number('status'),
    [HonoAttribute.Attempt]: extra.attempt,
    [HonoAttribute.Outcome]: extra.outcome,
    [HonoAttribute.DeadLetterTopic]: extra.deadLetterTopic,
  };
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
