/**
 * The names of the attributes and metrics the SDK records: those of the OpenTelemetry messaging semantic
 * conventions (status "development", so copied here rather than imported from the incubating entry
 * point of `@opentelemetry/semantic-conventions`, which may change them in any minor release), and the
 * SDK's own under `hono.`.
 */

/** Attribute names of the OpenTelemetry messaging conventions. */
export const MessagingAttribute = {
  System: 'messaging.system',
  OperationName: 'messaging.operation.name',
  OperationType: 'messaging.operation.type',
  ConsumerGroupName: 'messaging.consumer.group.name',
  DestinationName: 'messaging.destination.name',
  DestinationTemplate: 'messaging.destination.template',
  DestinationPartitionId: 'messaging.destination.partition.id',
  KafkaOffset: 'messaging.kafka.offset',
  KafkaMessageKey: 'messaging.kafka.message.key',
  KafkaMessageTombstone: 'messaging.kafka.message.tombstone',
  ClientId: 'messaging.client.id',
  MessageConversationId: 'messaging.message.conversation_id',
  ErrorType: 'error.type',
} as const;

/** The SDK's own attribute names. */
export const HonoAttribute = {
  TenantId: 'hono.tenant_id',
  DeviceId: 'hono.device_id',
  Endpoint: 'hono.endpoint',
  Qos: 'hono.qos',
  EventType: 'hono.event_type',
  ContentType: 'hono.content_type',
  Status: 'hono.status',
  Attempt: 'hono.attempt',
  Outcome: 'hono.outcome',
  DeadLetterTopic: 'hono.dead_letter_topic',
  CommitPartitionCount: 'hono.commit.partition_count',
} as const;

/** What became of a record, as `hono.outcome` says it on spans and on `hono.consumer.records`. */
export const RecordOutcome = {
  /** A handler call succeeded. */
  Handled: 'handled',
  /** A handler call failed (threw, rejected or timed out). */
  Failed: 'failed',
  /** A failed handler call is tried again after a delay. */
  Retried: 'retried',
  /** The record failed for good and was committed past (`onFailure: 'skip'`, or qos 0 at most once). */
  Skipped: 'skipped',
  /** The record failed for good and was written to the dead-letter topic. */
  DeadLettered: 'dead_lettered',
  /** The record's `ttl` had passed: committed without a handler call. */
  Expired: 'expired',
} as const;

/** What became of a record. */
export type RecordOutcome = (typeof RecordOutcome)[keyof typeof RecordOutcome];

/** Metric names: the conventions' where they have one, the SDK's own under `hono.consumer.`. */
export const MetricName = {
  ConsumedMessages: 'messaging.client.consumed.messages',
  ProcessDuration: 'messaging.process.duration',
  OperationDuration: 'messaging.client.operation.duration',
  Records: 'hono.consumer.records',
  CommitFailures: 'hono.consumer.commit.failures',
  InFlight: 'hono.consumer.in_flight',
  PausedPartitions: 'hono.consumer.paused_partitions',
  Lag: 'hono.consumer.lag',
} as const;

/** The advisory bucket boundaries (seconds) of the conventions' duration histograms. */
export const durationBuckets: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];
