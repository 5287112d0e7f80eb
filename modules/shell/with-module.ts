/*
 * Uses another module for the length of one command: asks the kernel for it (loading it from
 * the ramdisk if needed, as Linux's request_module), then lets go, so autoclean can unload it
 * later. While the command runs, lsmod shows the shell among its users.
 *
 * A command abandoned with Ctrl-C may never resume to let go (its awaited call never settles
 * for it: abandonCalls in keel:kernel), so releaseAll lets go of what it holds at once; each
 * hold is released once, whichever comes first.
 */
import { releaseModule, requestModule } from 'keel:kernel';

/** Holds of the commands running, by the module's name. */
const held = new Set<{ name: string }>();

export async function withModule<Exports, Result>(name: string, body: (exports: Exports) => Result | Promise<Result>): Promise<Result> {
  const exports = requestModule<Exports>(name);
  const hold = { name };
  held.add(hold);
  try {
    return await body(exports);
  } finally {
    if (held.delete(hold)) releaseModule(name);
  }
}

/** Ctrl-C: lets go of every module the abandoned command holds. */
export function releaseAll(): void {
  for (const { name } of held) releaseModule(name);
  held.clear();
}
