/**
 * The command client on fakes: a fake producer (test/unit/fakes) and a fake response reader that the
 * test assigns partitions to and feeds records, under fake timers.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClientFailure, type ClientMessage } from '../../../src/engine/client.js';
import { HonoCommandClient, withCommandClients } from '../../../src/commands/hono-command-client.js';
import {
  CommandErrorCode,
  DecodeError,
  ErrorCode,
  isCommandError,
  OptionsError,
} from '../../../src/errors.js';
import { decodeCommand, encodeCommandResponse, type DecodedCommand } from '../../../src/wire/commands.js';
import { loadOpenTelemetry } from '../../../src/telemetry/otel-api.js';
import { fakeProducers, fatalFailure } from '../fakes/fake-producer.js';
import { FakeReader, responseTopic, tenant } from './fake-reader.js';

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

let readers: FakeReader[];
let producers: ReturnType<typeof fakeProducers>;
let offset: number;

function newClient(
  options: Partial<ConstructorParameters<typeof HonoCommandClient>[0]> = {},
): HonoCommandClient {
  return withCommandClients(
    {
      producer: (_settings, listeners) => producers.make(listeners),
      responseReader: (settings, listeners) => {
        const reader = new FakeReader(settings, listeners);
        // The constructor's settings check makes one reader that it never uses.
        if (settings['group.id'] !== 'settings-check') readers.push(reader);
        return reader;
      },
      isUnknownTopic: (failure) => failure.code === 3,
    },
    () => new HonoCommandClient({ brokers: 'kafka:9092', logger: quiet, ...options }),
  );
}

/** The commands written so far, decoded as Hono's router reads them. */
function written(): DecodedCommand[] {
  return (producers.made[0]?.acknowledged ?? []).map((record, index) => {
    const decoded = decodeCommand({ ...record, partition: 0, offset: index, headers: record.headers });
    if ('kind' in decoded) throw new Error(decoded.reason);
    return decoded;
  });
}

/** The device's response to a command, as the reader reads it. */
function responseTo(
  command: DecodedCommand,
  status = 200,
  payload = 'ok',
  times: { readonly creationTime?: number; readonly ttlMs?: number } = {},
): ClientMessage {
  const record = encodeCommandResponse({
    tenantId: tenant,
    deviceId: command.deviceId,
    correlationId: command.correlationId ?? '',
    status,
    payload,
    contentType: 'text/plain',
    ...times,
  });
  return { ...record, partition: 0, offset: offset++ };
}

/** Closes a client, letting its readers' polls end (under fake timers). */
async function closed(client: HonoCommandClient): Promise<void> {
  const closing = client.close();
  await vi.advanceTimersByTimeAsync(500);
  await closing;
}

/** Lets the client's background work run. */
const settle = (ms = 0): Promise<void> => vi.advanceTimersByTimeAsync(ms).then(() => undefined);

// A client's first calls wait until `@opentelemetry/api` is loaded, which takes real time (module loading),
// not fake time: loaded here once, as an application's process loads it once.
beforeAll(async () => {
  await loadOpenTelemetry();
});

