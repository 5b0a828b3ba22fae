/**
 * The shapes on both sides of the wire: the typed Hono events that {@link decodeEvent} makes of a Kafka
 * record (its type lives in the leaf `../types.ts`), and the records the encoders write.
 *
 * @module
 */
import type { HonoEndpoint } from '../tenant.js';
import type { KafkaRecordHeader } from '../types.js';

/**
 * A record ready for the Kafka client's producer, as written by the encoders: byte for byte what Hono's
 * Java code writes.
 *
 * @category Wire format
 */
export interface EncodedRecord {
  /** The topic, `hono.event.<tenant>` or `hono.telemetry.<tenant>`. */
  topic: string;
  /** The device id, UTF-8. */
  key: Buffer;
  /** The payload; `null` for empty and provisioning notifications, as Hono writes them. */
  value: Buffer | null;
  /** The headers in the order the encoder wrote them, one name per object. */
  headers: Record<string, Buffer>[];
  /**
   * The record timestamp (ms since the Unix epoch), from the encoder's `timestamp` field.
   * @defaultValue absent: the producer stamps the record
   */
  timestamp?: number;
}

/**
 * The kinds of Hono event, the discriminant `type` of {@link HonoEvent}.
 *
 * @category Hono events
 */
export const HonoEventType = {
  /** An empty notification: no payload, typically announcing a command window with `ttd`. */
  EmptyNotification: 'emptyNotification',
  /** A connection event: a device connected to or disconnected from a protocol adapter. */
  Connection: 'connection',
  /** A device provisioning notification: a device was auto-provisioned. */
  Provisioning: 'provisioning',
  /** Any other event or telemetry message, with its payload. */
  Event: 'event',
} as const;

/**
 * The kind of a Hono event: one of the values of {@link HonoEventType}.
 *
 * @category Hono events
 */
export type HonoEventType = (typeof HonoEventType)[keyof typeof HonoEventType];

/**
 * The content types that Hono gives a meaning of its own.
 *
 * @category Hono events
 */
export const HonoContentType = {
  /** Content type of an {@link EmptyNotification}. */
  EmptyNotification: 'application/vnd.eclipse-hono-empty-notification',
  /** Content type of a {@link ConnectionEvent}. */
  ConnectionNotification: 'application/vnd.eclipse-hono-dc-notification+json',
  /** Content type of a {@link ProvisioningNotification}. */
  ProvisioningNotification: 'application/vnd.eclipse-hono-device-provisioning-notification',
  /** The content type Hono assumes when none is given. */
  OctetStream: 'application/octet-stream',
} as const;

/**
 * The names of the headers that Hono writes on event and telemetry records.
 *
 * @category Wire format
 */
export const HonoHeader = {
  /** MIME type of the value (string). */
  ContentType: 'content-type',
  /** RFC 2616 content encoding of the value (string). */
  ContentEncoding: 'content-encoding',
  /** Creation time, ms since the Unix epoch (JSON number). */
  CreationTime: 'creation-time',
  /** The device the data comes from (string). */
  DeviceId: 'device_id',
  /** The tenant (string); written on provisioning notifications. */
  TenantId: 'tenant_id',
  /** Quality of service, 0 or 1 (JSON number). */
  Qos: 'qos',
  /** Time 'til disconnect in seconds (JSON number). */
  Ttd: 'ttd',
  /** Time to live in ms (JSON number). */
  Ttl: 'ttl',
  /** Type or instance of the protocol adapter that sent the message (string). */
  OrigAdapter: 'orig_adapter',
  /** Address the device published to, e.g. `/telemetry` (string). */
  OrigAddress: 'orig_address',
  /** Whether the device published an MQTT retained message (JSON boolean). */
  Retain: 'x-opt-retain',
  /** W3C trace context: `traceparent` (string). */
  Traceparent: 'traceparent',
  /** W3C trace context: `tracestate` (string). */
  Tracestate: 'tracestate',
  /** W3C baggage (string). */
  Baggage: 'baggage',
  /** Registration status of a provisioning notification, e.g. `NEW` (string). */
  RegistrationStatus: 'hono_registration_status',
  /** The gateway that a provisioned device was created through (string). */
  GatewayId: 'gateway_id',
} as const;

/**
 * Quality of service levels as Hono numbers them in the `qos` header.
 *
 * @category Hono events
 */
export const QoS = {
  /** At most once: the message may be lost (telemetry only). */
  AtMostOnce: 0,
  /** At least once: the consumer must not commit before processing. Events always use it. */
  AtLeastOnce: 1,
} as const;

/**
 * A quality of service level: one of the values of {@link QoS}.
 *
 * @category Hono events
 */
export type QoS = (typeof QoS)[keyof typeof QoS];

/**
 * The causes of a connection event.
 *
 * @category Hono events
 */
export const ConnectionCause = {
  /** The device connected to the protocol adapter. */
  Connected: 'connected',
  /** The device disconnected from the protocol adapter. */
  Disconnected: 'disconnected',
} as const;

/**
 * The cause of a connection event: one of the values of {@link ConnectionCause}.
 *
 * @category Hono events
 */
