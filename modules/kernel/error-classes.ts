/*
 * The errors the kernel throws to modules — ModuleError, ModuleUnloadedError, OutOfMemoryError —
 * compiled once per machine from the text below, so that they belong to no version of the
 * kernel's code: every version of the core throws the same classes (a module's `instanceof`
 * keeps working across a kernel swap), and an error a module keeps does not keep the core that
 * threw it alive (an object keeps its class alive through its hidden class: docs/design.md).
 *
 *   useErrorClasses(handedOver.errors);   // a core that takes over: the machine's classes
 *   throw new ModuleError('...');         // the bindings below are the machine's from then on
 *
 * The first core of a machine keeps the set its own evaluation compiled (`errorClasses()`).
 */

const SOURCE = `'use strict';
class ModuleError extends Error {
  name = 'ModuleError';
}
class ModuleUnloadedError extends Error {
  name = 'ModuleUnloadedError';
  constructor(module, symbol) {
    super(module + '.' + symbol + ': module ' + module + ' was unloaded');
    this.module = module;
    this.symbol = symbol;
  }
}
class OutOfMemoryError extends Error {
  name = 'OutOfMemoryError';
}
return { ModuleError, ModuleUnloadedError, OutOfMemoryError };
//# sourceURL=keel:error-classes.js`;

/** A module that cannot be loaded or unloaded; the message is the one line users see. */
export type ModuleErrorClass = new (message: string) => Error;
/** What a stub whose module was unloaded throws instead of running freed code. */
export type ModuleUnloadedErrorClass = new (module: string, symbol: string) => Error & { readonly module: string; readonly symbol: string };
/** Not enough contiguous free frames: nothing was allocated. */
export type OutOfMemoryErrorClass = new (message: string) => Error;

export interface ErrorClasses {
  ModuleError: ModuleErrorClass;
  ModuleUnloadedError: ModuleUnloadedErrorClass;
  OutOfMemoryError: OutOfMemoryErrorClass;
}

const compiled = new Function(SOURCE)() as ErrorClasses;

export let ModuleError: ModuleErrorClass = compiled.ModuleError;
export let ModuleUnloadedError: ModuleUnloadedErrorClass = compiled.ModuleUnloadedError;
export let OutOfMemoryError: OutOfMemoryErrorClass = compiled.OutOfMemoryError;

/** The classes this code throws now: what a machine's first core hands over. */
export const errorClasses = (): ErrorClasses => ({ ModuleError, ModuleUnloadedError, OutOfMemoryError });

/** Throws the machine's classes from now on (a core that takes over from another). */
export function useErrorClasses(classes: ErrorClasses): void {
  ({ ModuleError, ModuleUnloadedError, OutOfMemoryError } = classes);
}
