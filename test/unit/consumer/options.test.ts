import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { OptionsError, type OptionProblem } from '../../../src/errors.js';
import {
  defaults,
  kafkaDefaults,
  redactSettings,
  resolveOptions,
  secretValues,
  type HonoEventConsumerOptions,
  type Logger,
} from '../../../src/consumer/options.js';

const minimal = { brokers: '127.0.0.1:9092', tenant: 'DEFAULT_TENANT', groupId: 'my-app' } as const;

/** The OptionsError that resolving `input` throws. */
function optionsError(input: unknown): OptionsError {
  try {
    resolveOptions(input);
  } catch (error) {
    if (error instanceof OptionsError) return error;
    throw error;
  }
  throw new Error('the options were accepted');
}

const problemsOf = (input: unknown): readonly OptionProblem[] => optionsError(input).problems;

const pathsOf = (input: unknown): string[] => problemsOf(input).map((problem) => problem.path);

const silentLogger: Logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('resolveOptions: defaults', () => {
  it('applies every default from the defaults literal', () => {
    const { logger, ...resolved } = resolveOptions(minimal);
    expect(resolved).toStrictEqual({
      ...defaults,
      brokers: '127.0.0.1:9092',
      tenants: ['DEFAULT_TENANT'],
      allTenants: false,
      topics: ['hono.event.DEFAULT_TENANT'],
      groupId: 'my-app',
      deadLetterTopic: undefined,
      kafka: {},
      telemetry: { tracerProvider: undefined, meterProvider: undefined, traceContext: 'link' },
    });
    expect(Object.keys(logger).sort()).toStrictEqual(['debug', 'error', 'info', 'warn']);
  });

  it('keeps what the application set, and defaults the rest of a partial retry policy', () => {
    const kafka = { 'security.protocol': 'SASL_SSL', 'sasl.mechanisms': 'SCRAM-SHA-512' };
    const resolved = resolveOptions({
      ...minimal,
      startFrom: 'latest',
      ordering: 'none',
      concurrency: 4,
      retry: { maxAttempts: 7, jitter: 0 },
      onFailure: 'skip',
      handlerTimeoutMs: 1_000,
      drainTimeoutMs: 0,
      expired: 'deliver',
      groupProtocol: 'consumer',
      clientId: 'probe',
      kafka,
      logger: silentLogger,
    });
    expect(resolved).toMatchObject({
      startFrom: 'latest',
      ordering: 'none',
      concurrency: 4,
      retry: { ...defaults.retry, maxAttempts: 7, jitter: 0 },
      onFailure: 'skip',
      handlerTimeoutMs: 1_000,
      drainTimeoutMs: 0,
      expired: 'deliver',
      groupProtocol: 'consumer',
      clientId: 'probe',
      kafka,
    });
    expect(resolved.logger).toBe(silentLogger);
  });

  it('logs warnings and errors to the console by default, and nothing below', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const { logger } = resolveOptions(minimal);
    logger.debug('d');
    logger.info('i');
    logger.warn('partition paused', { partition: 1 });
    logger.error('authentication failed');
    expect(warn).toHaveBeenCalledWith('[eclipse-hono-kafka] partition paused', { partition: 1 });
    expect(error).toHaveBeenCalledWith('[eclipse-hono-kafka] authentication failed', '');
    expect(log).not.toHaveBeenCalled();
  });
});