export type ConnectionCause = (typeof ConnectionCause)[keyof typeof ConnectionCause];

/**
 * What every kind of Hono event carries: the Hono headers and the Kafka coordinates of the record.
 *
 * @category Hono events
 */
export interface HonoEventBase {
  /** The kind of event: the discriminant of {@link HonoEvent}. */
  readonly type: HonoEventType;
  /** Whether the record came from the event or the telemetry topic. */
  readonly endpoint: HonoEndpoint;
  /** The tenant: everything after `hono.event.` or `hono.telemetry.` in the topic. */
  readonly tenantId: string;
  /** The device the event is from: the record key, or the `device_id` header when there is no key. */
  readonly deviceId: string;
  /**
   * When the adapter created the message: the `creation-time` header, or the record timestamp when the
   * header is absent.
   */
  readonly creationTime: Date;
  /** Quality of service: `0` if the `qos` header is `0`, otherwise (including when absent) `1`, as Hono reads it. */
  readonly qos: QoS;
  /**
   * Time 'til disconnect in seconds, relative to {@link HonoEventBase.creationTime}: `-1` reachable until
   * further notice, `0` not reachable, `undefined` when the header is absent. See {@link commandWindow}.
   */
  readonly ttd: number | undefined;
  /** Time to live in ms, relative to {@link HonoEventBase.creationTime}; see {@link isExpired}. */
  readonly ttl: number | undefined;
  /** The `orig_adapter` header: the adapter type (e.g. `hono-mqtt`) or instance that sent the message. */
  readonly origAdapter: string | undefined;
  /** The `orig_address` header: the address the device published to (e.g. `/telemetry`). */
  readonly origAddress: string | undefined;
  /** The `x-opt-retain` header: whether the device published an MQTT retained message. */
  readonly retain: boolean;
  /** W3C trace context: the raw `traceparent` header. */
  readonly traceparent: string | undefined;
  /** W3C trace context: the raw `tracestate` header. */
  readonly tracestate: string | undefined;
  /** W3C baggage: the raw `baggage` header. */
  readonly baggage: string | undefined;
  /** All headers of the record, raw and in wire order, including those the SDK does not interpret. */
  readonly headers: readonly KafkaRecordHeader[];
  /** The topic the record was read from. */
  readonly topic: string;
  /** The partition the record was read from. */
  readonly partition: number;
  /** The offset of the record in its partition. */
  readonly offset: number;
  /** The record timestamp (ms since the Unix epoch), when the client reported one. */
  readonly timestamp: number | undefined;
  /** The raw record key, `null` when the record has none. */
  readonly key: Buffer | null;
}

/**
 * An empty notification (`application/vnd.eclipse-hono-empty-notification`): no payload. Adapters send one
 * with `ttd` `-1` when a device subscribes to commands and `0` when it unsubscribes.
 *
 * @category Hono events
 */
export interface EmptyNotification extends HonoEventBase {
  /** Always `emptyNotification`. */
  readonly type: typeof HonoEventType.EmptyNotification;
}

/**
 * A connection event (`application/vnd.eclipse-hono-dc-notification+json`).
 *
 * @category Hono events
 */
export interface ConnectionEvent extends HonoEventBase {
  /** Always `connection`. */
  readonly type: typeof HonoEventType.Connection;
  /** Whether the device connected or disconnected. */
  readonly cause: ConnectionCause;
  /** The payload's `remote-id`: the device as the transport knows it, e.g. an MQTT client id or `ip:port`. */
  readonly remoteId: string;
  /** The payload's `source`: the type of the reporting protocol adapter, e.g. `hono-mqtt`. */
  readonly source: string;
  /** The payload's optional `data` object. */
  readonly data: Readonly<Record<string, unknown>> | undefined;
}

/**
 * A device provisioning notification (`application/vnd.eclipse-hono-device-provisioning-notification`).
 *
 * @category Hono events
 */
export interface ProvisioningNotification extends HonoEventBase {
  /** Always `provisioning`. */
  readonly type: typeof HonoEventType.Provisioning;
  /** The `hono_registration_status` header: `NEW` for a newly provisioned device. */
  readonly registrationStatus: string;
  /** The `gateway_id` header: the gateway the device was provisioned through, if any. */
  readonly gatewayId: string | undefined;
}

/**
 * Any other event or telemetry message: its payload and content type.
 *
 * @category Hono events
 */
export interface DataEvent extends HonoEventBase {
  /** Always `event`. */
  readonly type: typeof HonoEventType.Event;
  /** The record value; zero-length when the value is `null` or empty. */
  readonly payload: Buffer;
  /** The `content-type` header; `application/octet-stream` when absent, as Hono reads it. */
  readonly contentType: string;
  /** The `content-encoding` header, if any. */
  readonly contentEncoding: string | undefined;
}

/**
 * A decoded Hono event or telemetry message, discriminated by `type`.
 *
 * @category Hono events
 */
export type HonoEvent = EmptyNotification | ConnectionEvent | ProvisioningNotification | DataEvent;
