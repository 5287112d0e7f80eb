/*
 * The dev loop's watcher on its own (dev/module-watcher.ts), for the two races that made the
 * dev-loop test fail on a fresh clone: a periodic scan that starts while the first scan is still
 * setting up its watches (slow on a cold machine) must not watch a folder twice and announce a
 * rebuild nobody saved; and a save made as soon as the watcher has started must be a rebuild,
 * not folded into the first build and lost.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ModuleWatcher } from '../module-watcher.ts';

let root: string;
let watcher: ModuleWatcher | undefined;
const events: string[] = [];
let onEvent: (() => void) | null = null;

function save(name: string, body: string): void {
  mkdirSync(path.join(root, name), { recursive: true });
  writeFileSync(path.join(root, name, 'package.json'), JSON.stringify({ name, version: '1.0.0' }));
  writeFileSync(path.join(root, name, 'index.ts'), `export function answer(): string {\n  return ${JSON.stringify(body)};\n}\n`);
}

function watch(): ModuleWatcher {
  watcher = new ModuleWatcher([root], {
    rebuilt: ({ record }) => (events.push(`rebuilt ${record.name}`), onEvent?.()),
    failed: (message) => (events.push(`failed ${message}`), onEvent?.()),
  });
  return watcher;
}

const nextEvent = () => new Promise<void>((resolve) => (onEvent = resolve));

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'keel-watcher-'));
  events.length = 0;
  for (const name of ['alpha', 'beta', 'gamma', 'delta']) save(name, `${name} 1`);
});

afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
  rmSync(root, { recursive: true, force: true });
});

it('watches each folder once when scans overlap, and announces no rebuild nobody saved', async () => {
  const modules = watch();
  await Promise.all([modules.scan(), modules.scan(true), modules.scan(true)]);
  expect(events).toEqual([]);
  const rebuilt = nextEvent();
  save('beta', 'beta 2');
  await rebuilt;
  expect(events).toEqual(['rebuilt beta']);
});

it('takes a save made as soon as it has started as a rebuild', async () => {
  await watch().start();
  const rebuilt = nextEvent();
  save('alpha', 'alpha 2');
  await rebuilt;
  expect(events).toEqual(['rebuilt alpha']);
});

it('builds and announces a module folder that appears while it runs', async () => {
  await watch().start();
  const announced = nextEvent();
  save('newcomer', 'new');
  await announced;
  expect(events).toEqual(['rebuilt newcomer']);
});
