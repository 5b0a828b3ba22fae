import { describe, expect, it } from 'vitest';
import { OptionsError } from '../../../src/errors.js';
import { resolveSimulatorOptions, simulatorDefaults } from '../../../src/testing/options.js';

function problems(input: unknown): string[] {
  try {
    resolveSimulatorOptions(input);
  } catch (error) {
    expect(error).toBeInstanceOf(OptionsError);
    return (error as OptionsError).problems.map(({ path, message }) => `${path}: ${message}`);
  }
  throw new Error('no OptionsError');
}

describe('resolveSimulatorOptions', () => {
  it('applies the defaults', () => {
    const options = resolveSimulatorOptions({ brokers: ['a:9092', 'b:9092'] });
    expect(options).toMatchObject({ brokers: 'a:9092,b:9092', kafka: {}, ...simulatorDefaults });
  });

  it('keeps what is given', () => {
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    };
    const options = resolveSimulatorOptions({
      brokers: 'a:9092',
      kafka: { 'security.protocol': 'ssl' },
      logger,
      adapter: 'hono-http',
      clientId: 'my-test',
      connectTimeoutMs: 5_000,
      closeTimeoutMs: 2_000,
    });
    expect(options).toEqual({
      brokers: 'a:9092',
      kafka: { 'security.protocol': 'ssl' },
      logger,
      adapter: 'hono-http',
      clientId: 'my-test',
      connectTimeoutMs: 5_000,
      closeTimeoutMs: 2_000,
    });
  });

  it('lists every problem in one error', () => {
    expect(
      problems({
        brokers: '',
        kafka: { 'group.id': 'x', 'bootstrap.servers': 'y' },
        logger: {},
        connectTimeoutMs: 0,
        unknown: true,
      }),
    ).toEqual([
      expect.stringMatching(/^brokers: must not be empty/),
      expect.stringMatching(/^logger: must have debug, info, warn and error methods/),
      expect.stringMatching(/^connectTimeoutMs: /),
      expect.stringMatching(/^: Unrecognized key/),
      'kafka.group.id: is set by the simulator: use the groupId of answerCommands',
      'kafka.bootstrap.servers: is set by the simulator: use brokers',
    ]);
  });

  it('says what it needs when given no object', () => {
    expect(problems(undefined)).toEqual([
      ": must be an object with at least brokers, e.g. { brokers: 'localhost:9092' }",
    ]);
    expect(problems({})[0]).toMatch(/^brokers: is required/);
  });
});
