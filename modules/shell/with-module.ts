/*
 * Uses another module for the length of one command: asks the kernel for it (loading it from
 * the ramdisk if needed, as Linux's request_module), then lets go, so autoclean can unload it
 * later. While the command runs, lsmod shows the shell among its users.
 */
import { releaseModule, requestModule } from 'keel:kernel';

export async function withModule<Exports, Result>(name: string, body: (exports: Exports) => Result | Promise<Result>): Promise<Result> {
  const exports = requestModule<Exports>(name);
  try {
    return await body(exports);
  } finally {
    releaseModule(name);
  }
}
