/*
 * Figure 3's floor: what loading a signed module costs at the least, on the host itself. A
 * loader of signed code must hash the bytes, check the signature over the hash and compile
 * the code; this does exactly that for each copy, with nothing around it — no frames, no
 * copy, no index, no linking, no init:
 *
 *   vm.compileFunction(text, ['require', 'module', 'exports'], { parsingContext })   in one vm context, as the sandbox compiles
 *   sha256(bytes)                                                                   as the crypto device does
 *   verify(null, signedText(record), key, signature)                                Ed25519, the key parsed once
 *
 * Each copy is distinct (no compilation cache helps) and timed after a full GC, as keel's loads
 * and the import()s are. Returns the median in milliseconds.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import vm from 'node:vm';
import { publicKeyHex } from '../../build/module-signing.ts';
import type { BuiltModule } from '../../build/module-bundle.ts';
import { signedText } from '../../ramdisk/module-index.ts';
import { collectGarbage } from './host.ts';
import { median } from './statistics.ts';

/** DER prefix of an Ed25519 public key (SubjectPublicKeyInfo), as the crypto device uses. */
const ED25519_PUBLIC_PREFIX = '302a300506032b6570032100';

export function loadFloorMilliseconds(bundles: BuiltModule[]): number {
  const context = vm.createContext(Object.create(null), { name: 'load floor', codeGeneration: { strings: true, wasm: false } });
  const key = createPublicKey({ key: Buffer.from(ED25519_PUBLIC_PREFIX + publicKeyHex(), 'hex'), format: 'der', type: 'spki' });
  const texts = bundles.map(({ code }) => new TextDecoder().decode(code));
  const milliseconds: number[] = [];
  for (const [index, { record, code }] of bundles.entries()) {
    collectGarbage();
    const start = performance.now();
    const sha256 = createHash('sha256').update(code).digest('hex');
    const signed = verify(null, Buffer.from(signedText(record)), key, Buffer.from(record.signature ?? '', 'hex'));
    vm.compileFunction(texts[index]!, ['require', 'module', 'exports'], { parsingContext: context });
    milliseconds.push(performance.now() - start);
    if (sha256 !== record.sha256 || !signed) throw new Error(`load floor: ${record.name} does not check as the kernel would check it`);
  }
  return median(milliseconds);
}
