/**
 * The command line: parsing, validation with every problem listed, the librdkafka settings for TLS and
 * SASL, exit code 2 for usage errors, and secrets that never appear in what the command prints.
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type ConsumeArgs, defaultGroup, type Invocation, parseCommandLine } from '../../src/cli/args.js';
import { type CliIo, ExitCode, main } from '../../src/cli/consume.js';
import { type CommandArgs, defaultContentType, type SimulateArgs } from '../../src/cli/command-args.js';
import { deliveryFailureHint, responseExitCode } from '../../src/cli/command.js';
import { echoAnswer } from '../../src/cli/simulate.js';
import type { CommandResponse, DecodedCommand } from '../../src/wire/commands.js';

const secret = 'hunter2-Secret!';
const always: (path: string) => boolean = () => true;

function parse(argv: readonly string[], env: Record<string, string> = {}, readable = always): Invocation {
  return parseCommandLine(argv, env, readable);
}

/** The validated `consume` arguments; fails the test on anything else. */
function consumeArgs(argv: readonly string[], env: Record<string, string> = {}): ConsumeArgs {
  const invocation = parse(['consume', ...argv], env);
  if (invocation.kind !== 'consume') throw new Error(`expected consume, got ${JSON.stringify(invocation)}`);
  return invocation.args;
}

/** The usage problems; fails the test when the command line is accepted. */
function problems(argv: readonly string[], env: Record<string, string> = {}, readable = always): string[] {
  const invocation = parse(argv, env, readable);
  if (invocation.kind !== 'usage') throw new Error(`expected a usage error, got ${invocation.kind}`);
  return [...invocation.problems];
}

const required = ['--brokers', '127.0.0.1:9092', '--tenant', 'DEFAULT_TENANT'];

describe('parseCommandLine: consume', () => {
  it('applies the defaults: telemetry and events, qos 0 at least once, latest, json, the CLI group, no limit, progress decided by the terminal', () => {
    expect(consumeArgs(required)).toEqual({
      brokers: '127.0.0.1:9092',
      tenants: ['DEFAULT_TENANT'],
      endpoints: ['event', 'telemetry'],
      qos0: 'atLeastOnce',
      groupId: defaultGroup,
      startFrom: 'latest',
      maxEvents: undefined,
      format: 'json',
      progress: undefined,
      quiet: false,
      connectTimeoutMs: 30_000,
      kafka: {},
      warnings: [],
    });
  });

  it('takes short options, several tenants (repeated and comma-separated) and a limit', () => {
    const args = consumeArgs([
      '-b',
      ' a:9092, b:9092 ,',
      '-t',
      'one,two',
      '-t',
      'three',
      '-t',
      'one',
      '-g',
      'mine',
      '-n',
      '20',
      '--from-beginning',
      '--format',
      'text',
      '--connect-timeout',
      '5',
    ]);
    expect(args).toMatchObject({
      brokers: 'a:9092,b:9092',
      tenants: ['one', 'two', 'three'],
      groupId: 'mine',
      maxEvents: 20,
      startFrom: 'earliest',
      format: 'text',
      connectTimeoutMs: 5_000,
    });
  });

  it('reads the brokers from KAFKA_BOOTSTRAP_SERVERS; --brokers wins', () => {
    const env = { KAFKA_BOOTSTRAP_SERVERS: 'env:9092' };
    expect(consumeArgs(['-t', 't'], env).brokers).toBe('env:9092');
    expect(consumeArgs(['-t', 't', '-b', 'flag:9092'], env).brokers).toBe('flag:9092');
  });

  it('consumes events with --event, telemetry with --telemetry, and both with neither or both, as hono-cli', () => {
    expect(consumeArgs([...required, '--event']).endpoints).toEqual(['event']);
    expect(consumeArgs([...required, '--telemetry']).endpoints).toEqual(['telemetry']);
    expect(consumeArgs([...required, '--telemetry', '--event']).endpoints).toEqual(['event', 'telemetry']);
    expect(consumeArgs(required).endpoints).toEqual(['event', 'telemetry']);
  });

  it('consumes every tenant with --all-tenants', () => {
    expect(consumeArgs(['-b', 'x', '--all-tenants'])).toMatchObject({
      tenants: '*',
      endpoints: ['event', 'telemetry'],
    });
    expect(consumeArgs(['-b', 'x', '--all-tenants', '--telemetry'])).toMatchObject({
      tenants: '*',
      endpoints: ['telemetry'],
    });
  });

  it('maps --qos0 to the SDK policy, and warns that it does nothing for events alone', () => {
    expect(consumeArgs([...required, '--qos0', 'at-most-once'])).toMatchObject({
      qos0: 'atMostOnce',
      warnings: [],
    });
    expect(consumeArgs([...required, '--qos0', 'at-least-once']).qos0).toBe('atLeastOnce');
    expect(consumeArgs([...required, '--event', '--qos0', 'at-most-once'])).toMatchObject({
      qos0: 'atMostOnce',
      warnings: ['--qos0 has no effect with --event alone: Hono writes every event with qos 1'],
    });
  });

  it('checks a tenant id against the telemetry topic when telemetry is consumed', () => {
    // hono.event. leaves 238 characters for the tenant id, hono.telemetry. 234.
    const tenant = 'x'.repeat(236);
    expect(consumeArgs(['-b', 'x', '-t', tenant, '--event']).tenants).toEqual([tenant]);
    expect(problems(['consume', '-b', 'x', '-t', tenant])).toEqual([
      `--tenant '${tenant}': tenant id is 236 characters long, at most 234 fit Kafka's 249-character limit for hono.telemetry.<tenant> topics`,
    ]);
  });

  it('turns progress on with --progress and off with --quiet, which wins', () => {
    expect(consumeArgs([...required, '--progress']).progress).toBe(true);
    expect(consumeArgs([...required, '-q'])).toMatchObject({ progress: false, quiet: true });
    expect(consumeArgs([...required, '--progress', '--quiet']).progress).toBe(false);
  });
});

