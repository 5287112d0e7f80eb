/*
 * UTF-8 encoding and decoding for code that runs inside the kernel's sandbox.
 *
 * The kernel runs in a context with only the ECMAScript built-ins, so TextEncoder and
 * TextDecoder are not there. The ramdisk reader still has to read file names that are not
 * ASCII (cpio stores names as bytes), so it brings its own small codec.
 */

/** Encodes a string as UTF-8 bytes (lone surrogates become U+FFFD, as TextEncoder does). */
export function encodeUtf8(text: string): Uint8Array {
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

/** Decodes UTF-8 bytes; a malformed sequence becomes U+FFFD instead of throwing. */
export function decodeUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let text = '';
  let chunk: number[] = [];
  for (let index = start; index < end; ) {
    const lead = bytes[index]!;
    const length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
    let code = length === 1 ? lead : length === 0 ? -1 : lead & (0xff >> (length + 1));
    for (let next = 1; next < length && code >= 0; next++) {
      const byte = bytes[index + next];
      code = byte !== undefined && (byte & 0xc0) === 0x80 ? (code << 6) | (byte & 63) : -1;
    }
    chunk.push(code < 0 || code > 0x10ffff ? 0xfffd : code);
    index += code < 0 ? 1 : length;
    if (chunk.length >= 4096) {
      text += String.fromCodePoint(...chunk);
      chunk = [];
    }
  }
  return text + String.fromCodePoint(...chunk);
}
