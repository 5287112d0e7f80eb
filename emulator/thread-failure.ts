/*
 * Why a machine's thread died under it, as the machine's last console line: the panic a kernel
 * would print had it been able to. A thread that reaches its heap limit (`--heap`: the worker's
 * resourceLimits.maxOldGenerationSizeMb) is ended by the engine with ERR_WORKER_OUT_OF_MEMORY;
 * its stack is gone, so the module named is the one the running word held (the stubs write it
 * on every call into a module, a timer's callback too) — none when kernel code, or module code
 * after an await no stub saw, was running.
 *
 *   output(`Kernel panic - not syncing: ${threadFailure(error, 'module probe-heap', 64)}\n`);
 *   // out of memory: the machine's heap reached its limit of 64 MiB (--heap) in module probe-heap
 */

export function threadFailure(error: unknown, running: string | null, heapMegabytes: number): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const where = running === null ? '' : ` in ${running}`;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return `out of memory: the machine's heap reached its limit of ${heapMegabytes} MiB (--heap)${where}`;
  return `the machine's thread failed${where}: ${String(message ?? error).split('\n')[0]}`;
}
