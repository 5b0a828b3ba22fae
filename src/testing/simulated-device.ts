/**
 * A device of the Hono simulator: it connects and disconnects (connection events and `ttd` notifications
 * as Hono's protocol adapters write them), sends events and telemetry, and remembers whether it can
 * receive commands now, which the simulator's command router asks.
 *
 * @module
 */
import type { DecodedCommand } from '../wire/commands.js';
import {
  encodeConnectionEvent,
  encodeDataEvent,
  encodeEmptyNotification,
  type HonoEventInitBase,
} from '../wire/encode.js';
import { ConnectionCause, QoS, type EncodedRecord } from '../wire/types.js';

/** Writes a record and resolves once the broker acknowledged it. */
export type RecordWriter = (record: EncodedRecord) => Promise<void>;

/**
 * How a {@link SimulatedDevice} connects.
 *
 * @category Testing
 */
export interface ConnectOptions {
  /**
   * The `ttd` of the empty notification written after connecting: `-1` subscribes to commands until
   * {@link SimulatedDevice.disconnect} (an MQTT or AMQP device), a positive number keeps the device
   * reachable for that many seconds (an HTTP or CoAP device waiting for a command), `null` writes no
   * notification: the device is connected but has not subscribed, so commands get 503.
   * @defaultValue -1
   */
  readonly ttd?: number | null | undefined;
  /**
   * Whether to write a connection event (`cause: connected`) first, as Hono's MQTT and AMQP adapters do;
   * HTTP and CoAP adapters write none.
   * @defaultValue true
   */
  readonly connectionEvent?: boolean | undefined;
  /**
   * The connection event's `remote-id`.
   * @defaultValue `'simulated-<deviceId>'`
   */
  readonly remoteId?: string | undefined;
  /**
   * The connection event's `data` object.
   * @defaultValue none
   */
  readonly data?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Further headers of an event or telemetry message.
 *
 * @category Testing
 */
export interface MessageOptions {
  /**
   * A `ttd` on the message, as an HTTP or CoAP device asks for one: the device is then reachable for
   * commands for that many seconds (`-1` until further notice, `0` no longer).
   * @defaultValue no `ttd` header; reachability unchanged
   */
  readonly ttd?: number | undefined;
  /**
   * The `ttl` header in ms.
   * @defaultValue no `ttl` header
   */
  readonly ttl?: number | undefined;
  /**
   * Further headers, e.g. tenant or device defaults (see {@link HonoEventInitBase.extraHeaders}).
   * @defaultValue none
   */
  readonly extraHeaders?: Readonly<Record<string, string | number | boolean>> | undefined;
}

/** Until when a device takes commands: not at all, until further notice, or until a time (ms). */
type Reachability =
  | { readonly kind: 'no' }
  | { readonly kind: 'untilFurtherNotice' }
  | { readonly kind: 'until'; readonly at: number };

/**
 * A simulated device behind a Hono protocol adapter. Made by {@link HonoSimulator.device}; one object per
 * tenant and device id. Every method resolves once the broker acknowledged what it wrote.
 *
 * @category Testing
 */
export class SimulatedDevice {
  /** The tenant: the device writes to `hono.event.<tenant>` and `hono.telemetry.<tenant>`. */
  readonly tenantId: string;
  /** The device id: the record key and the `device_id` header. */
  readonly deviceId: string;
  /** The commands delivered to this device (request/response and one-way), in the order received. */
  readonly received: DecodedCommand[] = [];
  readonly #adapter: string;
  readonly #write: RecordWriter;
  #connected = false;
  #wroteConnectionEvent = false;
  #reachability: Reachability = { kind: 'no' };

  /**
   * @internal Made by the simulator.
   * @param tenantId - the tenant
   * @param deviceId - the device
   * @param adapter - the adapter type (`orig_adapter`, `source`)
   * @param write - writes a record, resolving once acknowledged
   */
  constructor(tenantId: string, deviceId: string, adapter: string, write: RecordWriter) {
    this.tenantId = tenantId;
    this.deviceId = deviceId;
    this.#adapter = adapter;
    this.#write = write;
  }

  /** Whether the device is connected (between {@link connect} and {@link disconnect}). */
  get connected(): boolean {
    return this.#connected;
  }

  /**
   * Whether the device takes commands now: it subscribed (`ttd` -1) or its `ttd` window is still open.
   * A command for a device that does not gets Hono's 503 `no consumer available`.
   *
   * @param now - the time to ask about, in ms since the epoch
   * @returns whether a command would be delivered
   */
  isReachable(now: number = Date.now()): boolean {
    const reachability = this.#reachability;
    if (reachability.kind === 'until') return now < reachability.at;
    return reachability.kind === 'untilFurtherNotice';
  }

