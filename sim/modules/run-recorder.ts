/*
 * What every sim fixture version shares: its incarnation number and a `run` that records in
 * sim-control's ledger that a piece of a call ran here. Each version's bundle gets its own
 * copy, so a run always names the code that really ran.
 *
 *   const recorder = runRecorder('sim-store', '2.0.0');
 *   export const incarnation = recorder.incarnation;   // sim-control reads it to know the live code
 *   recorder.run(id, 'store.put');
 */
import { incarnation, ran } from 'keel:sim-control';

export function runRecorder(module: string, version: string) {
  const self = incarnation();
  return {
    incarnation: self,
    run: (id: number, role: string): void => ran(id, role, module, version, self),
  };
}