describe('parseCommandLine: TLS and SASL settings', () => {
  it('maps --tls and the PEM files; the files imply TLS', () => {
    expect(consumeArgs([...required, '--tls']).kafka).toEqual({ 'security.protocol': 'SSL' });
    expect(
      consumeArgs([...required, '--ca-file', 'ca.pem', '--cert-file', 'c.pem', '--key-file', 'k.pem']).kafka,
    ).toEqual({
      'security.protocol': 'SSL',
      'ssl.ca.location': 'ca.pem',
      'ssl.certificate.location': 'c.pem',
      'ssl.key.location': 'k.pem',
    });
  });

  it('maps SASL to SASL_PLAINTEXT, or SASL_SSL with TLS; the mechanism is case-insensitive', () => {
    const sasl = ['--sasl-mechanism', 'scram-sha-512', '--username', 'hono', '--password', secret];
    expect(consumeArgs([...required, ...sasl]).kafka).toEqual({
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanisms': 'SCRAM-SHA-512',
      'sasl.username': 'hono',
      'sasl.password': secret,
    });
    expect(consumeArgs([...required, ...sasl, '--tls']).kafka['security.protocol']).toBe('SASL_SSL');
  });

  it('takes the user and password from KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD', () => {
    const env = { KAFKA_SASL_USERNAME: 'env-user', KAFKA_SASL_PASSWORD: secret };
    const args = consumeArgs([...required, '--sasl-mechanism', 'SCRAM-SHA-256'], env);
    expect(args.kafka).toMatchObject({ 'sasl.username': 'env-user', 'sasl.password': secret });
    // Without --sasl-mechanism the variables are ignored: a plaintext run is not broken by them.
    expect(consumeArgs(required, env).kafka).toEqual({});
  });

  it('warns that PLAIN without TLS sends the password in clear text', () => {
    const args = consumeArgs([
      ...required,
      '--sasl-mechanism',
      'PLAIN',
      '--username',
      'u',
      '--password',
      'p',
    ]);
    expect(args.warnings).toEqual([expect.stringContaining('clear text')]);
  });

  it('passes --kafka settings through; they win over the derived ones', () => {
    const args = consumeArgs([
      ...required,
      '--tls',
      '--kafka',
      'security.protocol=ssl',
      '--kafka',
      'session.timeout.ms=10000',
      '--kafka',
      'client.rack=a=b',
    ]);
    expect(args.kafka).toEqual({
      'security.protocol': 'ssl',
      'session.timeout.ms': '10000',
      'client.rack': 'a=b',
    });
  });
});

