import { describe, expect, it } from 'vitest';
import { wireValue } from '../../../src/wire/bytes.js';

describe('wireValue', () => {
  it('keeps null and non-empty values as they are', () => {
    const bytes = Buffer.from('x');
    expect(wireValue(null)).toBeNull();
    expect(wireValue(bytes)).toBe(bytes);
  });

  it('turns any zero-length value into a zero-length view of real memory', () => {
    for (const empty of [Buffer.alloc(0), Buffer.from(''), Buffer.from(new ArrayBuffer(0))]) {
      const value = wireValue(empty);
      expect(value.length).toBe(0);
      expect(value.buffer.byteLength).toBeGreaterThan(0);
    }
  });
});
