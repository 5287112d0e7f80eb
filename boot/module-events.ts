/*
 * Module events, for a debugger attached to the machine (the debug device; the web page's
 * server is one): after each change to the module table the kernel says what happened, with
 * the table as it stands then — lsmod's rows with their ids, users and imports, and the
 * zombies — as one line of JSON. Saying so is all this does: it keeps nothing, and nothing
 * asks it anything.
 */
import type { ModuleEvent, ModuleEventKind, ModuleEventSubject } from '../emulator/machine-interface.ts';
import type { Kernel } from './kernel.ts';
import type { LoadedModule } from './loaded-module.ts';

const ids = (modules: Iterable<LoadedModule>) => [...modules].map((module) => module.id);

export function publishModuleEvent(kernel: Kernel, event: ModuleEventKind, { id, name, version }: ModuleEventSubject): void {
  const report: ModuleEvent = {
    event,
    module: { id, name, version },
    modules: [...kernel.loader.modules.values()].map((module) => ({
      id: module.id, data: module.dataOwner.id, name: module.name, version: module.version, state: module.state, users: ids(module.users), imports: ids(module.dependencies),
    })),
    zombies: [...kernel.reclaim.zombies].map((code) => ({ id: code.id, name: code.name, version: code.version })),
  };
  kernel.machine.debug.moduleEvent(JSON.stringify(report));
}
