/**
 * The README's tables of lifecycle events and error codes list exactly what the code has.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { diagnosticsChannels } from '../../src/telemetry/channels.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The first column of the table under a `## heading`, without backticks. */
function firstColumn(heading: string): string[] {
  const section = readme.split(/^## /m).find((part) => part.startsWith(`${heading}\n`)) ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => /^\| `([^`]+)`/.exec(line)?.[1] ?? '');
}

describe('README', () => {
  it('lists every lifecycle event of ConsumerEvents, and no other', () => {
    const source = readFileSync(new URL('../../src/consumer/events.ts', import.meta.url), 'utf8');
    const body = /export interface ConsumerEvents<Expired> \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
    const events = [...body.matchAll(/^ {2}([a-zA-Z]+): \(/gm)].map((match) => match[1]);
    expect(events.length).toBeGreaterThan(10);
    expect(firstColumn('Events')).toEqual(events);
  });

  it('lists every diagnostics channel, and no other', () => {
    expect(firstColumn('Observability')).toStrictEqual(Object.values(diagnosticsChannels));
  });

  it('lists every error code, and no other', () => {
    expect(firstColumn('Errors').sort()).toEqual(Object.values(ErrorCode).sort());
  });
});