describe('parseCommandLine: usage problems', () => {
  it('lists every problem of a command line at once', () => {
    expect(
      problems(
        ['consume', '-n', '0', '--format', 'xml', '--tenant', 'a b', '--connect-timeout', '1.5', '--group='],
        {},
      ),
    ).toEqual([
      '--brokers is required (or set KAFKA_BOOTSTRAP_SERVERS)',
      `--tenant 'a b': tenant id may only contain the Kafka topic characters [a-zA-Z0-9._-]: " " at index 1`,
      '--group must not be empty',
      `--format must be 'json' or 'text', not 'xml'`,
      `--max-events must be a positive whole number, not '0'`,
      `--connect-timeout must be a positive whole number, not '1.5'`,
    ]);
  });

  it.each([
    [['consume', '-b', 'x'], '--tenant is required (or --all-tenants for every tenant)'],
    [['consume', '-b', 'x', '-t', 'a', '--all-tenants'], '--all-tenants and --tenant exclude each other'],
    [
      ['consume', '-b', 'x', '-t', 'a,*'],
      "--tenant '*' is not a tenant id: --all-tenants consumes every tenant",
    ],
    [
      ['consume', ...required, '--qos0', 'best-effort'],
      "--qos0 must be 'at-least-once' or 'at-most-once', not 'best-effort'",
    ],
    [['consume', ...required, '--qos0'], "Option '--qos0 <value>' argument missing"],
    [['consume', ...required, '--telemetri'], "unknown option '--telemetri'; did you mean '--telemetry'?"],
    [['consume', ...required, '--event=yes'], "Option '--event' does not take an argument"],
    [['consume', ...required, '-n', '-3'], "Option '-n' argument is ambiguous"],
    [['consume', ...required, '--max-events', '9007199254740993'], '--max-events must be a positive whole'],
    [['consume', ...required, '--nope'], "unknown option '--nope'"],
    [['consume', ...required, '--tenent', 'x'], "unknown option '--tenent'; did you mean '--tenant'?"],
    [
      ['consume', ...required, '--from-begining'],
      "unknown option '--from-begining'; did you mean '--from-beginning'?",
    ],
    [['consume', ...required, '--ca'], "unknown option '--ca'; did you mean '--ca-file'?"],
    [['consume', ...required, '--constructor'], "unknown option '--constructor'"],
    [['consume', '-b', 'x', '-t', ''], "--tenant is empty: give a tenant id, e.g. '--tenant DEFAULT_TENANT'"],
    [['consume', '-b', '', '-t', 'x'], '--brokers is empty'],
    [['consume', ...required, '--tls=yes'], "Option '--tls' does not take an argument"],
    [['consume', ...required, '--password'], "Option '--password <value>' argument missing"],
    [['consume', ...required, 'extra'], "unexpected argument 'extra'"],
    [['consume', ...required, '--sasl-mechanism', 'GSSAPI'], '--sasl-mechanism must be one of'],
    [['consume', ...required, '--sasl-mechanism', 'PLAIN'], '--sasl-mechanism needs a user name'],
    [['consume', ...required, '--username', 'u'], '--username and --password need --sasl-mechanism'],
    [['consume', ...required, '--cert-file', 'c.pem'], '--cert-file and --key-file go together'],
    [['consume', ...required, '--kafka', 'group.id=x'], '--kafka group.id: use --group'],
    [['consume', ...required, '--kafka', 'auto.offset.reset=earliest'], 'use --from-beginning'],
    [['consume', ...required, '--kafka', 'session.timeout.ms'], "got 'session.timeout.ms' without ="],
    [['consume', ...required, '--kafka', '=x'], '--kafka expects key=value'],
    [['consume', '-b', 'a b', '-t', 't'], '--brokers: a broker contains a space'],
    [[], "missing command: 'consume'"],
    [['-b', 'x'], "missing command: 'consume'"],
    [['produce'], "unknown command 'produce'"],
  ])('%j: %s', (argv, problem) => {
    expect(problems(argv).join('\n')).toContain(problem);
  });

  it('checks that the certificate and key files can be read', () => {
    const readable = (path: string): boolean => path !== 'missing.pem';
    expect(problems(['consume', ...required, '--ca-file', 'missing.pem'], {}, readable)).toEqual([
      "--ca-file: cannot read 'missing.pem'",
    ]);
    // By default the file system is asked.
    expect(parseCommandLine(['consume', ...required, '--ca-file', '/no/such/ca.pem'], {})).toMatchObject({
      kind: 'usage',
      problems: ["--ca-file: cannot read '/no/such/ca.pem'"],
    });
  });

  it('never quotes a password, a --kafka value, or what may be a --kafka value', () => {
    const lines = [
      ['consume', '--password', secret],
      ['consume', ...required, '--username', 'u', '--password', secret, '-n', 'x'],
      ['consume', ...required, `--password=${secret}`, '--kafka', `sasl.password=${secret}`, '--bad'],
      ['consume', ...required, '--kafka', `sasl.password=${secret}`, '--kafka', 'group.id=g'],
      ['consume', ...required, '--kafka', 'sasl.password', secret],
      ['consume', ...required, '--kafka', secret],
      ['--kafka', 'sasl.password', secret, 'consume'],
      ['consume', ...required, `--pass=${secret}`],
      ['consume', ...required, `--pasword=${secret}`],
    ];
    for (const argv of lines) {
      const found = problems(argv, { KAFKA_SASL_PASSWORD: secret });
      expect(found.length, JSON.stringify(argv)).toBeGreaterThan(0);
      expect(found.join('\n')).not.toContain(secret);
    }
  });
});