beforeEach(() => {
  vi.useFakeTimers();
  readers = [];
  producers = fakeProducers();
  offset = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('HonoCommandClient options', () => {
  it('lists every problem in one OptionsError', () => {
    const error = (() => {
      try {
        newClient({ brokers: '', requestTimeoutMs: -1, kafka: { 'group.id': 'x', acks: 1 } });
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(OptionsError);
    expect((error as OptionsError).problems.map((problem) => problem.path).sort()).toEqual([
      'brokers',
      'kafka.acks',
      'kafka.group.id',
      'requestTimeoutMs',
    ]);
  });
});

describe('HonoCommandClient refused settings', () => {
  it('names each setting librdkafka refuses, as the consumer does', () => {
    const make = (): HonoCommandClient =>
      withCommandClients(
        {
          producer: (_settings, listeners) => producers.make(listeners),
          responseReader: (settings, listeners) => {
            if ('bogus.setting' in settings) {
              throw new Error('No such configuration property: "bogus.setting"');
            }
            return new FakeReader(settings, listeners);
          },
          isUnknownTopic: () => false,
        },
        () =>
          new HonoCommandClient({
            brokers: 'kafka:9092',
            logger: quiet,
            kafka: { 'bogus.setting': 1, 'socket.timeout.ms': 1000 },
          }),
      );
    expect(make).toThrow(OptionsError);
    try {
      make();
    } catch (error) {
      expect((error as OptionsError).problems).toEqual([
        {
          path: 'kafka.bogus.setting',
          message: expect.stringMatching(
            /^is not a librdkafka setting \(No such configuration property/,
          ) as unknown,
        },
      ]);
    }
  });
});

describe('HonoCommandClient.request', () => {
  it('positions the reader at the high watermarks before it writes, and resolves with the matching response', async () => {
    const client = newClient();
    const response = client.request({ tenant, deviceId: '4711', name: 'getState', payload: 'ping' });
    await settle(200);
    const reader = readers[0];
    if (reader === undefined) throw new Error('no reader');
    expect(reader.subscribed).toBe(responseTopic);
    expect(reader.settings).toMatchObject({
      'auto.offset.reset': 'latest',
      'group.id': expect.stringMatching(/^DEFAULT_TENANT-/) as unknown,
    });
    expect(written()).toEqual([]);
    reader.watermark = 7;
    reader.assignPartitions(2);
    await settle(200);
    expect(reader.assigned).toEqual([
      { topic: responseTopic, partition: 0, offset: 7 },
      { topic: responseTopic, partition: 1, offset: 7 },
    ]);
    const [command] = written();
    if (command === undefined) throw new Error('no command');
    expect(command).toMatchObject({ name: 'getState', responseRequired: true, deviceId: '4711' });
    reader.queue.push(responseTo(command, 200, 'pong'));
    await settle(200);
    await expect(response).resolves.toMatchObject({
      kind: 'response',
      status: 200,
      correlationId: command.correlationId,
    });
    expect(client.pendingRequests).toBe(0);
    await closed(client);
  });

  it('ignores unknown and duplicate responses, reports undecodable ones and goes on reading', async () => {
    const client = newClient();
    const invalid: DecodeError[] = [];
    client.on('invalidResponse', (error) => invalid.push(error));
    const first = client.request({ tenant, deviceId: 'a', name: 'x' });
    await settle(200);
    readers[0]?.assignPartitions(1);
    await settle(200);
    const [command] = written();
    if (command === undefined) throw new Error('no command');
    const reader = readers[0];
    if (reader === undefined) throw new Error('no reader');
    const unknown = responseTo({ ...command, correlationId: 'someone-else' });
    const broken: ClientMessage = {
      topic: responseTopic,
      partition: 0,
      offset: offset++,
      value: null,
      key: Buffer.from('a'),
      headers: [],
    };
    reader.queue.push(unknown, broken, responseTo(command), responseTo(command, 500));
    await settle(200);
    await expect(first).resolves.toMatchObject({ status: 200 });
    expect(invalid.map((error) => error.code)).toEqual([ErrorCode.MissingCorrelationId]);
    expect(client.pendingRequests).toBe(0);
    // The reader still answers the next request.
    const second = client.request({ tenant, deviceId: 'b', name: 'y' });
    await settle(200);
    const next = written()[1];
    if (next === undefined) throw new Error('no second command');
    reader.queue.push(responseTo(next, 404));
    await settle(200);
    await expect(second).resolves.toMatchObject({ status: 404 });
    await closed(client);
  });

  it('rejects with a timeout that says the command was written, and forgets the request', async () => {
    const client = newClient({ requestTimeoutMs: 1_000 });
    const outcome = client.request({ tenant, deviceId: 'a', name: 'x' }).catch((error: unknown) => error);
    await settle(100);
    readers[0]?.assignPartitions(1);
    await settle(1_000);
    const error = await outcome;
    expect(isCommandError(error) && [error.code, error.acknowledged]).toEqual([
      CommandErrorCode.CommandTimedOut,
      true,
    ]);
    expect(client.pendingRequests).toBe(0);
    await closed(client);
  });

  it('times out with nothing written while the reader gets no partitions', async () => {
    const client = newClient();
    const outcome = client
      .request({ tenant, deviceId: 'a', name: 'x', timeoutMs: 500 })
      .catch((error: unknown) => error);
    await settle(600);
    const error = await outcome;
    expect(isCommandError(error) && [error.code, error.acknowledged]).toEqual([
      CommandErrorCode.CommandTimedOut,
      false,
    ]);
    expect(written()).toEqual([]);
    await closed(client);
  });

  it('refuses a request beyond maxPendingRequests before writing anything', async () => {
    const client = newClient({ maxPendingRequests: 1 });
    const first = client.request({ tenant, deviceId: 'a', name: 'x' }).catch(() => undefined);
    await expect(client.request({ tenant, deviceId: 'a', name: 'y' })).rejects.toMatchObject({
      code: CommandErrorCode.TooManyPending,
    });
    await closed(client);
    await first;
  });

  it('refuses a command Hono would drop before anything is written', async () => {
    const client = newClient();
    await expect(client.request({ tenant, deviceId: '', name: 'x' })).rejects.toMatchObject({
      code: ErrorCode.InvalidCommand,
    });
    await expect(client.sendOneWay({ tenant: 'a b', deviceId: 'd', name: 'x' })).rejects.toMatchObject({
      code: ErrorCode.InvalidTenant,
    });
    expect(readers).toEqual([]);
    await closed(client);
  });

  it('rejects with a send failure when the broker refuses the command', async () => {
    producers = fakeProducers((producer) => {
      producer.sendBehaviour = new ClientFailure(
        -1,
        'refused',
        { isFatal: false, isRetriable: false },
        undefined,
      );
    });
    const client = newClient();
    const outcome = client.sendOneWay({ tenant, deviceId: 'a', name: 'x' }).catch((error: unknown) => error);
    await settle(100);
    const error = await outcome;
    expect(isCommandError(error) && error.code).toBe(CommandErrorCode.CommandSendFailed);
    await closed(client);
  });
});

describe('HonoCommandClient one-way and durable sends', () => {
  it('sendOneWay resolves once acknowledged and send returns the correlation id', async () => {
    const client = newClient();
    await expect(client.sendOneWay({ tenant, deviceId: 'a', name: 'reboot' })).resolves.toBeUndefined();
    await expect(client.send({ tenant, deviceId: 'a', name: 'get', correlationId: 'wf-1' })).resolves.toBe(
      'wf-1',
    );
    expect(
      written().map((command) => [command.name, command.responseRequired, command.correlationId]),
    ).toEqual([
      ['reboot', false, undefined],
      ['get', true, 'wf-1'],
    ]);
    expect(readers).toEqual([]);
    await closed(client);
  });
});

describe('HonoCommandClient response reader failure', () => {
  it('rejects the pending requests of the tenant at once, as written, and reads with a new reader next', async () => {
    const client = newClient({ requestTimeoutMs: 10_000 });
    const written1 = client.request({ tenant, deviceId: 'a', name: 'x' }).catch((error: unknown) => error);
    await settle(100);
    const reader = readers[0];
    if (reader === undefined) throw new Error('no reader');
    reader.assignPartitions(1);
    await settle(100);
    expect(written()).toHaveLength(1);
    const other = client
      .request({ tenant: 'OTHER_TENANT', deviceId: 'a', name: 'x' })
      .catch((error: unknown) => error);
    await settle(10);
    reader.listeners.clientError(fatalFailure());
    await settle(0);
    const error = await written1;
    expect(
      isCommandError(error) && [error.code, error.acknowledged, error.retriable, error.correlationId],
    ).toEqual([CommandErrorCode.ResponseReaderFailed, true, true, written()[0]?.correlationId]);
    expect((error as Error).message).toContain('the command was written; its response cannot be read');
    // The other tenant's request is not touched; a new request of the tenant gets a new reader.
    expect(client.pendingRequests).toBe(1);
    const next = client.request({ tenant, deviceId: 'b', name: 'y' }).catch((error: unknown) => error);
    await settle(100);
    expect(reader.closed).toBe(true);
    expect(readers.map((made) => made.subscribed)).toEqual([
      responseTopic,
      'hono.command_response.OTHER_TENANT',
      responseTopic,
    ]);
    await closed(client);
    await other;
    await next;
  });
});

describe('HonoCommandClient expired responses', () => {
  /** A client with a request written and its reader positioned; logs debug lines to `debug`. */
  async function requestWritten(timeoutMs: number): Promise<{
    client: HonoCommandClient;
    outcome: Promise<unknown>;
    command: DecodedCommand;
    reader: FakeReader;
    debug: string[];
  }> {
    const debug: string[] = [];
    const client = newClient({ logger: { ...quiet, debug: (message) => debug.push(message) } });
    const outcome = client
      .request({ tenant, deviceId: 'a', name: 'x', timeoutMs })
      .catch((error: unknown) => error);
    await settle(100);
    const reader = readers[0];
    if (reader === undefined) throw new Error('no reader');
    reader.assignPartitions(1);
    await settle(100);
    const [command] = written();
    if (command === undefined) throw new Error('no command');
    return { client, outcome, command, reader, debug };
  }

  it('skips a response whose creation-time + ttl passed, as Hono does, and says so when the request times out', async () => {
    const { client, outcome, command, reader, debug } = await requestWritten(2_000);
    reader.queue.push(responseTo(command, 200, 'stale', { creationTime: Date.now() - 5_000, ttlMs: 1_000 }));
    await settle(200);
    expect(client.pendingRequests).toBe(1);
    expect(debug).toContain('expired command response skipped');
    await settle(2_000);
    const error = await outcome;
    expect(isCommandError(error) && [error.code, error.acknowledged]).toEqual([
      CommandErrorCode.CommandTimedOut,
      true,
    ]);
    // Read 200 ms after the start, 4,000 ms after it expired.
    expect((error as Error).message).toMatch(
      /no response within 2000 ms; the command was written, and a response came 4[01]\d\d ms after its creation-time \+ ttl had passed/,
    );
    await closed(client);
  });

  it('resolves with a response that has not expired, after skipping an expired one', async () => {
    const { client, outcome, command, reader } = await requestWritten(5_000);
    reader.queue.push(
      responseTo(command, 200, 'stale', { creationTime: Date.now() - 2_000, ttlMs: 1_000 }),
      responseTo(command, 202, 'fresh', { creationTime: Date.now() - 500, ttlMs: 1_000 }),
    );
    await settle(200);
    expect(await outcome).toMatchObject({ kind: 'response', status: 202 });
    await closed(client);
  });
});

describe('HonoCommandClient deadlines', () => {
  it('times out a one-way command the broker does not acknowledge at its own timeoutMs', async () => {
    producers = fakeProducers((producer) => {
      producer.sendBehaviour = 'hold';
    });
    const client = newClient({ requestTimeoutMs: 5_000 });
    const late = client.sendOneWay({ tenant, deviceId: 'a', name: 'x' }).catch((error: unknown) => error);
    await settle(100);
    const early = client
      .sendOneWay({ tenant, deviceId: 'a', name: 'y', timeoutMs: 1_000 })
      .catch((error: unknown) => error);
    const outcomes: string[] = [];
    void early.then(() => outcomes.push(`early at ${String(Date.now())}`));
    void late.then(() => outcomes.push(`late at ${String(Date.now())}`));
    const started = Date.now();
    await settle(999);
    expect(outcomes).toEqual([]);
    await settle(1);
    expect(outcomes).toEqual([`early at ${String(started + 1_000)}`]);
    const error = await early;
    expect(isCommandError(error) && [error.code, error.acknowledged, error.message]).toEqual([
      CommandErrorCode.CommandTimedOut,
      false,
      expect.stringContaining(
        'did not acknowledge the command within 1000 ms; it may still be written',
      ) as unknown,
    ]);
    await settle(3_900);
    expect(outcomes).toEqual([`early at ${String(started + 1_000)}`, `late at ${String(started + 4_900)}`]);
    // An acknowledgement after the timeout changes nothing.
    producers.made[0]?.held[0]?.acknowledge();
    await settle(10);
    await closed(client);
  });

  it('close rejects a one-way command that was never acknowledged', async () => {
    producers = fakeProducers((producer) => {
      producer.sendBehaviour = 'hold';
    });
    const client = newClient();
    const outcome = client.sendOneWay({ tenant, deviceId: 'a', name: 'x' }).catch((error: unknown) => error);
    await settle(10);
    await closed(client);
    const error = await outcome;
    expect(isCommandError(error) && [error.code, error.acknowledged]).toEqual([
      CommandErrorCode.ClientClosed,
      false,
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('HonoCommandClient.close', () => {
  it('rejects pending requests, closes the readers and the producer, and refuses later calls', async () => {
    const client = newClient();
    const outcome = client.request({ tenant, deviceId: 'a', name: 'x' }).catch((error: unknown) => error);
    await settle(100);
    readers[0]?.assignPartitions(1);
    await settle(100);
    const closing = client.close();
    expect(client.close()).toBe(closing);
    await settle(200);
    await closing;
    const error = await outcome;
    expect(isCommandError(error) && [error.code, error.acknowledged]).toEqual([
      CommandErrorCode.ClientClosed,
      true,
    ]);
    expect(readers[0]?.closed).toBe(true);
    expect(producers.made[0]?.disconnectCalls).toBe(1);
    await expect(client.request({ tenant, deviceId: 'a', name: 'x' })).rejects.toMatchObject({
      code: CommandErrorCode.ClientClosed,
    });
  });

  it('leaves no timer behind once closed, so that the process can exit', async () => {
    // Was a bug: the reader raced its poll loop against a closeTimeoutMs delay that was never cleared,
    // which kept a process alive for 10 s after close() returned.
    const client = newClient();
    const answered = client.request({ tenant, deviceId: 'a', name: 'x' });
    await settle(100);
    readers[0]?.assignPartitions(1);
    await settle(100);
    const [command] = written();
    if (command === undefined) throw new Error('nothing written');
    readers[0]?.queue.push(responseTo(command));
    await settle(100);
    await answered;
    await closed(client);
    expect(vi.getTimerCount()).toBe(0);
  });
});
