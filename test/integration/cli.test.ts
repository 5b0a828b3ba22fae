/**
 * The command-line tool against the real broker, run as a process: `consume --from-beginning
 * --max-events` prints exactly that many events as JSON lines, exits 0 and commits exactly what it
 * printed; a second run resumes after them and stops cleanly on SIGTERM; telemetry at qos 0 and 1 and
 * events written by the simulator are printed with their endpoint, both by default, one with
 * `--telemetry` or `--event`; `--all-tenants` prints the messages of a tenant created while it runs;
 * a usage error exits 2 and a
 * refused login exits 1, neither quoting the password; `--tls --ca-file` work over SSL and SASL_SSL, and
 * a CA that did not sign the broker's certificate fails at once with ERR_HONO_TLS. `command` against
 * `simulate`: a 200 response (exit 0), Hono's 503 for a device that is not connected (exit 4), a device's
 * error status (exit 3), no response within --timeout (exit 5), a one-way command (exit 0), and a command
 * written before the simulator started is neither answered nor printed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HonoSimulator } from '../../src/testing/hono-simulator.js';
import { encodeConnectionEvent } from '../../src/wire/encode.js';
import { randomSuffix, TestAdmin } from './clients.js';
import { createTestTopic, quietLogger, sequencedEvents, type TestTopic } from './consumer-helpers.js';
import { kafkaEnvironment, saslEnvironment, tlsEnvironment } from './kafka-env.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const secret = `pw-${randomSuffix()}`;

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `src/cli/main.ts` with tsx, with none of the KAFKA_* variables of this process.
 *
 * @param args - the command line
 * @param options - extra environment; a callback that sees stdout as it grows
 * @returns exit code and output
 */
function runCli(
  args: readonly string[],
  options: {
    env?: Record<string, string>;
    onStdout?: (stdout: string, child: ChildProcess) => void;
    onStderr?: (stderr: string, child: ChildProcess) => void;
    watchdogMs?: number;
  } = {},
): Promise<CliRun> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KAFKA_')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    env: { ...env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    options.onStdout?.(stdout, child);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    options.onStderr?.(stderr, child);
  });
  const watchdog = setTimeout(() => child.kill('SIGKILL'), options.watchdogMs ?? 30_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(watchdog);
      resolve({ code, stdout, stderr });
    });
  });
}

const linesOf = (text: string): string[] => text.split('\n').filter((line) => line !== '');