describe('parseCommandLine: help and version', () => {
  it.each([
    [['--help'], { kind: 'help', command: undefined }],
    [['-h'], { kind: 'help', command: undefined }],
    [['consume', '--help'], { kind: 'help', command: 'consume' }],
    [['consume', '-b', 'x', '-h'], { kind: 'help', command: 'consume' }],
    [['command', '--help'], { kind: 'help', command: 'command' }],
    [['simulate', '-d', 'x', '-h'], { kind: 'help', command: 'simulate' }],
    [['--version'], { kind: 'version' }],
  ])('%j', (argv, expected) => {
    expect(parse(argv)).toEqual(expected);
  });
});

/** The validated `command` arguments; fails the test on anything else. */
function commandArgs(argv: readonly string[], env: Record<string, string> = {}): CommandArgs {
  const invocation = parse(['command', ...argv], env);
  if (invocation.kind !== 'command') throw new Error(`expected command, got ${JSON.stringify(invocation)}`);
  return invocation.args;
}

/** The validated `simulate` arguments; fails the test on anything else. */
function simulateArgs(argv: readonly string[], env: Record<string, string> = {}): SimulateArgs {
  const invocation = parse(['simulate', ...argv], env);
  if (invocation.kind !== 'simulate') throw new Error(`expected simulate, got ${JSON.stringify(invocation)}`);
  return invocation.args;
}

