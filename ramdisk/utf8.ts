/*
 * UTF-8 encoding and decoding for code that runs inside the kernel's sandbox.
 *
 * The kernel runs in a context with only the ECMAScript built-ins, so TextEncoder and
 * TextDecoder are not there. The ramdisk reader still has to read file names that are not
 * ASCII (cpio stores names as bytes), so it brings its own small codec.
 */

/** Encodes a string as UTF-8 bytes (lone surrogates become U+FFFD, as TextEncoder does). */
export function encodeUtf8(text: string): Uint8Array {
  // Most text the kernel encodes is ASCII (a record's signed text on every load): one byte a character, no list.
  const ascii = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0x80) return encodeAny(text);
    ascii[index] = code;
  }
  return ascii;
}

function encodeAny(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const character of text) {
    let code = character.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x80) bytes.push(code);
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 63));
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
    else bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
  }
  return Uint8Array.from(bytes);
}

const NOT_ASCII = /[^\x00-\x7f]/;

/**
 * Decodes bytes[start, end) as UTF-8 the way TextDecoder does: each maximal malformed
 * subsequence (bad lead byte, overlong form, surrogate, past U+10FFFF, cut off by `end`)
 * becomes one U+FFFD instead of throwing.
 */
export function decodeUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  // Module bundles and the index are ASCII (esbuild escapes the rest): decode them natively, in
  // chunks, and let a native search say they were (a loop over the bytes in JS cost more than
  // the decoding, on code that runs once a load).
  let text = '';
  for (let index = start; index < end; index += 8192) text += String.fromCharCode.apply(null, bytes.subarray(index, Math.min(end, index + 8192)) as unknown as number[]);
  if (!NOT_ASCII.test(text)) return text;
  text = '';
  let chunk: number[] = [];
  for (let index = start; index < end; ) {
    const lead = bytes[index++]!;
    const length = lead < 0x80 ? 1 : lead < 0xc2 ? 0 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : lead < 0xf5 ? 4 : 0;
    let code = lead & (0xff >> length); // the lead byte's payload bits
    // The second byte's range rules out overlong forms, surrogates and code points past U+10FFFF.
    let low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    let high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    let missing = length - 1;
    for (; missing > 0 && index < end && bytes[index]! >= low && bytes[index]! <= high; missing--, low = 0x80, high = 0xbf) {
      code = (code << 6) | (bytes[index++]! & 63);
    }
    chunk.push(missing ? 0xfffd : code);
    if (chunk.length >= 4096) {
      text += String.fromCodePoint(...chunk);
      chunk = [];
    }
  }
  return text + String.fromCodePoint(...chunk);
}
