/**
 * eclipse-hono-kafka: receive Eclipse Hono device events from Apache Kafka, at least once, as typed
 * objects.
 *
 * @packageDocumentation
 * @categoryDescription Consumer
 * The at-least-once consumer of a tenant's events, its options and its health.
 * @categoryDescription Handlers and lifecycle events
 * What `run()` takes, and what the consumer emits while it works.
 * @categoryDescription Hono events
 * The typed events the handlers receive.
 * @categoryDescription Errors
 * Every error the SDK throws or emits: one base class with a stable `code`.
 * @categoryDescription Wire format
 * Hono's records on Kafka: decoding, headers, and encoders that write test events as Hono does.
 * @categoryDescription Command window
 * When a device can receive commands, and when an event expires.
 * @categoryDescription Topics and tenants
 * Hono's topic names and what makes a valid tenant id.
 * @categoryDescription Observability
 * Tracing and metrics through OpenTelemetry, and the `node:diagnostics_channel` channels.
 */

// The consumer
export { HonoEventConsumer } from './consumer/hono-event-consumer.js';
export type { ConsumerState, HealthSnapshot, PartitionHealth } from './consumer/hono-event-consumer.js';
export { FailureOutcome } from './consumer/options.js';
export type { MeterProviderLike, TelemetryOptions, TracerProviderLike } from './telemetry/options.js';
export { diagnosticsChannels } from './telemetry/channels.js';
export type {
  CommandCallKind,
  CommandMessageSubject,
  CommandResponseMessage,
  CommandSentMessage,
  CommitMessage,
  ConsumerMessageSource,
  DiagnosticsChannelName,
  FetchedMessage,
  HandlerEndMessage,
  HandlerStartMessage,
  RecordOutcome,
  RecordOutcomeMessage,
  RecordPlace,
  RequestOutcome,
} from './telemetry/channels.js';
export type { HonoEventConsumerOptions, Logger, RetryOptions } from './consumer/options.js';
export { Ordering } from './scheduling/ordering.js';
export type {
  EventHandler,
  HandlerContext,
  HonoEventHandlers,
  InvalidRecordHandler,
} from './consumer/handlers.js';
export type {
  DeadLetterInfo,
  ConsumerEvents,
  HonoEventConsumerEvents,
  PauseReason,
  RecordCoordinates,
  RetryInfo,
  SkipInfo,
} from './consumer/events.js';
export type { TopicPartition, TopicPartitionOffset } from './types.js';

// Commands
export { HonoCommandClient } from './commands/hono-command-client.js';
export { HonoCommandResponseConsumer } from './commands/hono-command-response-consumer.js';
export type {
  HonoCommandResponseConsumerEvents,
  HonoCommandResponseConsumerOptions,
} from './commands/hono-command-response-consumer.js';
export type { HonoCommandResponseHandlers } from './commands/response-route.js';
export type { HonoCommandClientOptions } from './commands/options.js';
export type { DurableRequestCommand, OneWayCommand, RequestCommand } from './commands/types.js';
export type { HonoCommandClientEvents } from './commands/events.js';
export { DeviceWindows } from './commands/device-windows.js';
export type { DeviceWindowSource, WaitOptions } from './commands/device-windows.js';

// Errors
export {
  CommandError,
  CommandErrorCode,
  CommitError,
  DecodeError,
  DecodeErrorCode,
  EncodeError,
  ErrorCode,
  HandlerError,
  HandlerErrorCode,
  DeviceUnreachableError,
  HonoKafkaError,
  InvalidCommandError,
  KafkaClientError,
  KafkaClientErrorCode,
  OptionsError,
  StateError,
  TenantError,
  isCommandError,
  isDecodeError,
  isHonoKafkaError,
} from './errors.js';
export type {
  CommandErrorDetails,
  DecodeErrorOptions,
  HonoKafkaErrorOptions,
  OptionProblem,
} from './errors.js';

// Tenants and topics
export {
  HonoEndpoint,
  MAX_TOPIC_NAME_LENGTH,
  assertValidTenantId,
  commandResponseTopic,
  commandTopic,
  eventTopic,
  honoTopic,
  isValidTenantId,
  maxTenantIdLength,
  parseHonoTopic,
  telemetryTopic,
  tenantOfTopic,
} from './tenant.js';
export type { HonoTopic } from './tenant.js';

// Wire format: types, decoding, encoding
export { ConnectionCause, HonoContentType, HonoEventType, HonoHeader, QoS } from './wire/types.js';
export type {
  ConnectionEvent,
  DataEvent,
  EmptyNotification,
  EncodedRecord,
  HonoEvent,
  HonoEventBase,
  ProvisioningNotification,
} from './wire/types.js';
export type { KafkaHeaderValue, KafkaRecord, KafkaRecordHeader } from './types.js';
export { decodeEvent } from './wire/decode.js';
export { findHeader, headerText } from './wire/headers.js';
export {
  encodeConnectionEvent,
  encodeDataEvent,
  encodeEmptyNotification,
  encodeEvent,
  encodeProvisioningNotification,
} from './wire/encode.js';
export type {
  ConnectionEventInit,
  DataEventInit,
  EmptyNotificationInit,
  HonoEventInit,
  HonoEventInitBase,
  ProvisioningNotificationInit,
} from './wire/encode.js';

// Wire format of Command & Control
export {
  decodeCommand,
  decodeCommandResponse,
  deliveryFailureContentType,
  deliveryFailureMetadataPrefix,
  encodeCommandResponse,
  encodeDeliveryFailure,
  encodeOneWayCommand,
  encodeRequestCommand,
  isCommandExpired,
} from './wire/commands.js';
export type {
  CommandInit,
  CommandResponse,
  CommandResponseInit,
  DecodedCommand,
  DeliveryFailureInit,
  InvalidCommand,
  RequestCommandInit,
} from './wire/commands.js';

// Command window and expiry
export {
  CommandWindowKind,
  commandWindow,
  expiresAt,
  isDeviceReachable,
  isExpired,
  remainingCommandWindow,
} from './command-window.js';
export type { CommandWindow, CommandWindowSource, ExpirySource } from './command-window.js';
