import { describe, expect, it } from 'vitest';
import { OptionsError } from '../../../src/errors.js';
import { validateHandlers } from '../../../src/consumer/handlers.js';

function problems(input: unknown): { path: string; message: string }[] {
  try {
    validateHandlers(input);
  } catch (error) {
    if (error instanceof OptionsError) return [...error.problems];
    throw error;
  }
  throw new Error('the handlers were accepted');
}

describe('validateHandlers', () => {
  it('returns the handlers as given when each is a function', () => {
    const handlers = { event: () => undefined, invalid: () => Promise.resolve() };
    expect(validateHandlers(handlers)).toBe(handlers);
  });

  it('accepts any single handler, invalid included, and handlers left undefined', () => {
    for (const name of ['connection', 'emptyNotification', 'provisioning', 'event', 'invalid']) {
      expect(() =>
        validateHandlers({ [name]: () => undefined, event: name === 'event' ? () => undefined : undefined }),
      ).not.toThrow();
    }
  });

  it('lists every problem at once, each as handlers.<name>', () => {
    expect(problems({ Event: () => undefined, connection: 42, invalid: null })).toStrictEqual([
      { path: 'handlers.connection', message: 'must be a function; got number' },
      { path: 'handlers.invalid', message: 'must be a function; got null' },
      {
        path: 'handlers.Event',
        message:
          'is no handler (did you mean "event"?); the handlers are connection, emptyNotification, provisioning, event, invalid',
      },
    ]);
  });

  it('suggests nothing for a name far from every handler', () => {
    expect(problems({ event: () => undefined, onMessage: () => undefined })[0]?.message).toBe(
      'is no handler; the handlers are connection, emptyNotification, provisioning, event, invalid',
    );
  });

  it('rejects handlers that are all undefined: every record would be committed unprocessed', () => {
    expect(problems({ event: undefined })).toStrictEqual([
      {
        path: 'handlers',
        message:
          'must have at least one handler (connection, emptyNotification, provisioning, event, invalid): without one, every record would be committed unprocessed',
      },
    ]);
  });

  it.each([
    ['a function', () => undefined, 'function'],
    ['a string', 'event', 'string'],
    ['an array', [], 'object'],
  ])('rejects %s in place of the handlers object', (_name, input, got) => {
    const [problem] = problems(input);
    expect(problem?.path).toBe('handlers');
    expect(problem?.message).toMatch(new RegExp(`^must be an object of handler functions.*; got ${got}$`));
  });
});