describe('resolveOptions: brokers and tenants', () => {
  it.each([
    ['a string', 'k1:9092,k2:9092', 'k1:9092,k2:9092'],
    ['a list', ['k1:9092', 'k2:9092'], 'k1:9092,k2:9092'],
    ['a list of one', ['k1:9092'], 'k1:9092'],
  ])('takes brokers as %s', (_name, brokers, expected) => {
    expect(resolveOptions({ ...minimal, brokers }).brokers).toBe(expected);
  });

  it('subscribes to hono.event.<tenant> of every tenant', () => {
    const resolved = resolveOptions({ ...minimal, tenant: ['acme', 'globex.eu', 'T_1-x'] });
    expect(resolved.tenants).toStrictEqual(['acme', 'globex.eu', 'T_1-x']);
    expect(resolved.topics).toStrictEqual(['hono.event.acme', 'hono.event.globex.eu', 'hono.event.T_1-x']);
  });

  it.each([
    ['a space', 'my tenant', 'tenant', /\[a-zA-Z0-9._-\]: " " at index 2/],
    ['a slash', 'acme/eu', 'tenant', /\[a-zA-Z0-9._-\]/],
    ['a non-ASCII letter', 'tenänt', 'tenant', /\[a-zA-Z0-9._-\]/],
    ['nothing', '', 'tenant', /must not be empty/],
    ['239 characters', 'a'.repeat(239), 'tenant', /at most 238 fit/],
  ])('rejects a tenant id with %s', (_name, tenant, path, message) => {
    const problems = problemsOf({ ...minimal, tenant });
    expect(problems).toStrictEqual([{ path, message: expect.stringMatching(message) as string }]);
  });

  it('accepts a tenant id of the longest length that fits a topic', () => {
    expect(resolveOptions({ ...minimal, tenant: 'a'.repeat(238) }).topics).toStrictEqual([
      `hono.event.${'a'.repeat(238)}`,
    ]);
  });

  it('names each bad tenant of a list by its index', () => {
    expect(pathsOf({ ...minimal, tenant: ['ok', 'not ok', '', 'fine'] })).toStrictEqual([
      'tenant.1',
      'tenant.2',
    ]);
  });
});