  /**
   * Connects the device: a connection event (`cause: connected`) unless `connectionEvent` is false, then
   * an empty notification with the `ttd` (`-1` by default: subscribed to commands). The device takes
   * commands from the moment the notification is written, as Hono registers the command consumer before
   * it sends the notification.
   *
   * @param options - the `ttd` and the connection event's fields
   * @returns when the broker acknowledged every record written
   * @throws {@link EncodeError} for a `ttd` Hono never writes (fractional, below -1)
   * @throws {@link KafkaClientError} when a record could not be written
   * @example
   * ```ts
   * await simulator.device('DEFAULT_TENANT', '4711').connect(); // connected, ttd -1
   * await simulator.device('DEFAULT_TENANT', 'http-1').connect({ connectionEvent: false, ttd: 30 });
   * ```
   */
  async connect(options: ConnectOptions = {}): Promise<void> {
    const ttd = options.ttd === undefined ? -1 : options.ttd;
    const now = Date.now();
    // Encode everything first: a bad option writes nothing.
    const records: EncodedRecord[] = [];
    if (options.connectionEvent ?? true) {
      records.push(
        encodeConnectionEvent({
          ...this.#base(now),
          cause: ConnectionCause.Connected,
          remoteId: options.remoteId ?? `simulated-${this.deviceId}`,
          source: this.#adapter,
          data: options.data,
        }),
      );
    }
    const notification = ttd === null ? undefined : encodeEmptyNotification({ ...this.#base(now), ttd });
    this.#connected = true;
    if (records.length > 0) {
      this.#wroteConnectionEvent = true;
      await this.#writeAll(records);
    }
    if (notification !== undefined && ttd !== null) {
      this.#reachable(ttd, now);
      await this.#write(notification);
    }
  }

  /**
   * Disconnects the device as Hono's MQTT adapter does when a connection closes: the device stops taking
   * commands at once, an empty notification with `ttd: 0` is written if it took commands, then a
   * connection event (`cause: disconnected`) if connecting wrote one. A device that is not connected
   * writes nothing.
   *
   * @returns when the broker acknowledged every record written
   * @throws {@link KafkaClientError} when a record could not be written
   */
  async disconnect(): Promise<void> {
    if (!this.#connected) return;
    const now = Date.now();
    const records: EncodedRecord[] = [];
    if (this.#reachability.kind !== 'no')
      records.push(encodeEmptyNotification({ ...this.#base(now), ttd: 0 }));
    if (this.#wroteConnectionEvent) {
      records.push(
        encodeConnectionEvent({
          ...this.#base(now),
          cause: ConnectionCause.Disconnected,
          remoteId: `simulated-${this.deviceId}`,
          source: this.#adapter,
        }),
      );
    }
    this.#reachability = { kind: 'no' };
    this.#connected = false;
    this.#wroteConnectionEvent = false;
    await this.#writeAll(records);
  }

  /**
   * Sends an event (`hono.event.<tenant>`, `qos` 1, as Hono writes every event).
   *
   * @param payload - the payload; a string is written as UTF-8
   * @param contentType - the `content-type` header (not one of Hono's own types)
   * @param options - a `ttd`, a `ttl` and further headers
   * @returns when the broker acknowledged the record
   * @throws {@link EncodeError} for a content type or header Hono never writes
   * @throws {@link KafkaClientError} when the record could not be written
   * @example
   * ```ts
   * await device.sendEvent(JSON.stringify({ alarm: true }), 'application/json');
   * ```
   */
  async sendEvent(
    payload: Buffer | string,
    contentType = 'application/octet-stream',
    options: MessageOptions = {},
  ): Promise<void> {
    await this.#send('event', payload, contentType, QoS.AtLeastOnce, options);
  }

  /**
   * Sends telemetry (`hono.telemetry.<tenant>`) with the device's `qos`: 0 (at most once, the HTTP
   * adapter's default) or 1 (at least once: the consumer must not commit before processing).
   *
   * @param payload - the payload; a string is written as UTF-8
   * @param contentType - the `content-type` header (not one of Hono's own types)
   * @param qos - the `qos` header
   * @param options - a `ttd`, a `ttl` and further headers
   * @returns when the broker acknowledged the record (Hono's adapter does not wait for it at qos 0; the
   *   simulator always does, so that a test knows the record is there)
   * @throws {@link EncodeError} for a content type, qos or header Hono never writes
   * @throws {@link KafkaClientError} when the record could not be written
   * @example
   * ```ts
   * await device.sendTelemetry(JSON.stringify({ temp: 21.5 }), 'application/json', 1);
   * ```
   */
  async sendTelemetry(
    payload: Buffer | string,
    contentType = 'application/octet-stream',
    qos: QoS = QoS.AtMostOnce,
    options: MessageOptions = {},
  ): Promise<void> {
    await this.#send('telemetry', payload, contentType, qos, options);
  }

  async #send(
    endpoint: 'event' | 'telemetry',
    payload: Buffer | string,
    contentType: string,
    qos: QoS,
    options: MessageOptions,
  ): Promise<void> {
    const now = Date.now();
    const record = encodeDataEvent({
      ...this.#base(now),
      endpoint,
      qos,
      payload,
      contentType,
      ttd: options.ttd,
      ttl: options.ttl,
      extraHeaders: options.extraHeaders,
    });
    if (options.ttd !== undefined) this.#reachable(options.ttd, now);
    await this.#write(record);
  }

  /** The headers every record of this device carries. */
  #base(now: number): HonoEventInitBase {
    return {
      tenantId: this.tenantId,
      deviceId: this.deviceId,
      creationTime: now,
      origAdapter: this.#adapter,
    };
  }

  /** The command window a `ttd` opens (or closes), relative to the record's creation time. */
  #reachable(ttd: number, now: number): void {
    this.#reachability =
      ttd === -1
        ? { kind: 'untilFurtherNotice' }
        : ttd > 0
          ? { kind: 'until', at: now + ttd * 1000 }
          : { kind: 'no' };
  }

  /** Writes records one after another, in order. */
  async #writeAll(records: readonly EncodedRecord[]): Promise<void> {
    for (const record of records) await this.#write(record);
  }
}
