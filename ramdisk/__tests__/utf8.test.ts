/*
 * Tests the UTF-8 codec (ramdisk/utf8.ts) the kernel reads names and text with (its sandbox has
 * no TextEncoder or TextDecoder): it must agree with them on every code point and on bad bytes.
 */
import { describe, expect, it } from 'vitest';
import { randomSource } from '../../test/test-helpers.ts';
import { decodeUtf8, encodeUtf8 } from '../utf8.ts';

describe('utf8', () => {
  const samples = [
    '', 'plain ASCII', '\u0000\u007f', '\u0080\u07ff', '\u0800\uffff', 'ü', 'lib/ü/日本語.txt',
    '😀', 'a😀b🎉c', '\u{10000}\u{10ffff}', '𝕂𝕖𝕖𝕝', 'Ελληνικά Кириллица עברית العربية', '\ufeffBOM', '\ufffd',
  ];

  it.each(samples)('encodes and decodes %j as TextEncoder and TextDecoder do', (text) => {
    const encoded = encodeUtf8(text);
    expect(encoded).toEqual(new TextEncoder().encode(text));
    expect(decodeUtf8(encoded)).toBe(text);
  });

  it('agrees with TextEncoder and TextDecoder on every code point', () => {
    let text = '';
    for (let code = 0; code <= 0x10ffff; code++) if (code < 0xd800 || code > 0xdfff) text += String.fromCodePoint(code);
    const encoded = encodeUtf8(text);
    expect(Buffer.from(encoded).equals(Buffer.from(new TextEncoder().encode(text)))).toBe(true);
    expect(decodeUtf8(encoded) === text).toBe(true);
  });

  it('encodes lone surrogates as U+FFFD, as TextEncoder does', () => {
    for (const text of ['\ud800', 'a\udc00b', '\udbff\ud800', '😀\ud83d']) {
      expect(encodeUtf8(text)).toEqual(new TextEncoder().encode(text));
    }
  });

  it('decodes only the bytes between start and end', () => {
    const bytes = encodeUtf8('ab日本c');
    expect(decodeUtf8(bytes, 2, 5)).toBe('日');
    expect(decodeUtf8(bytes, 2, 4)).toBe('\ufffd');
    expect(decodeUtf8(encodeUtf8('é'), 0, 1)).toBe('\ufffd');
    expect(decodeUtf8(bytes, 3, 3)).toBe('');
  });

  it.each([
    ['a lone continuation byte', [0x80], '\ufffd'],
    ['an invalid lead byte', [0xff, 0x41], '\ufffdA'],
    ['an overlong "/"', [0xc0, 0xaf], '\ufffd\ufffd'],
    ['an overlong three-byte form', [0xe0, 0x80, 0xaf], '\ufffd\ufffd\ufffd'],
    ['an encoded surrogate', [0xed, 0xa0, 0x80], '\ufffd\ufffd\ufffd'],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80], '\ufffd\ufffd\ufffd\ufffd'],
    ['a five-byte lead', [0xf8, 0x88, 0x80, 0x80, 0x80], '\ufffd\ufffd\ufffd\ufffd\ufffd'],
    ['a sequence cut short', [0xe2, 0x82, 0x41], '\ufffdA'],
    ['a sequence cut by the end', [0x41, 0xf0, 0x9f, 0x98], 'A\ufffd'],
  ])('decodes %s to U+FFFD as TextDecoder does', (_description, bytes, expected) => {
    const input = Uint8Array.from(bytes);
    expect(decodeUtf8(input)).toBe(expected);
    expect(decodeUtf8(input)).toBe(new TextDecoder().decode(input));
  });

  it('agrees with TextDecoder on random bytes without throwing', () => {
    const decoder = new TextDecoder();
    const random = randomSource(99);
    const edges = [0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x8f, 0x90, 0x9f, 0xa0];
    for (let trial = 0; trial < 20000; trial++) {
      const bytes = Uint8Array.from({ length: random(10) }, () => (random(2) ? edges[random(edges.length)]! : random(256)));
      expect(decodeUtf8(bytes)).toBe(decoder.decode(bytes));
    }
  });

  it('decodes text longer than its internal chunk', () => {
    const text = 'ü日😀x'.repeat(5000);
    expect(decodeUtf8(encodeUtf8(text))).toBe(text);
  });
});
