/*
 * kerneld — the autoclean daemon, after the kerneld of Linux 2.0: every so often it looks at
 * the modules that were loaded on demand, and unloads those that have no users and have
 * taken no call for `autoclean=SECONDS` (from the kernel command line); dependencies loaded
 * for them become idle in turn and go in a later pass. The kernel loads it
 * at boot when that option is given; without it, nothing is ever unloaded behind your back.
 */
import { ModuleError, now, numberParam, printk, setTimer, unloadModule } from 'keel:kernel';
import { modules } from 'keel:sysinfo';

const DEFAULT_IDLE_SECONDS = 60;

/** Per module: the call count last seen, and since when it has not moved. */
const lastSeen = new Map<string, { calls: number; since: number }>();

/** Read once, at load: a bad value is said once, not on every pass. */
const idleLimitMs = numberParam('autoclean', { fallback: DEFAULT_IDLE_SECONDS, min: 0.001, max: 1_000_000, whole: false }) * 1000;

export function idleMilliseconds(): number {
  return idleLimitMs;
}

/** One pass: unloads what has been idle long enough; returns the names unloaded. */
export function sweep(): string[] {
  const limit = idleMilliseconds();
  const unloaded: string[] = [];
  const present = new Set<string>();
  for (const status of modules()) {
    if (status.state !== 'Live' || !status.onDemand || status.permanent) continue;
    present.add(status.name);
    const seen = lastSeen.get(status.name);
    if (!seen || seen.calls !== status.calls || status.refcount > 0) {
      lastSeen.set(status.name, { calls: status.calls, since: now() });
    } else if (now() - seen.since >= limit) {
      try {
        unloadModule(status.name);
        unloaded.push(status.name);
      } catch (error) {
        // An async call still in flight keeps it in use: said once, and its idle time starts again.
        if (!(error instanceof ModuleError)) throw error;
        printk(`kerneld: autoclean passes over ${status.name}: ${error.message}`);
        lastSeen.set(status.name, { calls: status.calls, since: now() });
      }
    }
  }
  for (const name of lastSeen.keys()) if (!present.has(name) || unloaded.includes(name)) lastSeen.delete(name);
  if (unloaded.length > 0) printk(`kerneld: autoclean unloaded ${unloaded.join(', ')} (idle ${limit / 1000}s)`);
  return unloaded;
}

function tick(): void {
  sweep();
  setTimer(tick, Math.max(10, idleMilliseconds() / 4));
}

export function init(): void {
  printk(`kerneld: autoclean after ${idleMilliseconds() / 1000}s idle`);
  tick();
}

export function exit(): void {
  lastSeen.clear();
}