describe('parseCommandLine: command', () => {
  const minimal = ['-b', '127.0.0.1:9092', '--device', '4711', '--name', 'setVolume'];

  it("applies hono-cli's defaults: DEFAULT_TENANT, request/response, 60 s, no payload, text output", () => {
    expect(commandArgs(minimal)).toEqual({
      brokers: '127.0.0.1:9092',
      connectTimeoutMs: 30_000,
      kafka: {},
      warnings: [],
      tenant: 'DEFAULT_TENANT',
      deviceId: '4711',
      name: 'setVolume',
      payload: undefined,
      contentType: undefined,
      oneWay: false,
      timeoutMs: 60_000,
      json: false,
    });
  });

  it('takes short options, a payload, one-way, a timeout, JSON output and the connection options', () => {
    const args = commandArgs(
      ['-t', 'acme', '-d', 'd', '-n', 'n', '--payload', 'hi', '--one-way', '--timeout', '2', '--json'].concat(
        ['-b', 'a:1', '--tls', '--sasl-mechanism', 'SCRAM-SHA-512', '--username', 'u', '--password', secret],
      ),
    );
    expect(args).toMatchObject({
      tenant: 'acme',
      deviceId: 'd',
      name: 'n',
      payload: 'hi',
      contentType: 'text/plain',
      oneWay: true,
      timeoutMs: 2_000,
      json: true,
      kafka: { 'security.protocol': 'SASL_SSL', 'sasl.mechanisms': 'SCRAM-SHA-512' },
    });
  });

  it('sends a payload in {...} as application/json and anything else as text/plain, as hono-cli does', () => {
    expect(defaultContentType(undefined)).toBeUndefined();
    expect(defaultContentType('{"level":7}')).toBe('application/json');
    expect(defaultContentType('{')).toBe('text/plain');
    expect(defaultContentType('[1]')).toBe('text/plain');
    expect(defaultContentType('')).toBe('text/plain');
    expect(commandArgs([...minimal, '--payload', '{}']).contentType).toBe('application/json');
    expect(commandArgs([...minimal, '--payload', '{}', '--content-type', 'text/x']).contentType).toBe(
      'text/x',
    );
  });

  it('lists every problem at once', () => {
    expect(problems(['command', '--timeout', '0', '--tenant', 'a b', '--content-type', ''])).toEqual([
      '--brokers is required (or set KAFKA_BOOTSTRAP_SERVERS)',
      `--tenant 'a b': tenant id may only contain the Kafka topic characters [a-zA-Z0-9._-]: " " at index 1`,
      '--device is required',
      '--name is required: the command name',
      '--content-type must not be empty',
      "--timeout must be a positive whole number, not '0'",
    ]);
  });

  it.each([
    [['command', ...minimal, '--device', ''], '--device must not be empty'],
    [['command', ...minimal, '--name='], '--name must not be empty'],
    [['command', ...minimal, '--timeout', '1.5'], "--timeout must be a positive whole number, not '1.5'"],
    [['command', ...minimal, '--devise', 'x'], "unknown option '--devise'; did you mean '--device'?"],
    [['command', ...minimal, '--oneway'], "unknown option '--oneway'; did you mean '--one-way'?"],
    [
      ['command', ...minimal, '--from-beginning'],
      "unknown option '--from-beginning'; it is an option of 'consume'",
    ],
    [['consume', ...required, '--payload', 'x'], "unknown option '--payload'; it is an option of 'command'"],
    [['command', ...minimal, '--kafka', 'bootstrap.servers=x'], '--kafka bootstrap.servers: use --brokers'],
    [['command', ...minimal, 'extra'], "unexpected argument 'extra'"],
    [['command', ...minimal, '--ttd', '5'], "unknown option '--ttd'; it is an option of 'simulate'"],
  ])('%j: %s', (argv, problem) => {
    expect(problems(argv).join('\n')).toContain(problem);
  });
});

describe('parseCommandLine: simulate', () => {
  it('applies the defaults: DEFAULT_TENANT, ttd -1, status 200; devices repeated once each', () => {
    expect(simulateArgs(['-b', 'a:1', '-d', 'one', '--device', 'two', '-d', 'one'])).toEqual({
      brokers: 'a:1',
      connectTimeoutMs: 30_000,
      kafka: {},
      warnings: [],
      tenant: 'DEFAULT_TENANT',
      deviceIds: ['one', 'two'],
      ttd: -1,
      status: 200,
      json: false,
    });
  });

  it('takes a tenant, a ttd in seconds (or --ttd=-1), a status and JSON output', () => {
    expect(
      simulateArgs(['-b', 'a:1', '-d', 'x', '-t', 'acme', '--ttd', '30', '--status', '503', '--json']),
    ).toMatchObject({ tenant: 'acme', ttd: 30, status: 503, json: true });
    expect(simulateArgs(['-b', 'a:1', '-d', 'x', '--ttd=-1']).ttd).toBe(-1);
  });

  it.each([
    [['simulate', '-b', 'a:1'], '--device is required'],
    [['simulate', '-b', 'a:1', '-d', ''], '--device must not be empty'],
    [['simulate', '-b', 'a:1', '-d', 'x', '--ttd', '0'], '--ttd must be -1'],
    [['simulate', '-b', 'a:1', '-d', 'x', '--ttd=-2'], '--ttd must be -1'],
    [['simulate', '-b', 'a:1', '-d', 'x', '--status', '302'], '--status must be 200-299 or 400-599'],
    [['simulate', '-b', 'a:1', '-d', 'x', '--status', '600'], '--status must be 200-299 or 400-599'],
    [
      ['simulate', '-b', 'a:1', '-d', 'x', '--name', 'n'],
      "unknown option '--name'; it is an option of 'command'",
    ],
    [['simulate', '-d', 'x'], '--brokers is required'],
  ])('%j: %s', (argv, problem) => {
    expect(problems(argv).join('\n')).toContain(problem);
  });
});

