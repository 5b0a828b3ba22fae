import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packageVersion } from '../../src/version.js';

describe('packageVersion', () => {
  it("is package.json's version (the OpenTelemetry instrumentation scope's version)", () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(packageVersion).toBe(manifest.version);
  });
});
