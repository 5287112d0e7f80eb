/*
 * Module events, for a debugger attached to the machine (the debug device; the web page's
 * server is one): after each change to the module table the kernel says what happened, with
 * the table as it stands then — lsmod's rows with their ids, users and imports, and the
 * zombies — as one line of JSON. Saying so is all this does: it keeps nothing, and nothing
 * asks it anything. It stands below the loader and the reclaim monitor's owner, the core: it
 * is handed what it reads (EventSource), which the core is.
 */
import type { ModuleEvent, ModuleEventKind, ModuleEventSubject } from '../../emulator/machine-interface.ts';
import type { MachineInterface } from '../../emulator/machine-interface.ts';
import type { LoadedModule } from './loaded-module.ts';
import type { UnloadedCode } from './reclaim-monitor.ts';

const ids = (modules: Iterable<LoadedModule>) => [...modules].map((module) => module.id);

/** A module as the event names it: the id of its text frames, its name and version. */
const subjectOf = (module: LoadedModule | UnloadedCode): ModuleEventSubject =>
  'record' in module
    ? { id: module.id, name: module.name, version: module.record.version }
    : { id: module.id, name: module.name, version: module.version, ...(module.holder ? { holder: module.holder } : {}) };

/** What an event is read from: the module table and the zombies (the kernel core, kernel-core.ts, is one). */
export interface EventSource {
  readonly machine: MachineInterface;
  readonly loader: { readonly modules: ReadonlyMap<string, LoadedModule> };
  readonly reclaim: { readonly zombies: ReadonlySet<UnloadedCode> };
}

export function publishModuleEvent(kernel: EventSource, event: ModuleEventKind, module: LoadedModule | UnloadedCode): void {
  // Describing the whole table costs a load or an unload something: only for a debugger that hears it.
  if (!kernel.machine.debug.attached) return;
  const report: ModuleEvent = {
    event,
    module: subjectOf(module),
    modules: [...kernel.loader.modules.values()].map((module) => ({
      id: module.id, data: module.dataOwner.id, name: module.name, version: module.record.version, state: module.state, users: ids(module.users), imports: ids(module.dependencies),
    })),
    zombies: [...kernel.reclaim.zombies].map(subjectOf),
  };
  kernel.machine.debug.moduleEvent(JSON.stringify(report));
}