describe('command and simulate: outcomes', () => {
  const response = (status: number): CommandResponse => ({
    kind: 'response',
    tenantId: 't',
    deviceId: 'd',
    correlationId: 'c',
    status,
    contentType: undefined,
    payload: null,
    creationTime: undefined,
    ttlMs: undefined,
  });

  it('exits 0 for a 2xx response, 3 for any other status of the device, 4 for a delivery failure', () => {
    expect(ExitCode).toEqual({
      done: 0,
      failure: 1,
      usage: 2,
      deviceError: 3,
      notDelivered: 4,
      noResponse: 5,
    });
    expect(responseExitCode(response(200))).toBe(0);
    expect(responseExitCode(response(299))).toBe(0);
    expect(responseExitCode(response(199))).toBe(3);
    expect(responseExitCode(response(404))).toBe(3);
    expect(responseExitCode(response(500))).toBe(3);
    const failure: CommandResponse = {
      kind: 'deliveryFailure',
      tenantId: 't',
      deviceId: 'd',
      correlationId: 'c',
      status: 503,
      error: 'no consumer available',
      failureMetadata: {},
      creationTime: undefined,
    };
    expect(responseExitCode(failure)).toBe(4);
    expect(responseExitCode({ ...failure, status: 400 })).toBe(4);
  });

  it('hints for a 503 that the device may not be connected or subscribed', () => {
    expect(deliveryFailureHint(503, '4711')).toContain('device 4711 is connected to a protocol adapter');
    expect(deliveryFailureHint(400, '4711')).toBeUndefined();
  });

  it('echoes a command’s payload and content type with the given status', () => {
    const command: DecodedCommand = {
      tenantId: 't',
      deviceId: 'd',
      name: 'n',
      payload: Buffer.from('p'),
      contentType: 'text/plain',
      correlationId: 'c',
      responseRequired: true,
      failureMetadata: {},
      creationTime: 1_000,
      ttlMs: undefined,
    };
    expect(echoAnswer(command, 201)).toEqual({
      status: 201,
      payload: command.payload,
      contentType: 'text/plain',
    });
    expect(echoAnswer({ ...command, payload: null, contentType: undefined }, 200)).toEqual({
      status: 200,
      payload: undefined,
      contentType: undefined,
    });
  });
});

/** An in-memory stream with what was written to it. */
class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

function fakeIo(env: Record<string, string> = {}): CliIo & { stdout: Capture; stderr: Capture } {
  return {
    stdout: new Capture(),
    stderr: new Capture(),
    env,
    signals: { on: () => undefined, off: () => undefined },
    forceExit: () => {
      throw new Error('forceExit() must not be called');
    },
  };
}