describe('resolveOptions: groupId', () => {
  it.each([
    [
      'missing',
      undefined,
      /^is required: the consumer group id, e.g. 'my-app' \(a random group never resumes/,
    ],
    ['empty', '', /^must not be empty: a random group never resumes/],
  ])('rejects a groupId that is %s, saying that a random group never resumes', (_name, groupId, message) => {
    const error = optionsError({ ...minimal, groupId });
    expect(error.code).toBe('ERR_HONO_INVALID_OPTIONS');
    expect(error.problems).toStrictEqual([
      { path: 'groupId', message: expect.stringMatching(message) as string },
    ]);
    expect(error.message).toMatch(/groupId: .*a random group never resumes/);
  });
});

describe('resolveOptions: validation', () => {
  // Each row: the option set to a bad value, and the path the problem is reported under.
  it.each<[name: string, bad: Record<string, unknown>, path: string]>([
    ['brokers missing', { brokers: undefined }, 'brokers'],
    ['brokers empty string', { brokers: '' }, 'brokers'],
    ['brokers empty list', { brokers: [] }, 'brokers'],
    ['brokers with an empty entry', { brokers: ['k1:9092', ''] }, 'brokers.1'],
    ['brokers a number', { brokers: 9092 }, 'brokers'],
    ['tenant missing', { tenant: undefined }, 'tenant'],
    ['tenant empty list', { tenant: [] }, 'tenant'],
    ['tenant a number', { tenant: 42 }, 'tenant'],
    ['groupId a number', { groupId: 7 }, 'groupId'],
    ['startFrom', { startFrom: 'middle' }, 'startFrom'],
    ['ordering', { ordering: 'random' }, 'ordering'],
    ['concurrency 0', { concurrency: 0 }, 'concurrency'],
    ['concurrency fractional', { concurrency: 1.5 }, 'concurrency'],
    ['concurrency a string', { concurrency: '4' }, 'concurrency'],
    ['maxInFlight 0', { maxInFlight: 0 }, 'maxInFlight'],
    ['maxInFlight negative', { maxInFlight: -10 }, 'maxInFlight'],
    ['maxUncommitted 0', { maxUncommitted: 0 }, 'maxUncommitted'],
    ['maxUncommitted fractional', { maxUncommitted: 1.5 }, 'maxUncommitted'],
    ['batchSize 0', { batchSize: 0 }, 'batchSize'],
    ['batchSize above 100000', { batchSize: 100_001 }, 'batchSize'],
    ['retry not an object', { retry: 3 }, 'retry'],
    ['retry.maxAttempts 0', { retry: { maxAttempts: 0 } }, 'retry.maxAttempts'],
    ['retry.initialDelayMs negative', { retry: { initialDelayMs: -1 } }, 'retry.initialDelayMs'],
    ['retry.maxDelayMs fractional', { retry: { maxDelayMs: 0.5 } }, 'retry.maxDelayMs'],
    ['retry.multiplier below 1', { retry: { multiplier: 0.5 } }, 'retry.multiplier'],
    ['retry.jitter above 1', { retry: { jitter: 1.5 } }, 'retry.jitter'],
    ['retry.jitter negative', { retry: { jitter: -0.1 } }, 'retry.jitter'],
    ['retry with an unknown key', { retry: { attempts: 3 } }, 'retry'],
    ['onFailure', { onFailure: 'drop' }, 'onFailure'],
    ['deadLetterTopic with a space', { deadLetterTopic: 'dead letters' }, 'deadLetterTopic'],
    ['deadLetterTopic empty', { deadLetterTopic: '' }, 'deadLetterTopic'],
    ['deadLetterTopic of 250 characters', { deadLetterTopic: 'd'.repeat(250) }, 'deadLetterTopic'],
    ['handlerTimeoutMs 0', { handlerTimeoutMs: 0 }, 'handlerTimeoutMs'],
    ['drainTimeoutMs negative', { drainTimeoutMs: -1 }, 'drainTimeoutMs'],
    ['commitIntervalMs 0', { commitIntervalMs: 0 }, 'commitIntervalMs'],
    ['recommitIntervalMs NaN', { recommitIntervalMs: Number.NaN }, 'recommitIntervalMs'],
    ['closeTimeoutMs Infinity', { closeTimeoutMs: Number.POSITIVE_INFINITY }, 'closeTimeoutMs'],
    ['expired', { expired: 'drop' }, 'expired'],
    ['groupProtocol', { groupProtocol: 'eager' }, 'groupProtocol'],
    ['clientId empty', { clientId: '' }, 'clientId'],
    ['kafka not an object', { kafka: 'security.protocol=SSL' }, 'kafka'],
    ['kafka with an object value', { kafka: { 'ssl.ca.pem': {} } }, 'kafka.ssl.ca.pem'],
    ['logger without methods', { logger: {} }, 'logger'],
    ['logger without debug', { logger: { info() {}, warn() {}, error() {} } }, 'logger'],
    ['unknown top-level key', { group: 'my-app' }, ''],
  ])('rejects %s', (_name, bad, path) => {
    expect(pathsOf({ ...minimal, ...bad })).toStrictEqual([path]);
  });

  it.each<[name: string, good: Record<string, unknown>]>([
    ['drainTimeoutMs 0', { drainTimeoutMs: 0 }],
    ['retry.initialDelayMs and maxDelayMs 0', { retry: { initialDelayMs: 0, maxDelayMs: 0 } }],
    ['retry.multiplier 1 and jitter 1', { retry: { multiplier: 1, jitter: 1 } }],
    ['batchSize 100000', { batchSize: 100_000 }],
    ['a deadLetterTopic of 249 characters', { deadLetterTopic: 'd'.repeat(249) }],
    [
      'boolean and number kafka settings',
      { kafka: { 'socket.keepalive.enable': true, 'fetch.max.bytes': 1 } },
    ],
  ])('accepts %s', (_name, good) => {
    expect(() => resolveOptions({ ...minimal, ...good })).not.toThrow();
  });

  it('names an unknown top-level key in the message', () => {
    expect(problemsOf({ ...minimal, group: 'my-app' })).toStrictEqual([
      { path: '', message: expect.stringContaining('"group"') as string },
    ]);
  });

  it('reports several bad fields in one error whose message lists path: message for each', () => {
    const { problems, message } = optionsError({
      brokers: [],
      tenant: 'acme',
      concurrency: 0,
      retry: { jitter: 2 },
      expired: 'x',
    });
    expect(problems.map((problem) => problem.path)).toStrictEqual([
      'brokers',
      'groupId',
      'concurrency',
      'retry.jitter',
      'expired',
    ]);
    for (const problem of problems) expect(message).toContain(`${problem.path}: ${problem.message}`);
  });

  // Was a bug, fixed: src/options.ts (now src/consumer/options.ts):250 throws as soon as the zod schema fails, before the tenant ids, the reserved
  // kafka keys and the dead-letter topic are checked; those problems are only reported once every
  // schema problem is fixed, so the error does not list every bad field.
  it('lists tenant and reserved-key problems together with the schema problems', () => {
    expect(pathsOf({ ...minimal, tenant: 'my tenant', concurrency: 0, kafka: { 'group.id': 'x' } })).toEqual(
      expect.arrayContaining(['concurrency', 'tenant', 'kafka.group.id']),
    );
  });

  // Was a bug, fixed: src/options.ts (now src/consumer/options.ts):174-175 (positiveInt, millis) have no upper bound, so handlerTimeoutMs,
  // commitIntervalMs, recommitIntervalMs, drainTimeoutMs and closeTimeoutMs accept values above
  // 2^31 - 1 ms. Node's setTimeout/setInterval turn such a delay into 1 ms (TimeoutOverflowWarning):
  // handlerTimeoutMs: 2 ** 31 times out every async handler after 1 ms (process-record.ts attemptOnce),
  // recommitIntervalMs: 2 ** 31 (about 25 days) re-commits every millisecond (the engine's setInterval).
  it("rejects durations that Node's timers cannot wait (above 2^31 - 1 ms)", () => {
    const tooLong = 2 ** 31;
    const accepted = [
      'handlerTimeoutMs',
      'drainTimeoutMs',
      'commitIntervalMs',
      'recommitIntervalMs',
      'closeTimeoutMs',
    ].filter((name) => {
      try {
        resolveOptions({ ...minimal, [name]: tooLong });
        return true;
      } catch {
        return false;
      }
    });
    expect(accepted).toStrictEqual([]);
  });
});

describe('resolveOptions: pass-through settings', () => {
  it.each([
    'group.id',
    'client.id',
    'bootstrap.servers',
    'metadata.broker.list',
    'enable.auto.commit',
    'enable.auto.offset.store',
    'rebalance_cb',
    'offset_commit_cb',
    'auto.offset.reset',
    'partition.assignment.strategy',
    'group.protocol',
    'enable.partition.eof',
  ])('rejects the reserved setting %s under kafka.<key>', (key) => {
    const problems = problemsOf({ ...minimal, kafka: { [key]: true } });
    expect(problems.map((problem) => problem.path)).toStrictEqual([`kafka.${key}`]);
    expect(problems[0]?.message).toMatch(/^is set by the SDK/);
  });

  it('reports every reserved setting at once', () => {
    expect(
      pathsOf({
        ...minimal,
        kafka: { 'group.id': 'g', 'security.protocol': 'SSL', 'enable.auto.commit': true },
      }),
    ).toStrictEqual(['kafka.group.id', 'kafka.enable.auto.commit']);
  });
});

describe('resolveOptions: dead-letter topic', () => {
  it('defaults to hono.event.<tenant>.dlq with onFailure deadLetter', () => {
    expect(resolveOptions({ ...minimal, onFailure: 'deadLetter' }).deadLetterTopic).toBe(
      'hono.event.DEFAULT_TENANT.dlq',
    );
  });

  it('is undefined for the other outcomes unless set', () => {
    expect(resolveOptions({ ...minimal, onFailure: 'skip' }).deadLetterTopic).toBeUndefined();
    expect(resolveOptions({ ...minimal, deadLetterTopic: 'dlq' }).deadLetterTopic).toBe('dlq');
  });

  it('is required with onFailure deadLetter and several tenants', () => {
    expect(problemsOf({ ...minimal, tenant: ['a', 'b'], onFailure: 'deadLetter' })).toStrictEqual([
      { path: 'deadLetterTopic', message: 'is required with onFailure "deadLetter" and several tenants' },
    ]);
    expect(
      resolveOptions({ ...minimal, tenant: ['a', 'b'], onFailure: 'deadLetter', deadLetterTopic: 'dlq' })
        .deadLetterTopic,
    ).toBe('dlq');
  });

  // Was a bug, fixed: src/options.ts (now src/consumer/options.ts):297 builds the default `hono.event.<tenant>.dlq` without checking its length. A
  // tenant id of 235 to 238 characters is valid (its event topic fits 249 characters), but its default
  // dead-letter topic has 250 to 253: Kafka rejects it, every dead-letter write fails, and the
  // partition stays paused. Options should reject it (or require deadLetterTopic).
  it('never defaults to a dead-letter topic longer than Kafka allows', () => {
    const outcome = (() => {
      try {
        return resolveOptions({ ...minimal, tenant: 'a'.repeat(238), onFailure: 'deadLetter' })
          .deadLetterTopic;
      } catch (error) {
        return error;
      }
    })();
    expect(outcome, 'an OptionsError, or a topic of at most 249 characters').toSatisfy(
      (value) => value instanceof OptionsError || (typeof value === 'string' && value.length <= 249),
    );
  });
});

describe('redactSettings and secretValues', () => {
  const secrets = {
    'sasl.password': 'hunter2',
    'ssl.key.password': 'keypass',
    'ssl.keystore.password': 'storepass',
    'ssl.key.pem': '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----',
    'sasl.oauthbearer.config': 'principal=admin secret=s3cr3t',
    'sasl.oauthbearer.client.secret': 'client-secret',
    'sasl.oauthbearer.assertion.private.key.passphrase': 'phrase',
  };
  const ordinary = {
    'security.protocol': 'SASL_SSL',
    'sasl.mechanisms': 'SCRAM-SHA-512',
    'sasl.username': 'consumer',
    'ssl.ca.location': '/etc/ssl/ca.pem',
    'ssl.certificate.pem': '-----BEGIN CERTIFICATE-----',
    'ssl.key.location': '/etc/ssl/client.key.file',
    'session.timeout.ms': 45_000,
    'socket.keepalive.enable': true,
  };

  it.each(Object.keys(secrets))('redacts %s', (key) => {
    expect(redactSettings({ ...secrets, ...ordinary })[key]).toBe('[redacted]');
  });

  it('leaves ordinary settings as they are, and the input untouched', () => {
    const settings = { ...secrets, ...ordinary };
    expect(redactSettings(settings)).toMatchObject(ordinary);
    expect(settings['sasl.password']).toBe('hunter2');
  });

  it('matches secret setting names in any case', () => {
    expect(redactSettings({ 'SASL.PASSWORD': 'x' })).toStrictEqual({ 'SASL.PASSWORD': '[redacted]' });
  });

  it('lists the non-empty secret values, and no ordinary one', () => {
    expect(secretValues({ ...secrets, ...ordinary }).sort()).toStrictEqual(Object.values(secrets).sort());
    expect(secretValues({ 'sasl.password': '', 'sasl.username': 'consumer' })).toStrictEqual([]);
  });

  // Was a bug, fixed: src/options.ts (now src/consumer/options.ts):335 keeps only string values, but the `kafka` option allows numbers for any
  // setting: `'sasl.password': 12345678` is redacted by redactSettings yet missing from secretValues,
  // so scrub() (client-errors.ts) leaves it in error messages.
  it('lists a secret given as a number', () => {
    expect(secretValues({ 'sasl.password': 12345678 })).toStrictEqual(['12345678']);
  });
});

describe('HonoEventConsumerOptions (types)', () => {
  type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

  it('requires brokers, tenant and groupId, and nothing else', () => {
    expectTypeOf<RequiredKeys<HonoEventConsumerOptions>>().toEqualTypeOf<'brokers' | 'tenant' | 'groupId'>();
    expectTypeOf({ brokers: 'k:9092', tenant: 't' }).not.toExtend<HonoEventConsumerOptions>();
    expectTypeOf({ brokers: 'k:9092', groupId: 'g' }).not.toExtend<HonoEventConsumerOptions>();
    expectTypeOf({ tenant: 't', groupId: 'g' }).not.toExtend<HonoEventConsumerOptions>();
    expectTypeOf(minimal).toExtend<HonoEventConsumerOptions>();
  });

  it('takes brokers and tenant as a string or a list', () => {
    expectTypeOf<HonoEventConsumerOptions['brokers']>().toEqualTypeOf<string | readonly string[]>();
    expectTypeOf<HonoEventConsumerOptions['tenant']>().toEqualTypeOf<string | readonly string[]>();
    expectTypeOf<HonoEventConsumerOptions['groupId']>().toEqualTypeOf<string>();
  });
});

describe('resolveOptions: what a missing or malformed required option says', () => {
  const brokersForm =
    "the bootstrap servers as 'host:port', 'host1:port,host2:port' or a list of 'host:port'";
  const tenantForm =
    "the Hono tenant id, e.g. 'DEFAULT_TENANT', a non-empty list of tenant ids, or '*' for every tenant";

  // Was a bug, fixed: `new HonoEventConsumer({})` said `brokers: Invalid input`.
  it('says for {} what is required and in which form, for each required option', () => {
    expect(problemsOf({})).toStrictEqual([
      { path: 'brokers', message: `is required: ${brokersForm}` },
      { path: 'tenant', message: `is required: ${tenantForm}` },
      {
        path: 'groupId',
        message:
          "is required: the consumer group id, e.g. 'my-app' (a random group never resumes where the application stopped)",
      },
    ]);
    expect(optionsError({}).message).not.toContain('Invalid input');
  });

  it.each([
    ['undefined', undefined, 'got undefined'],
    ['null', null, 'got null'],
    ['a string', '127.0.0.1:9092', 'got the string "127.0.0.1:9092"'],
    ['a number', 5, 'got number 5'],
  ])('says for %s instead of an object what the options are', (_name, input, got) => {
    expect(problemsOf(input)).toStrictEqual([
      {
        path: '',
        message: `must be an object with at least brokers, tenant and groupId, e.g. { brokers: 'kafka:9092', tenant: 'DEFAULT_TENANT', groupId: 'my-app' }; ${got}`,
      },
    ]);
    expect(optionsError(input).message).toContain('(options): must be an object');
  });

  it.each([
    ['a number', 9092, `must be ${brokersForm}; got number 9092`],
    ['an empty string', '', `must not be empty: ${brokersForm}`],
    ['an empty list', [], `must not be an empty list: ${brokersForm}`],
  ])('says for brokers given as %s which form they take', (_name, brokers, message) => {
    expect(problemsOf({ ...minimal, brokers })).toStrictEqual([{ path: 'brokers', message }]);
  });

  it('names an empty broker of a list by its index', () => {
    expect(problemsOf({ ...minimal, brokers: ['a:9092', ''] })).toStrictEqual([
      { path: 'brokers.1', message: "must not be empty: a broker as 'host:port'" },
    ]);
  });

  it.each([
    ['a number', 7, `must be ${tenantForm}; got number 7`],
    ['an empty list', [], `must not be an empty list: ${tenantForm}`],
  ])('says for a tenant given as %s which form it takes', (_name, tenant, message) => {
    expect(problemsOf({ ...minimal, tenant })).toStrictEqual([{ path: 'tenant', message }]);
  });

  it('never quotes more than 40 characters of a bad value', () => {
    const message = problemsOf({ ...minimal, tenant: undefined, brokers: undefined, groupId: 5 })[2]?.message;
    expect(message).toBe(
      "must be the consumer group id, e.g. 'my-app' (a random group never resumes where the application stopped); got number 5",
    );
    const long = problemsOf('x'.repeat(100))[0]?.message ?? '';
    expect(long).toContain(`got the string "${'x'.repeat(40)}"`);
    expect(long).not.toContain('x'.repeat(41));
  });
});

describe('kafkaDefaults', () => {
  it('reads the cluster metadata every 10 s, so that a topic created later is found within about 10 s', () => {
    expect(kafkaDefaults).toStrictEqual({ 'topic.metadata.refresh.interval.ms': 10_000 });
  });
});

describe('resolveOptions: endpoints, every tenant and qos 0 (issue 14)', () => {
  it('reads the event topics alone by default, telemetry or both on request, each tenant under each', () => {
    expect(resolveOptions(minimal).topics).toStrictEqual(['hono.event.DEFAULT_TENANT']);
    expect(resolveOptions({ ...minimal, endpoints: 'telemetry' }).topics).toStrictEqual([
      'hono.telemetry.DEFAULT_TENANT',
    ]);
    const both = resolveOptions({
      ...minimal,
      tenant: ['a', 'b'],
      endpoints: ['telemetry', 'event', 'event'],
    });
    expect(both.endpoints).toStrictEqual(['telemetry', 'event']);
    expect(both.topics).toStrictEqual([
      'hono.telemetry.a',
      'hono.telemetry.b',
      'hono.event.a',
      'hono.event.b',
    ]);
  });

  it("subscribes to one pattern per endpoint for tenant '*', which both regex engines match", () => {
    const all = resolveOptions({ ...minimal, tenant: '*', endpoints: ['event', 'telemetry'] });
    expect(all).toMatchObject({ allTenants: true, tenants: [] });
    expect(all.topics).toStrictEqual(['^hono\\.event\\..+', '^hono\\.telemetry\\..+']);
    const pattern = new RegExp(all.topics[0] ?? '');
    expect(['hono.event.t', 'hono.event.a.b'].every((topic) => pattern.test(topic))).toBe(true);
    expect(
      ['hono.event.', 'hono.eventX.t', 'hono.telemetry.t', 'dlq.hono.event.t'].some((topic) =>
        pattern.test(topic),
      ),
    ).toBe(false);
  });

  it('refuses bad endpoints, a * among tenants, and a tenant too long for the telemetry prefix', () => {
    expect(problemsOf({ ...minimal, endpoints: [] })).toStrictEqual([
      {
        path: 'endpoints',
        message: "must not be an empty list: 'event', 'telemetry', or a non-empty list of them",
      },
    ]);
    expect(pathsOf({ ...minimal, endpoints: 'command' })).toStrictEqual(['endpoints']);
    expect(problemsOf({ ...minimal, tenant: ['a', '*'] })).toStrictEqual([
      { path: 'tenant.1', message: "'*' stands for every tenant: pass it alone, as tenant: '*'" },
    ]);
    const tenant = 'x'.repeat(236);
    expect(() => resolveOptions({ ...minimal, tenant })).not.toThrow();
    expect(problemsOf({ ...minimal, tenant, endpoints: ['event', 'telemetry'] })).toStrictEqual([
      {
        path: 'tenant',
        message:
          "tenant id is 236 characters long, at most 234 fit Kafka's 249-character limit for hono.telemetry.<tenant> topics",
      },
    ]);
  });

  it('takes qos 0 at least once by default, and at most once on request', () => {
    expect(resolveOptions(minimal).qos0).toBe('atLeastOnce');
    expect(resolveOptions({ ...minimal, qos0: 'atMostOnce' }).qos0).toBe('atMostOnce');
    expect(pathsOf({ ...minimal, qos0: 'never' })).toStrictEqual(['qos0']);
  });

  it('wants a dead-letter topic outside the subscription: required for every tenant or several endpoints', () => {
    const deadLetter = { ...minimal, onFailure: 'deadLetter' } as const;
    expect(resolveOptions({ ...deadLetter, endpoints: 'telemetry' }).deadLetterTopic).toBe(
      'hono.telemetry.DEFAULT_TENANT.dlq',
    );
    expect(problemsOf({ ...deadLetter, tenant: '*' })).toStrictEqual([
      { path: 'deadLetterTopic', message: 'is required with onFailure "deadLetter" and tenant \'*\'' },
    ]);
    expect(problemsOf({ ...deadLetter, endpoints: ['event', 'telemetry'] })).toStrictEqual([
      { path: 'deadLetterTopic', message: 'is required with onFailure "deadLetter" and several endpoints' },
    ]);
    expect(problemsOf({ ...deadLetter, tenant: '*', deadLetterTopic: 'hono.event.all.dlq' })).toStrictEqual([
      {
        path: 'deadLetterTopic',
        message:
          "must not match the subscription (^hono\\.event\\..+): the consumer would read its own dead letters; e.g. 'dlq.hono.event.all'",
      },
    ]);
    expect(
      resolveOptions({ ...deadLetter, tenant: '*', deadLetterTopic: 'dlq.hono.event.all' }).deadLetterTopic,
    ).toBe('dlq.hono.event.all');
  });
});

describe('resolveOptions: telemetry (issue 15)', () => {
  it('takes false, providers and a trace context, and refuses what is none of them', () => {
    expect(resolveOptions({ ...minimal, telemetry: false }).telemetry).toBe(false);
    const tracerProvider = { getTracer: () => ({}) };
    expect(
      resolveOptions({ ...minimal, telemetry: { tracerProvider, traceContext: 'parent' } }).telemetry,
    ).toStrictEqual({
      tracerProvider,
      meterProvider: undefined,
      traceContext: 'parent',
    });
    expect(
      problemsOf({ ...minimal, telemetry: { tracerProvider: {}, traceContext: 'child' } }).map((p) => p.path),
    ).toStrictEqual(['telemetry.tracerProvider', 'telemetry.traceContext']);
    expect(pathsOf({ ...minimal, telemetry: true })).toStrictEqual(['telemetry']);
  });
});
