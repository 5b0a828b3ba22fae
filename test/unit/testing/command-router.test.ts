import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KafkaClientError, StateError } from '../../../src/errors.js';
import type { CommandAnswer } from '../../../src/testing/command-router.js';
import { HonoSimulator, withSimulatorClients } from '../../../src/testing/hono-simulator.js';
import type { SimulatedDevice } from '../../../src/testing/simulated-device.js';
import {
  type DecodedCommand,
  decodeCommandResponse,
  deliveryFailureContentType,
  encodeOneWayCommand,
  encodeRequestCommand,
} from '../../../src/wire/commands.js';
import type { EncodedRecord } from '../../../src/wire/types.js';
import { LoopbackBroker } from './loopback-kafka.js';

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const responses = 'hono.command_response.acme';

let broker: LoopbackBroker;
let simulator: HonoSimulator;

beforeEach(() => {
  broker = new LoopbackBroker();
  simulator = withSimulatorClients(
    broker.clients,
    () => new HonoSimulator({ brokers: 'loopback:9092', logger: quiet, closeTimeoutMs: 500 }),
  );
});

afterEach(async () => {
  await simulator.close();
});

function request(
  correlationId: string,
  deviceId = '4711',
  extra: Partial<Parameters<typeof encodeRequestCommand>[0]> = {},
) {
  return encodeRequestCommand({
    tenantId: 'acme',
    deviceId,
    name: 'setVolume',
    payload: '{"volume":7}',
    contentType: 'application/json',
    correlationId,
    failureMetadata: { job: '17' },
    ...extra,
  });
}

function write(record: EncodedRecord): void {
  broker.append({ topic: record.topic, key: record.key, value: record.value, headers: record.headers });
}

function written(): ReturnType<typeof decodeCommandResponse>[] {
  return broker.log(responses).map((record) => decodeCommandResponse(record));
}

