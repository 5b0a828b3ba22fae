/**
 * The attributes of a record's spans: where it sits in Kafka (messaging conventions) and what Hono says
 * of it (`hono.*`).
 */
import type { Attributes } from '@opentelemetry/api';
import type { DecodedRecord } from '../engine/record-route.js';
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

/**
 * Adds a record's attributes to a span's.
 *
 * @param attributes - the span's attributes so far; changed
 * @param facts - what is known of the record
 * @param template - the destination template of its topic, if known
 */
export function addRecordAttributes(
  attributes: Attributes,
  facts: RecordFacts,
  template: string | undefined,
): void {
  const { record } = facts;
  const place = record ?? facts.coordinates ?? placeOf(facts.decoded);
  if (place !== undefined) {
    attributes[MessagingAttribute.DestinationName] = place.topic;
    attributes[MessagingAttribute.DestinationPartitionId] = String(place.partition);
    attributes[MessagingAttribute.KafkaOffset] = place.offset;
  }
  if (template !== undefined) attributes[MessagingAttribute.DestinationTemplate] = template;
  if (record !== undefined) {
    const key = record.key;
    if (key !== undefined && key !== null) {
      attributes[MessagingAttribute.KafkaMessageKey] = typeof key === 'string' ? key : key.toString('utf8');
    }
    if (record.value === null) attributes[MessagingAttribute.KafkaMessageTombstone] = true;
  }
  addDecodedAttributes(attributes, facts.decoded);
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

/** What a Hono event or a command response adds: tenant, device, endpoint, qos, type, correlation id. */
function addDecodedAttributes(attributes: Attributes, decoded: unknown): void {
  if (typeof decoded !== 'object' || decoded === null || decoded instanceof Error) return;
  const fields = decoded as Partial<DecodedRecord> & Partial<Record<string, unknown>>;
  if (typeof fields['tenantId'] === 'string') attributes[HonoAttribute.TenantId] = fields['tenantId'];
  if (typeof fields.deviceId === 'string') attributes[HonoAttribute.DeviceId] = fields.deviceId;
  if (typeof fields['endpoint'] === 'string') attributes[HonoAttribute.Endpoint] = fields['endpoint'];
  if (typeof fields['qos'] === 'number') attributes[HonoAttribute.Qos] = fields['qos'];
  if (typeof fields['type'] === 'string') attributes[HonoAttribute.EventType] = fields['type'];
  if (typeof fields['contentType'] === 'string') {
    attributes[HonoAttribute.ContentType] = fields['contentType'];
  }
  if (typeof fields['correlationId'] === 'string') {
    attributes[MessagingAttribute.MessageConversationId] = fields['correlationId'];
  }
  if (typeof fields['status'] === 'number') attributes[HonoAttribute.Status] = fields['status'];
}
