import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { DecodeError } from '../../../src/errors.js';
import {
  findHeader,
  headerBoolean,
  headerInteger,
  headerText,
  scanHeaders,
} from '../../../src/wire/headers.js';
import { rawRecord } from './records.js';

const buffer = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('headerInteger: JSON integers as Hono writes int and long headers', () => {
  it.each([
    ['60', 60],
    ['-1', -1],
    ['0', 0],
    ['-0', 0],
    ['1', 1],
    ['1712345678901', 1712345678901],
    ['9007199254740991', 9007199254740991],
    ['-9007199254740991', -9007199254740991],
    [' 60 ', 60],
    ['6e1', 60],
    ['60.0', 60],
  ])('%j is %d', (text, expected) => {
    expect(headerInteger(buffer(text))).toBe(expected);
    expect(headerInteger(text)).toBe(expected);
  });

  it.each([
    '',
    '-',
    'abc',
    '1.5',
    '"60"',
    '060',
    '+60',
    '0x3c',
    '60s',
    'true',
    'null',
    '9007199254740992',
    '1e400',
    'NaN',
    'Infinity',
  ])('%j is no integer', (text) => {
    expect(headerInteger(buffer(text))).toBeUndefined();
    expect(headerInteger(text)).toBeUndefined();
  });

  it('never reads big-endian binary', () => {
    expect(headerInteger(Buffer.from([0, 0, 0, 60]))).toBeUndefined();
    expect(headerInteger(Buffer.from([0x3c]))).toBeUndefined();
  });

  it('returns +0, never -0', () => {
    expect(Object.is(headerInteger(buffer('-0')), 0)).toBe(true);
    expect(Object.is(headerInteger('-0'), 0)).toBe(true);
  });

  test.prop([fc.maxSafeInteger()])('reads back every safe integer as JSON text', (value) => {
    expect(headerInteger(buffer(JSON.stringify(value)))).toBe(value);
  });

  test.prop([fc.string()])('agrees with JSON.parse on any text', (text) => {
    let expected: number | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      expected = typeof parsed === 'number' && Number.isSafeInteger(parsed) ? parsed + 0 : undefined;
    } catch {
      expected = undefined;
    }
    expect(headerInteger(buffer(text))).toBe(expected);
  });
});

describe('headerBoolean and headerText', () => {
  it.each([
    ['true', true],
    ['false', false],
    [' true', true],
    ['True', undefined],
    ['1', undefined],
    ['"true"', undefined],
    ['', undefined],
  ])('%j', (text, expected) => {
    expect(headerBoolean(buffer(text))).toBe(expected);
  });

  it('reads strings as raw UTF-8, without JSON quotes', () => {
    expect(headerText(buffer('application/json'))).toBe('application/json');
    expect(headerText(buffer('"quoted"'))).toBe('"quoted"');
    expect(headerText(buffer('Gerät'))).toBe('Gerät');
    expect(headerText('as string')).toBe('as string');
  });

  it('replaces malformed UTF-8 like Java does', () => {
    expect(headerText(Buffer.from([0x61, 0xff, 0x62]))).toBe('a\uFFFDb');
  });
});

describe('scanHeaders', () => {
  it('keeps the first value of each known header and ignores unknown ones', () => {
    const record = rawRecord([
      ['ttd', '60'],
      ['region', 'eu'],
      ['ttd', '0'],
      ['content-type', 'a/b'],
      ['content-type', 'c/d'],
    ]);
    const scanned = scanHeaders(record);
    expect(scanned.ttd).toEqual(buffer('60'));
    expect(scanned.contentType).toEqual(buffer('a/b'));
    expect(scanned.qos).toBeUndefined();
  });

  it('reads every header of a multi-key header object', () => {
    const scanned = scanHeaders({ ...rawRecord([]), headers: [{ ttd: buffer('5'), qos: buffer('0') }] });
    expect(scanned.ttd).toEqual(buffer('5'));
    expect(scanned.qos).toEqual(buffer('0'));
  });

  it('accepts absent or empty headers', () => {
    expect(scanHeaders({ ...rawRecord([]), headers: undefined }).contentType).toBeUndefined();
    expect(scanHeaders({ ...rawRecord([]), headers: [] }).contentType).toBeUndefined();
    expect(scanHeaders({ ...rawRecord([]), headers: [{}] }).contentType).toBeUndefined();
  });

  it.each([
    ['a header that is null', [null]],
    ['a header that is a string', ['ttd']],
    ['a value that is a number', [{ ttd: 60 }]],
    ['a value that is null', [{ ttd: null }]],
    ['a value that is a Uint8Array but no Buffer', [{ ttd: new Uint8Array([0x36]) }]],
    ['headers that are no array', { ttd: buffer('60') }],
  ])('rejects %s as a malformed record', (_what, headers) => {
    const record = { ...rawRecord([]), headers } as unknown as Parameters<typeof scanHeaders>[0];
    expect(() => scanHeaders(record)).toThrow(DecodeError);
    expect(() => scanHeaders(record)).toThrow(expect.objectContaining({ code: 'ERR_HONO_MALFORMED_RECORD' }));
  });
});

describe('findHeader', () => {
  it('finds the first header with the name, case-sensitively', () => {
    const headers = [{ Region: buffer('x') }, { region: buffer('eu') }, { region: buffer('us') }];
    expect(findHeader(headers, 'region')).toEqual(buffer('eu'));
    expect(findHeader(headers, 'zone')).toBeUndefined();
    expect(findHeader([], 'region')).toBeUndefined();
  });

  it('does not see inherited properties', () => {
    expect(findHeader([{}], 'toString')).toBeUndefined();
  });
});