describe('HonoSimulator.answerCommands', () => {
  it('reads the command topic in a group of its own, from the beginning', async () => {
    await simulator.answerCommands('acme', () => undefined);
    expect(broker.consumers).toHaveLength(1);
    expect(broker.settings[0]).toMatchObject({
      'bootstrap.servers': 'loopback:9092',
      'auto.offset.reset': 'earliest',
      'allow.auto.create.topics': true,
    });
    expect(String(broker.settings[0]?.['group.id'])).toMatch(/^hono-simulator-[0-9a-f-]{36}$/);
    await expect(simulator.answerCommands('acme', () => undefined)).rejects.toBeInstanceOf(StateError);
  });

  it('answers a request for a connected device with the answer, copying the failure metadata', async () => {
    const answer = vi.fn((command: DecodedCommand, device: SimulatedDevice): CommandAnswer => {
      expect(device.deviceId).toBe(command.deviceId);
      return { status: 200, payload: '{"volume":7}', contentType: 'application/json' };
    });
    await simulator.answerCommands('acme', answer, { groupId: 'cmd-router-group' });
    const device = simulator.device('acme', '4711');
    await device.connect();
    write(request('c-1'));
    const [handled] = await simulator.waitForCommands(1);
    expect(handled).toMatchObject({ tenantId: 'acme', outcome: 'answered', status: 200, offset: 0 });
    expect(answer).toHaveBeenCalledTimes(1);
    expect(device.received.map((command) => command.name)).toEqual(['setVolume']);
    expect(written()).toMatchObject([
      {
        kind: 'response',
        deviceId: '4711',
        correlationId: 'c-1',
        status: 200,
        contentType: 'application/json',
        payload: Buffer.from('{"volume":7}'),
      },
    ]);
    expect(broker.log(responses)[0]?.headers).toContainEqual({
      'delivery-failure-notification-metadata.job': Buffer.from('17'),
    });
    await vi.waitFor(() => {
      expect(broker.committed.get('cmd-router-group/hono.command.acme')).toBe(1);
    });
  });

  it("answers a request for a device that is not connected with Hono's 503", async () => {
    const answer = vi.fn(() => ({ status: 200 }));
    await simulator.answerCommands('acme', answer);
    const device = simulator.device('acme', '4711');
    await device.connect();
    await device.disconnect();
    write(request('c-1'));
    write(request('c-2', 'never-seen'));
    const handled = await simulator.waitForCommands(2);
    expect(handled.map((command) => [command.outcome, command.status])).toEqual([
      ['noConsumer', 503],
      ['noConsumer', 503],
    ]);
    expect(answer).not.toHaveBeenCalled();
    expect(written()).toMatchObject([
      { kind: 'deliveryFailure', correlationId: 'c-1', status: 503, error: 'no consumer available' },
      { kind: 'deliveryFailure', correlationId: 'c-2', deviceId: 'never-seen', status: 503 },
    ]);
    expect(broker.log(responses)[0]?.headers).toContainEqual({
      'content-type': Buffer.from(deliveryFailureContentType),
    });
  });

  it("answers a malformed request with Hono's 400 and drops a key mismatch without an answer", async () => {
    await simulator.answerCommands('acme', () => ({ status: 200 }));
    await simulator.device('acme', '4711').connect();
    const good = request('c-1');
    const noSubject = { ...good, headers: good.headers.filter((header) => !('subject' in header)) };
    const otherKey = { ...request('c-2'), key: Buffer.from('someone-else') };
    write(noSubject);
    write(otherKey);
    const handled = await simulator.waitForCommands(2);
    // Handled in the order finished: the dropped record first, the 400 after its write.
    expect(handled.map((command) => [command.offset, command.outcome]).sort()).toEqual([
      [0, 'malformed'],
      [1, 'dropped'],
    ]);
    expect(written()).toMatchObject([
      { kind: 'deliveryFailure', correlationId: 'c-1', status: 400, error: 'malformed command message' },
    ]);
  });

  it('gives one-way commands to the device and writes nothing; a request without an answer gets none', async () => {
    const answer = vi.fn((): CommandAnswer | undefined => undefined);
    await simulator.answerCommands('acme', answer);
    await simulator.device('acme', '4711').connect();
    write(encodeOneWayCommand({ tenantId: 'acme', deviceId: '4711', name: 'blink' }));
    write(request('c-1'));
    const handled = await simulator.waitForCommands(2);
    expect(handled.map((command) => command.outcome)).toEqual(['oneWay', 'unanswered']);
    expect(answer).toHaveBeenCalledTimes(2);
    expect(broker.logs.get(responses)).toBeUndefined();
  });

  it('goes on after an answer function that throws or an answer Hono would refuse', async () => {
    let calls = 0;
    await simulator.answerCommands('acme', () => {
      calls += 1;
      if (calls === 1) throw new Error('device logic broke');
      if (calls === 2) return { status: 302 };
      return { status: 204 };
    });
    await simulator.device('acme', '4711').connect();
    write(request('c-1'));
    write(request('c-2'));
    write(request('c-3'));
    const handled = await simulator.waitForCommands(3);
    expect(handled.map((command) => command.outcome)).toEqual(['failed', 'failed', 'answered']);
    expect(handled[0]?.error).toMatchObject({ message: 'device logic broke' });
    expect(written()).toMatchObject([{ kind: 'response', correlationId: 'c-3', status: 204 }]);
  });

  it('does not hold a later command back behind a slow answer, nor commit past it', async () => {
    let release: (answer: CommandAnswer) => void = () => undefined;
    await simulator.answerCommands(
      'acme',
      (command) =>
        command.correlationId === 'slow'
          ? new Promise<CommandAnswer>((resolve) => {
              release = resolve;
            })
          : { status: 200 },
      { groupId: 'g' },
    );
    await simulator.device('acme', '4711').connect();
    write(request('slow'));
    write(request('fast'));
    const [first] = await simulator.waitForCommands(1);
    expect(first?.offset).toBe(1);
    expect(broker.committed.get('g/hono.command.acme') ?? 0).toBe(0);
    release({ status: 202 });
    await simulator.waitForCommands(2);
    await vi.waitFor(() => {
      expect(broker.committed.get('g/hono.command.acme')).toBe(2);
    });
    expect(written().map((response) => response.correlationId)).toEqual(['fast', 'slow']);
  });

  it('fails when the group assigns no partition in time, and releases the consumer', async () => {
    broker.assigns = false;
    const error: unknown = await simulator
      .answerCommands('acme', () => undefined, { readyTimeoutMs: 50 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaClientError);
    expect((error as Error).message).toMatch(/no partition of hono\.command\.acme within 50 ms/);
    expect(broker.consumers[0]?.closed).toBe(true);
    // The tenant can be tried again.
    broker.assigns = true;
    await simulator.answerCommands('acme', () => undefined);
  });

  it('closes within its deadline even when an answer never settles', async () => {
    await simulator.answerCommands('acme', () => new Promise<undefined>(() => undefined));
    await simulator.device('acme', '4711').connect();
    write(request('c-1'));
    await vi.waitFor(() => {
      expect(simulator.device('acme', '4711').received).toHaveLength(1);
    });
    const started = Date.now();
    await simulator.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(broker.consumers[0]?.closed).toBe(true);
    await expect(simulator.answerCommands('other', () => undefined)).rejects.toBeInstanceOf(StateError);
  });

  it('says how many commands it saw when waitForCommands times out', async () => {
    await expect(simulator.waitForCommands(1, { timeoutMs: 20 })).rejects.toThrow(
      '0 of 1 commands handled within 20 ms: []',
    );
  });
});
