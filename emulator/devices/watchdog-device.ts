/*
 * The watchdog device: how a watchdog outside the machine can tell whose code hung it.
 *
 * Word 0 of a small shared array holds the id of the module whose code runs now (0: the
 * kernel's own); the kernel's stubs write it on every call into a module and back. Word 1 is
 * the machine's heartbeat, advanced by whoever drives the machine's event loop (the machine
 * worker) while that loop is free. Both live in a SharedArrayBuffer, so another thread can
 * read them while this one is stuck; the names of ids reach it as they are given.
 */
import type { WatchdogDevice } from '../machine-interface.ts';

export const RUNNING_WORD = 0;
export const HEARTBEAT_WORD = 1;

export class Watchdog {
  readonly names = new Map<number, string>();

  constructor(
    /** The shared words; allocated in the machine's realm so the kernel may hold them. */
    readonly words: Int32Array,
    /** Told each name as the kernel gives or forgets it (the machine worker forwards them to the host). */
    private readonly onName: (id: number, name: string | null) => void = () => {},
  ) {}

  /** The device as the kernel sees it. */
  device(): WatchdogDevice {
    return {
      running: this.words,
      name: (id, name) => {
        rememberName(this.names, id, name);
        this.onName(id, name);
      },
    };
  }
}

/** Records or (null) forgets an id's name: names of unloaded modules are not kept, however many come and go. */
export function rememberName(names: Map<number, string>, id: number, name: string | null): void {
  if (name === null) names.delete(id);
  else names.set(id, name);
}

/** What the words say is running, by name: "module looper", or "the kernel". */
export function describeRunning(words: Int32Array, names: ReadonlyMap<number, string>): string {
  const id = Atomics.load(words, RUNNING_WORD);
  return id === 0 ? 'the kernel' : `module ${names.get(id) ?? `#${id}`}`;
}
