/*
 * The sandbox's door, value by value: what `adopt` makes of each kind of host value, and that
 * nothing it returns leads back to the host's Function. (test/sandbox.test.ts tries the same
 * from inside a running kernel.)
 */
import { describe, expect, it } from 'vitest';
import { createSandbox } from '../sandbox.ts';

const sandbox = createSandbox();
/** Runs `body` in the realm with `value` as its argument. */
const inRealm = (body: string, value?: unknown) => sandbox.compile(body, ['value'], 'test')(value);
/** Whether `value`'s realm Function can reach the host's `process`. */
const leadsToHost = (value: unknown) =>
  inRealm(`try { return typeof value.constructor.constructor('return process')().pid === 'number'; } catch { return false; }`, value);

describe('the sandbox', () => {
  it('compiles code that sees no process, require or host globals', () => {
    expect(inRealm('return [typeof process, typeof require, typeof globalThis.constructor.constructor("return process")]')).toEqual(['undefined', 'undefined', 'function']);
    expect(inRealm('try { globalThis.constructor.constructor("return process")(); return "reached"; } catch (error) { return error.message; }')).toBe('process is not defined');
  });

  it('copies plain objects and arrays into the realm', () => {
    const adopted = sandbox.adopt({ map: [{ start: 0 }], name: 'x' });
    expect(adopted).toEqual({ map: [{ start: 0 }], name: 'x' });
    expect(leadsToHost(adopted)).toBe(false);
    expect(leadsToHost(adopted.map)).toBe(false);
    expect(leadsToHost({ host: true })).toBe(true);
  });

  it('wraps host functions, adopting what they return', () => {
    const adopted = sandbox.adopt((a: number, b: number) => ({ sum: a + b }));
    expect(adopted(2, 3)).toEqual({ sum: 5 });
    expect(leadsToHost(adopted)).toBe(false);
    expect(leadsToHost(adopted(1, 1))).toBe(false);
  });

  it('turns a host error into a realm error with the same name and message', () => {
    const adopted = sandbox.adopt(() => {
      throw new TypeError('bad argument');
    });
    const error = inRealm('try { value(); } catch (error) { return error; }', adopted) as Error;
    expect([error.name, error.message]).toEqual(['TypeError', 'bad argument']);
    expect(leadsToHost(error)).toBe(false);
  });

  it('re-makes host promises in the realm, for results and for rejections', async () => {
    const resolved = sandbox.adopt(() => Promise.resolve({ bytes: new Uint8Array([1, 2]) }))();
    expect(leadsToHost(resolved)).toBe(false);
    const result = await resolved;
    expect([...result.bytes]).toEqual([1, 2]);
    expect(leadsToHost(result.bytes)).toBe(false);
    const rejected = sandbox.adopt(() => Promise.reject(new RangeError('no')))();
    const reason = await rejected.catch((error: Error) => error);
    expect(reason.message).toBe('no');
    expect(leadsToHost(reason)).toBe(false);
  });

  it('copies host byte arrays, and passes the realm\'s own arrays (memory) as they are', () => {
    const host = new Uint8Array([7]);
    const copied = sandbox.adopt(host);
    expect(copied).not.toBe(host);
    expect(leadsToHost(copied)).toBe(false);
    const memory = sandbox.allocate(4096);
    expect(sandbox.adopt(memory)).toBe(memory);
    expect(leadsToHost(memory.buffer)).toBe(false);
    const shared = sandbox.allocateShared(2);
    expect(Object.prototype.toString.call(shared.buffer)).toBe('[object SharedArrayBuffer]');
    expect(leadsToHost(shared.buffer)).toBe(false);
  });

  it('answers import() inside the realm with a realm error', async () => {
    expect(sandbox.importWarning).toBeNull();
    const reason = await (inRealm('return new Function("return import(\'node:fs\')")()') as Promise<unknown>).catch((error: Error) => error);
    expect((reason as Error).message).toMatch(/^import\(\) is not available in keel/);
    expect(leadsToHost(reason)).toBe(false);
  });
});