/** The printed offsets per partition, in the order printed. */
function offsetsByPartition(
  positions: readonly { partition: number; offset: number }[],
): Map<number, number[]> {
  const result = new Map<number, number[]>();
  for (const { partition, offset } of positions)
    result.set(partition, [...(result.get(partition) ?? []), offset]);
  return result;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

let topic: TestTopic | undefined;
afterEach(async () => {
  await topic?.cleanup();
  topic = undefined;
});

describe('eclipse-hono-kafka consume', () => {
  it('prints exactly --max-events events, commits exactly those, and a later run resumes after them', async () => {
    topic = await createTestTopic(2);
    const { tenant, topic: name, groupId } = topic;
    // Partition 0: a record that is no Hono event, then 15 events; partition 1: a connection event, 14 more.
    await topic.produce([
      { topic: name, partition: 0, key: null, value: Buffer.from('no device'), headers: [] },
      ...sequencedEvents(tenant, ['a', 'b', 'c'], 5, 0),
      {
        ...encodeConnectionEvent({
          tenantId: tenant,
          deviceId: 'd',
          cause: 'connected',
          remoteId: 'r',
          source: 's',
        }),
        partition: 1,
      },
      ...sequencedEvents(tenant, ['d', 'e'], 7, 1),
    ]);
    const brokers = kafkaEnvironment().bootstrapServers;
    const common = ['consume', '--brokers', brokers, '--tenant', tenant, '--group', groupId, '--event'];

    const first = await runCli([...common, '--from-beginning', '--max-events', '20']);
    expect(first.code, first.stderr).toBe(0);
    const events = linesOf(first.stdout).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events).toHaveLength(20);
    for (const event of events) {
      expect(event).toMatchObject({ tenantId: tenant, topic: name, qos: 1 });
      expect(event['creationTime']).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
      if (event['type'] === 'event') {
        expect(event).toMatchObject({ contentType: 'application/json', payloadEncoding: 'utf8' });
        expect(JSON.parse(event['payload'] as string)).toHaveProperty('sequence');
      }
    }
    expect(events.filter((event) => event['type'] === 'connection')).toEqual([
      expect.objectContaining({ deviceId: 'd', cause: 'connected', partition: 1, offset: 0 }),
    ]);
    const [connecting, ...reports] = linesOf(first.stderr);
    expect(connecting).toBe(`eclipse-hono-kafka: connecting to ${brokers}...`);
    const invalid = reports.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(invalid).toEqual([
      expect.objectContaining({ code: 'ERR_HONO_MISSING_DEVICE_ID', topic: name, partition: 0, offset: 0 }),
    ]);
    // Each partition was printed in order, from its start, and its committed position is right after
    // the last printed event: nothing printed is left uncommitted, nothing unprinted is committed.
    const printed = offsetsByPartition(events as unknown as { partition: number; offset: number }[]);
    const onFirst = printed.get(0)?.length ?? 0;
    const onSecond = printed.get(1)?.length ?? 0;
    expect(onFirst + onSecond).toBe(20);
    expect(printed.get(0) ?? []).toEqual(range(1, onFirst + 1));
    expect(printed.get(1) ?? []).toEqual(range(0, onSecond));
    expect(await topic.committed()).toEqual(
      new Map([
        [0, onFirst + 1],
        [1, onSecond],
      ]),
    );

    // The same group again, without a limit, in text: the ten events not yet printed, then SIGTERM.
    let signalled = false;
    const second = await runCli([...common, '--format', 'text'], {
      onStdout: (stdout, child) => {
        if (!signalled && linesOf(stdout).length >= 10) {
          signalled = true;
          child.kill('SIGTERM');
        }
      },
    });
    expect(second.code, second.stderr).toBe(0);
    const rest = linesOf(second.stdout).map((line) => {
      const match = / \[(\d+)\]@(\d+) /.exec(line);
      expect(line.startsWith('20'), line).toBe(true);
      return { partition: Number(match?.[1]), offset: Number(match?.[2]) };
    });
    const resumed = offsetsByPartition(rest);
    expect(resumed.get(0) ?? []).toEqual(range(onFirst + 1, 16));
    expect(resumed.get(1) ?? []).toEqual(range(onSecond, 15));
    expect(await topic.committed()).toEqual(
      new Map([
        [0, 16],
        [1, 15],
      ]),
    );
  });

  it('exits 2 on a usage error, with a hint to --help and without the password', async () => {
    const run = await runCli(['consume', '--tenant', 'DEFAULT_TENANT', '--password', secret], {
      env: { KAFKA_SASL_PASSWORD: secret },
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--brokers is required');
    expect(run.stderr).toContain("Run 'eclipse-hono-kafka consume --help' for usage.");
    expect(run.stderr).not.toContain(secret);
  });

  it('exits 1 with the error code when the brokers refuse the login, without the password', async () => {
    const sasl = saslEnvironment();
    const run = await runCli(
      [
        'consume',
        '--brokers',
        sasl.bootstrapServers,
        '--tenant',
        'DEFAULT_TENANT',
        '--sasl-mechanism',
        'SCRAM-SHA-512',
        '--username',
        sasl.username,
        '--connect-timeout',
        '3',
      ],
      { env: { KAFKA_SASL_PASSWORD: secret } },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^eclipse-hono-kafka: error: ERR_HONO_AUTHENTICATION: .*authentication/im);
    expect(run.stderr).not.toContain(secret);
  });
});

describe('eclipse-hono-kafka consume: telemetry and every tenant', () => {
  const brokers = kafkaEnvironment().bootstrapServers;
  const tenants: string[] = [];
  let simulator: HonoSimulator | undefined;
  afterEach(async () => {
    await simulator?.close();
    simulator = undefined;
    const admin = new TestAdmin(brokers);
    try {
      for (const tenant of tenants.splice(0)) {
        for (const endpoint of ['event', 'telemetry']) await admin.deleteTopic(`hono.${endpoint}.${tenant}`);
      }
    } finally {
      admin.disconnect();
    }
  });

  /** Creates the event and telemetry topics of a new tenant (deleted after the test). */
  async function newTenant(): Promise<string> {
    const tenant = `cli-tel-${randomSuffix()}`;
    tenants.push(tenant);
    const admin = new TestAdmin(brokers);
    try {
      for (const endpoint of ['event', 'telemetry']) await admin.createTopic(`hono.${endpoint}.${tenant}`, 1);
    } finally {
      admin.disconnect();
    }
    return tenant;
  }

  /**
   * A device of the tenant, as Hono's adapters write it: telemetry at qos 0, at qos 1, at qos 0 again,
   * and two events.
   */
  async function sendMessages(tenant: string): Promise<void> {
    simulator ??= new HonoSimulator({ brokers, logger: quietLogger, closeTimeoutMs: 10_000 });
    const device = simulator.device(tenant, 'dev1');
    await device.sendTelemetry('{"temp":21}', 'application/json', 0);
    await device.sendTelemetry('{"temp":22}', 'application/json', 1);
    await device.sendTelemetry('{"temp":23}', 'application/json', 0);
    await device.sendEvent('{"alarm":1}', 'application/json');
    await device.sendEvent('{"alarm":2}', 'application/json');
  }

  const parsed = (stdout: string): Record<string, unknown>[] =>
    linesOf(stdout).map((line) => JSON.parse(line) as Record<string, unknown>);

  /** What a printed line says: endpoint, qos and payload. */
  const summary = (line: Record<string, unknown>) => ({
    endpoint: line['endpoint'],
    qos: line['qos'],
    payload: line['payload'],
  });

  const telemetryLines = [
    { endpoint: 'telemetry', qos: 0, payload: '{"temp":21}' },
    { endpoint: 'telemetry', qos: 1, payload: '{"temp":22}' },
    { endpoint: 'telemetry', qos: 0, payload: '{"temp":23}' },
  ];
  const eventLines = [
    { endpoint: 'event', qos: 1, payload: '{"alarm":1}' },
    { endpoint: 'event', qos: 1, payload: '{"alarm":2}' },
  ];
  const byEndpointThenPayload = (a: { endpoint: unknown; payload: unknown }, b: typeof a): number =>
    `${String(a.endpoint)} ${String(a.payload)}`.localeCompare(`${String(b.endpoint)} ${String(b.payload)}`);

  it('prints telemetry at qos 0 and 1 and events, both by default, each with its endpoint, and commits them', async () => {
    const tenant = await newTenant();
    await sendMessages(tenant);
    const groupId = `cli-group-${randomSuffix()}`;
    const common = ['consume', '-b', brokers, '-t', tenant, '--from-beginning'];

    const both = await runCli([...common, '-g', groupId, '--max-events', '5']);
    expect(both.code, both.stderr).toBe(0);
    const lines = parsed(both.stdout);
    expect(lines.map(summary).sort(byEndpointThenPayload)).toEqual([...eventLines, ...telemetryLines]);
    for (const line of lines) {
      expect(line).toMatchObject({
        type: 'event',
        tenantId: tenant,
        deviceId: 'dev1',
        topic: `hono.${String(line['endpoint'])}.${tenant}`,
      });
    }
    // Each topic in its own order: the device's telemetry as sent.
    expect(lines.filter((line) => line['endpoint'] === 'telemetry').map(summary)).toEqual(telemetryLines);
    const admin = new TestAdmin(brokers);
    try {
      expect(await admin.committedOffsets(groupId, `hono.telemetry.${tenant}`, [0])).toEqual(
        new Map([[0, 3]]),
      );
      expect(await admin.committedOffsets(groupId, `hono.event.${tenant}`, [0])).toEqual(new Map([[0, 2]]));
    } finally {
      admin.disconnect();
    }

    // --telemetry alone (here with qos 0 at most once), in text; --event alone.
    const telemetry = await runCli([
      ...common,
      '-g',
      `${groupId}-t`,
      '--telemetry',
      '--qos0',
      'at-most-once',
      '--format',
      'text',
      '--max-events',
      '3',
    ]);
    expect(telemetry.code, telemetry.stderr).toBe(0);
    expect(linesOf(telemetry.stdout).map((line) => line.split(' ').slice(2))).toEqual([
      ['dev1', 'telemetry', '[0]@0', 'qos=0', 'ct=application/json', '{"temp":21}'],
      ['dev1', 'telemetry', '[0]@1', 'qos=1', 'ct=application/json', '{"temp":22}'],
      ['dev1', 'telemetry', '[0]@2', 'qos=0', 'ct=application/json', '{"temp":23}'],
    ]);
    const events = await runCli([...common, '-g', `${groupId}-e`, '--event', '--max-events', '2']);
    expect(events.code, events.stderr).toBe(0);
    expect(parsed(events.stdout).map(summary)).toEqual(eventLines);
  });

  it('prints with --all-tenants the telemetry and events of a tenant created while it runs', async () => {
    const [present, created] = [await newTenant(), `cli-tel-${randomSuffix()}`];
    const of = (stdout: string, tenant: string): Record<string, unknown>[] =>
      parsed(stdout).filter((line) => line['tenantId'] === tenant);
    let printed = '';
    const run = runCli(['consume', '-b', brokers, '--all-tenants', '-g', `cli-group-${randomSuffix()}`], {
      watchdogMs: 80_000,
      onStdout: (stdout, child) => {
        printed = stdout;
        if (of(stdout, created).length >= 5) child.kill('SIGTERM');
      },
    });
    // Set by the run's end, which the compiler cannot see in the loop below.
    let ended = false as boolean;
    void run.then(() => (ended = true));
    // The run starts at the newest record of the topics that exist: once a record written now to a
    // present tenant is printed, the run is consuming.
    simulator = new HonoSimulator({ brokers, logger: quietLogger, closeTimeoutMs: 10_000 });
    const device = simulator.device(present, 'probe');
    const deadline = Date.now() + 40_000;
    while (of(printed, present).length === 0 && !ended) {
      if (Date.now() > deadline) throw new Error('no line of the present tenant within 40 s');
      await device.sendTelemetry('probe', 'text/plain', 0);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(ended, 'the run ended early').toBe(false);
    // A tenant created now: its topics are found within about 15 s and read from their first record.
    tenants.push(created);
    const admin = new TestAdmin(brokers);
    try {
      for (const endpoint of ['event', 'telemetry'])
        await admin.createTopic(`hono.${endpoint}.${created}`, 1);
    } finally {
      admin.disconnect();
    }
    await sendMessages(created);
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(of(result.stdout, created).map(summary).sort(byEndpointThenPayload)).toEqual([
      ...eventLines,
      ...telemetryLines,
    ]);
  }, 90_000);
});

describe('eclipse-hono-kafka consume over TLS', () => {
  const tls = tlsEnvironment();

  /** Four events on a new topic, written over the plaintext listener. */
  async function fourEvents(): Promise<TestTopic> {
    const created = await createTestTopic(1);
    await created.produce(sequencedEvents(created.tenant, ['a', 'b'], 2, 0));
    return created;
  }

  it('consumes over SSL with --ca-file, saying where it connects', async () => {
    topic = await fourEvents();
    const run = await runCli([
      'consume',
      '--brokers',
      tls.sslBootstrapServers,
      '--tenant',
      topic.tenant,
      '--group',
      topic.groupId,
      '--ca-file',
      tls.caFile,
      '--from-beginning',
      '--max-events',
      '4',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(linesOf(run.stdout)).toHaveLength(4);
    expect(linesOf(run.stderr)[0]).toBe(`eclipse-hono-kafka: connecting to ${tls.sslBootstrapServers}...`);
    expect(await topic.committed()).toEqual(new Map([[0, 4]]));
  });

  it('consumes over SASL_SSL with --tls --ca-file and SCRAM-SHA-512', async () => {
    topic = await fourEvents();
    const run = await runCli(
      [
        'consume',
        '--brokers',
        tls.saslSslBootstrapServers,
        '--tenant',
        topic.tenant,
        '--group',
        topic.groupId,
        '--tls',
        '--ca-file',
        tls.caFile,
        '--sasl-mechanism',
        'SCRAM-SHA-512',
        '--username',
        tls.sasl.username,
        '--from-beginning',
        '--max-events',
        '4',
      ],
      { env: { KAFKA_SASL_PASSWORD: tls.sasl.password } },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(linesOf(run.stdout)).toHaveLength(4);
    expect(run.stderr).not.toContain(tls.sasl.password);
  });

  it('exits 1 at once with ERR_HONO_TLS when --ca-file names a CA that did not sign the certificate', async () => {
    const started = Date.now();
    let errorAt: number | undefined;
    const run = await runCli(
      [
        'consume',
        '--brokers',
        tls.sslBootstrapServers,
        '--tenant',
        'DEFAULT_TENANT',
        '--ca-file',
        tls.otherCaFile,
        '--connect-timeout',
        '20',
      ],
      {
        onStderr: (stderr) => {
          if (errorAt === undefined && stderr.includes('error:')) errorAt = Date.now() - started;
        },
      },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = linesOf(run.stderr);
    expect(lines[0]).toBe(`eclipse-hono-kafka: connecting to ${tls.sslBootstrapServers}...`);
    expect(run.stderr).toMatch(/^eclipse-hono-kafka: error: ERR_HONO_TLS: cannot connect to Kafka/m);
    expect(run.stderr).toContain('--ca-file');
    expect(run.stderr).toContain(`bootstrap servers: ${tls.sslBootstrapServers}`);
    // The error is printed, and the process ends, long before the 20 s connect deadline.
    expect(errorAt).toBeLessThan(10_000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('eclipse-hono-kafka command and simulate', () => {
  const brokers = kafkaEnvironment().bootstrapServers;
  const tenants: string[] = [];
  afterEach(async () => {
    const admin = new TestAdmin(brokers);
    try {
      for (const tenant of tenants.splice(0)) {
        for (const kind of ['command', 'command_response', 'event'])
          await admin.deleteTopic(`hono.${kind}.${tenant}`);
      }
    } finally {
      admin.disconnect();
    }
  });

  /** A new tenant whose command topics exist; deleted after the test. */
  async function newTenant(): Promise<string> {
    const tenant = `cli-cmd-${randomSuffix()}`;
    tenants.push(tenant);
    const admin = new TestAdmin(brokers);
    try {
      for (const kind of ['command', 'command_response', 'event'])
        await admin.createTopic(`hono.${kind}.${tenant}`, 1);
    } finally {
      admin.disconnect();
    }
    return tenant;
  }

  /**
   * Starts `simulate` and resolves once it answers commands; `stop()` sends SIGTERM and resolves with
   * what it printed and its exit code.
   */
  async function simulate(args: readonly string[]): Promise<{ stop: () => Promise<CliRun> }> {
    let child: ChildProcess | undefined;
    let ready: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (ready = resolve));
    const run = runCli(['simulate', '--brokers', brokers, ...args], {
      watchdogMs: 60_000,
      onStderr: (stderr, process) => {
        child = process;
        if (stderr.includes('answering commands')) ready();
      },
    });
    await Promise.race([
      started,
      run.then((result) => {
        throw new Error(`simulate ended before it answered commands: ${JSON.stringify(result)}`);
      }),
    ]);
    return {
      stop: () => {
        child?.kill('SIGTERM');
        return run;
      },
    };
  }

  const command = (tenant: string, args: readonly string[]): Promise<CliRun> =>
    runCli(['command', '--brokers', brokers, '--tenant', tenant, ...args]);

  it('gets the 200 echo of a simulated device, a 503 for another device, and a one-way command through', async () => {
    const tenant = await newTenant();
    // A command of an earlier run: the simulator must neither answer nor print it.
    const early = await command(tenant, ['--device', 'dev1', '--name', 'early', '--one-way']);
    expect(early.code, early.stderr).toBe(0);
    expect(early.stdout).toBe('');

    const simulator = await simulate(['--tenant', tenant, '--device', 'dev1']);
    const [answered, notConnected, oneWay] = await Promise.all([
      command(tenant, [
        '--device',
        'dev1',
        '--name',
        'setVolume',
        '--payload',
        '{"level":7}',
        '--timeout',
        '20',
      ]),
      command(tenant, ['-d', 'dev2', '-n', 'setVolume', '--payload', 'x', '--timeout', '20']),
      command(tenant, ['-d', 'dev1', '-n', 'reboot', '--one-way', '--json']),
    ]);
    const simulated = await simulator.stop();

    expect(answered.code, answered.stderr).toBe(0);
    expect(answered.stdout).toBe('res dev1 200 application/json {"level":7}\n');
    expect(notConnected.code, notConnected.stderr).toBe(4);
    expect(notConnected.stdout).toBe('');
    expect(notConnected.stderr).toContain(
      'cannot deliver the command to device dev2: 503 no consumer available',
    );
    expect(notConnected.stderr).toContain('check that device dev2 is connected to a protocol adapter');
    expect(oneWay.code, oneWay.stderr).toBe(0);
    expect(JSON.parse(oneWay.stdout)).toEqual({
      type: 'oneWay',
      tenantId: tenant,
      deviceId: 'dev1',
      name: 'reboot',
    });

    expect(simulated.code, simulated.stderr).toBe(0);
    expect(linesOf(simulated.stdout).sort()).toEqual([
      'cmd dev1 reboot oneWay -',
      'cmd dev1 setVolume answered 200',
      'cmd dev2 setVolume noConsumer 503',
    ]);
    expect(simulated.stderr).toContain('skipped 1 commands created before the start');
  });

  it("exits 3 for a device's error status and 5 when no response comes within --timeout", async () => {
    const [answering, silent] = await Promise.all([newTenant(), newTenant()]);
    const simulator = await simulate(['-t', answering, '-d', 'dev1', '--status', '500', '--json']);
    const [failed, timedOut] = await Promise.all([
      command(answering, ['-d', 'dev1', '-n', 'calibrate', '--timeout', '20']),
      // Nobody reads the commands of this tenant.
      command(silent, ['-d', 'dev1', '-n', 'calibrate', '--timeout', '3']),
    ]);
    const simulated = await simulator.stop();

    expect(failed.code, failed.stderr).toBe(3);
    expect(failed.stdout).toBe('res dev1 500 - -\n');
    expect(timedOut.code, timedOut.stderr).toBe(5);
    expect(timedOut.stdout).toBe('');
    expect(timedOut.stderr).toContain('ERR_HONO_COMMAND_TIMEOUT');
    expect(timedOut.stderr).toContain('no response from device dev1 within 3 s');
    expect(simulated.code, simulated.stderr).toBe(0);
    expect(linesOf(simulated.stdout).map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({
        type: 'command',
        tenantId: answering,
        deviceId: 'dev1',
        name: 'calibrate',
        outcome: 'answered',
        status: 500,
      }),
    ]);
  });
});