describe('main: exit codes without a broker', () => {
  it('prints the help to stdout and exits 0, with the exit codes documented', async () => {
    const io = fakeIo();
    expect(await main(['consume', '--help'], io)).toBe(0);
    expect(io.stdout.text).toContain('Usage: eclipse-hono-kafka consume');
    expect(io.stdout.text).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n.*\n {2}2 +usage error/);
    expect(io.stderr.text).toBe('');
    const general = fakeIo();
    expect(await main(['--help'], general)).toBe(0);
    expect(general.stdout.text).toContain('consume');
    expect(general.stdout.text).toMatch(/^ {2}command /m);
    expect(general.stdout.text).toMatch(/^ {2}simulate /m);
  });

  it('documents the exit codes of command, and how simulate answers', async () => {
    const io = fakeIo();
    expect(await main(['command', '--help'], io)).toBe(0);
    expect(io.stdout.text).toContain('Usage: eclipse-hono-kafka command');
    for (const code of [0, 1, 2, 3, 4, 5])
      expect(io.stdout.text).toMatch(new RegExp(`^ {2}${String(code)} {4}\\S`, 'm'));
    expect(io.stdout.text).toContain('(default: DEFAULT_TENANT)');
    expect(io.stdout.text).toContain('(default: 60)');
    const simulate = fakeIo();
    expect(await main(['simulate', '--help'], simulate)).toBe(0);
    expect(simulate.stdout.text).toContain('Usage: eclipse-hono-kafka simulate');
    expect(simulate.stdout.text).toContain('created before the start');
  });

  it('exits 2 for a usage error of command, with a hint to its help', async () => {
    const io = fakeIo();
    expect(await main(['command', '-b', 'x:1', '--device', '4711'], io)).toBe(2);
    expect(io.stderr.text).toBe(
      [
        'eclipse-hono-kafka: --name is required: the command name',
        "Run 'eclipse-hono-kafka command --help' for usage.",
        '',
      ].join('\n'),
    );
  });

  it('prints the version of package.json', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const io = fakeIo();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.stdout.text).toBe(`${manifest.version}\n`);
  });

  it('exits 2 with the problems and a hint to --help on stderr, nothing on stdout', async () => {
    const io = fakeIo({ KAFKA_SASL_PASSWORD: secret });
    expect(await main(['consume', '--sasl-mechanism', 'PLAIN', '--password', secret], io)).toBe(2);
    expect(io.stdout.text).toBe('');
    expect(io.stderr.text).toBe(
      [
        'eclipse-hono-kafka: --brokers is required (or set KAFKA_BOOTSTRAP_SERVERS)',
        'eclipse-hono-kafka: --tenant is required (or --all-tenants for every tenant)',
        'eclipse-hono-kafka: --sasl-mechanism needs a user name: --username or KAFKA_SASL_USERNAME',
        "Run 'eclipse-hono-kafka consume --help' for usage.",
        '',
      ].join('\n'),
    );
  });

  it('exits 2 for a setting the consumer owns, named by its command-line option', async () => {
    const io = fakeIo();
    const argv = ['consume', ...required, '--kafka', 'enable.auto.commit=true', '--password', secret];
    expect(await main([...argv, '--sasl-mechanism', 'PLAIN', '--username', 'u'], io)).toBe(2);
    expect(io.stderr.text).toContain('--kafka enable.auto.commit: is set by the SDK');
    expect(io.stderr.text).not.toContain(secret);
  });

  it('exits 2 for a librdkafka setting the client refuses, without the password', async () => {
    const io = fakeIo();
    const argv = ['consume', ...required, '--kafka', 'no.such.setting=1', '--connect-timeout', '1'];
    expect(
      await main([...argv, '--sasl-mechanism', 'PLAIN', '--username', 'u', '--password', secret], io),
    ).toBe(2);
    expect(io.stderr.text).toContain(
      '--kafka no.such.setting: is not a librdkafka setting (No such configuration property: "no.such.setting")',
    );
    expect(io.stderr.text).not.toContain(secret);
  });

  it('exits 2 for an unknown command or option', async () => {
    const io = fakeIo();
    expect(await main(['consume', '--from-begining'], io)).toBe(2);
    expect(io.stderr.text).toContain("unknown option '--from-begining'; did you mean '--from-beginning'?");
    expect(io.stderr.text).toContain("Run 'eclipse-hono-kafka consume --help' for usage.");
    const other = fakeIo();
    expect(await main(['list'], other)).toBe(2);
    expect(other.stderr.text).toContain("Run 'eclipse-hono-kafka --help' for usage.");
  });
});
