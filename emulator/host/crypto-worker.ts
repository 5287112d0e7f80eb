/*
 * The crypto worker the browser host starts (browser-host.ts): sha256 and Ed25519 with
 * WebCrypto, which is asynchronous, for a machine whose crypto device is synchronous. The
 * machine's thread posts one request and waits (Atomics.wait) on the first shared word; this
 * worker writes the answer's bytes into the shared answer, its length into word 1, and then
 * 1 (answered) or 2 (failed) into word 0, and wakes it.
 *
 * `cryptoWorkerMain` is started from its own source text (a Blob URL), so it must stand alone:
 * it refers to nothing outside its body.
 */

/** Word 0: 0 while a request waits, 1 answered, 2 failed; word 1: the answer's length in bytes. */
export type CryptoAnswerWords = Int32Array;

export function cryptoWorkerMain(): void {
  interface CryptoScope {
    crypto: { subtle: { digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer>; importKey(...args: unknown[]): Promise<unknown>; verify(...args: unknown[]): Promise<boolean> } };
    postMessage(message: unknown): void;
    onmessage: ((event: { data: unknown }) => void) | null;
  }
  const scope = globalThis as unknown as CryptoScope;
  const { subtle } = scope.crypto;
  let words: Int32Array | null = null;
  let answer: Uint8Array | null = null;
  const reply = (state: 1 | 2, bytes: Uint8Array = new Uint8Array(0)) => {
    answer!.set(bytes);
    Atomics.store(words!, 1, bytes.length);
    Atomics.store(words!, 0, state);
    Atomics.notify(words!, 0);
  };
  scope.onmessage = (event) => {
    const request = event.data as { words?: Int32Array; answer?: Uint8Array; op?: string; bytes: Uint8Array; key?: Uint8Array; signature?: Uint8Array };
    if (request.words) {
      words = request.words;
      answer = request.answer!;
      scope.postMessage('ready');
      return;
    }
    const work = request.op === 'sha256'
      ? subtle.digest('SHA-256', request.bytes).then((digest) => new Uint8Array(digest))
      : subtle.importKey('raw', request.key, { name: 'Ed25519' }, false, ['verify'])
          .then((key) => subtle.verify({ name: 'Ed25519' }, key, request.signature, request.bytes))
          .then((valid) => Uint8Array.of(valid ? 1 : 0), () => Uint8Array.of(0));
    work.then((bytes) => reply(1, bytes), () => reply(2));
  };
}
