import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EncodeError, KafkaClientError, StateError, TenantError } from '../../../src/errors.js';
import { HonoSimulator, withSimulatorClients } from '../../../src/testing/hono-simulator.js';
import { decodeEvent } from '../../../src/wire/decode.js';
import type { HonoEvent } from '../../../src/wire/types.js';
import { LoopbackBroker } from './loopback-kafka.js';

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

let broker: LoopbackBroker;
let simulator: HonoSimulator;

beforeEach(() => {
  broker = new LoopbackBroker();
  simulator = withSimulatorClients(
    broker.clients,
    () => new HonoSimulator({ brokers: 'loopback:9092', logger: quiet }),
  );
});

afterEach(async () => {
  await simulator.close();
});

/** The events written to a topic, decoded as an application reads them. */
function written(topic: string): HonoEvent[] {
  return broker.log(topic).map((record) => decodeEvent(record));
}

describe('SimulatedDevice', () => {
  it('connects as an MQTT device: a connection event, then an empty notification with ttd -1', async () => {
    const device = simulator.device('acme', '4711');
    expect(device.isReachable()).toBe(false);
    await device.connect();
    const [connected, notification, ...rest] = written('hono.event.acme');
    expect(rest).toEqual([]);
    expect(connected).toMatchObject({
      type: 'connection',
      deviceId: '4711',
      cause: 'connected',
      source: 'hono-mqtt',
      remoteId: 'simulated-4711',
      origAdapter: 'hono-mqtt',
      qos: 1,
    });
    expect(notification).toMatchObject({
      type: 'emptyNotification',
      deviceId: '4711',
      ttd: -1,
      origAdapter: 'hono-mqtt',
    });
    expect(device.connected).toBe(true);
    expect(device.isReachable(Date.now() + 86_400_000)).toBe(true);
  });

  it('connects as an HTTP device waiting 30 s for a command: only the notification, reachable for 30 s', async () => {
    const device = simulator.device('acme', 'http-1');
    await device.connect({ connectionEvent: false, ttd: 30 });
    const events = written('hono.event.acme');
    expect(events.map((event) => [event.type, event.ttd])).toEqual([['emptyNotification', 30]]);
    const created = events[0]?.creationTime.getTime() ?? 0;
    expect(device.isReachable(created + 29_999)).toBe(true);
    expect(device.isReachable(created + 30_000)).toBe(false);
  });

  it('connects without subscribing to commands (ttd null): connected, not reachable', async () => {
    const device = simulator.device('acme', '4711');
    await device.connect({ ttd: null, remoteId: 'client-7', data: { region: 'eu' } });
    expect(written('hono.event.acme')).toMatchObject([
      { type: 'connection', cause: 'connected', remoteId: 'client-7', data: { region: 'eu' } },
    ]);
    expect(device.connected).toBe(true);
    expect(device.isReachable()).toBe(false);
  });

  it('disconnects as Hono does: ttd 0, then the connection event; again, nothing', async () => {
    const device = simulator.device('acme', '4711');
    await device.connect();
    await device.disconnect();
    await device.disconnect();
    expect(
      written('hono.event.acme').map((event) => (event.type === 'connection' ? event.cause : event.ttd)),
    ).toEqual(['connected', -1, 0, 'disconnected']);
    expect(device.connected).toBe(false);
    expect(device.isReachable()).toBe(false);
  });

  it('writes nothing when an option is one Hono never writes', async () => {
    const device = simulator.device('acme', '4711');
    await expect(device.connect({ ttd: 1.5 })).rejects.toBeInstanceOf(EncodeError);
    expect(broker.logs.get('hono.event.acme')).toBeUndefined();
    expect(device.connected).toBe(false);
  });

  it('sends events with qos 1 and telemetry with qos 0 unless told', async () => {
    const device = simulator.device('acme', '4711');
    await device.sendEvent('{"alarm":true}', 'application/json');
    await device.sendTelemetry(Buffer.from([1, 2]));
    await device.sendTelemetry('21.5', 'text/plain', 1, { ttl: 60_000, extraHeaders: { region: 'eu' } });
    expect(written('hono.event.acme')).toMatchObject([
      {
        type: 'event',
        endpoint: 'event',
        qos: 1,
        contentType: 'application/json',
        payload: Buffer.from('{"alarm":true}'),
      },
    ]);
    const telemetry = written('hono.telemetry.acme');
    expect(telemetry).toMatchObject([
      {
        type: 'event',
        endpoint: 'telemetry',
        qos: 0,
        contentType: 'application/octet-stream',
        payload: Buffer.from([1, 2]),
      },
      { type: 'event', endpoint: 'telemetry', qos: 1, contentType: 'text/plain', ttl: 60_000 },
    ]);
    expect(telemetry[1]?.headers).toContainEqual({ region: Buffer.from('eu') });
  });

  it('opens the command window with a ttd on an event, as an HTTP device does', async () => {
    const device = simulator.device('acme', 'http-1');
    await device.sendTelemetry('1', 'text/plain', 0, { ttd: 20 });
    expect(device.isReachable()).toBe(true);
    expect(device.isReachable(Date.now() + 20_001)).toBe(false);
    await device.sendEvent('2', 'text/plain', { ttd: 0 });
    expect(device.isReachable()).toBe(false);
    expect(written('hono.telemetry.acme')[0]?.ttd).toBe(20);
  });

  it('is one object per tenant and device id', () => {
    expect(simulator.device('acme', '4711')).toBe(simulator.device('acme', '4711'));
    expect(simulator.device('acme', '4711')).not.toBe(simulator.device('other', '4711'));
    expect(() => simulator.device('not a tenant', '4711')).toThrow(TenantError);
    expect(() => simulator.device('acme', '')).toThrow(EncodeError);
  });

  it('reports a write the broker refused as a KafkaClientError', async () => {
    broker.failSends = new Error('Broker: Topic authorization failed');
    const error: unknown = await simulator
      .device('acme', '4711')
      .sendEvent('x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaClientError);
    expect((error as Error).message).toMatch(/hono\.event\.acme.*Topic authorization failed/);
  });

  it('writes nothing after close() and closes the producer', async () => {
    const device = simulator.device('acme', '4711');
    await device.connect();
    await simulator.close();
    await expect(device.sendEvent('late')).rejects.toBeInstanceOf(StateError);
    expect(broker.producers.map((producer) => producer.closed)).toEqual([true]);
  });

  it('uses one producer, with the brokers and client id', async () => {
    await simulator.device('acme', 'a').sendEvent('1');
    await simulator.device('acme', 'b').sendEvent('2');
    expect(broker.producers).toHaveLength(1);
    expect(broker.settings[0]).toEqual({
      'bootstrap.servers': 'loopback:9092',
      'client.id': 'hono-simulator',
    });
  });
});
