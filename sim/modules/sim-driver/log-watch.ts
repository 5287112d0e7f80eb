/*
 * The lines of the kernel log that report a fault — oopses and exits that failed — as the
 * driver sees them: it taps the kernel log's printk, so that it reads every such line once,
 * however full the ring buffer dmesg reads. Operations say which lines the faults they
 * injected must cause (`expect`); after every step the lines logged must be exactly those
 * (`check`): a fault that went unreported is as wrong as an oops nobody caused — a rejection
 * no one handled, say. A kernel swap brings a new core with a log of its own: `follow` taps it.
 *
 *   world.log.expect('keel: oops in sim-store.timer: injected async timer failure');
 *   world.log.check();   // throws a Violation named "oops"
 */
import type { Kernel } from 'keel:kernel';
import { Violation } from './violation.ts';

const FAULT_LINE = /^keel: (oops|[a-z0-9-]+: exit failed)/;
/** An init that ran out of memory fails with an oops too: memory is not a fault the driver arms. */
const OUT_OF_MEMORY = /^keel: oops in sim-[a-z]+\.init: .*out of memory/;

export class LogWatch {
  #logged: string[] = [];
  #expected: string[] = [];
  #outOfMemory = false;

  constructor(kernel: Kernel) {
    this.follow(kernel);
  }

  /** Taps `kernel`'s log: the first core's, and after a kernel swap the new core's. */
  follow(kernel: Kernel): void {
    const printk = kernel.log.printk;
    kernel.log.printk = (message, level) => {
      if (FAULT_LINE.test(message)) this.#logged.push(message);
      printk(message, level);
    };
  }

  expect(line: string): void {
    this.#expected.push(line);
  }

  /** An operation failed for memory: an oops of an init that ran out of it is no surprise. */
  allowOutOfMemory(): void {
    this.#outOfMemory = true;
  }

  check(): void {
    const logged = this.#logged.splice(0);
    const expected = this.#expected.splice(0);
    const outOfMemory = this.#outOfMemory;
    this.#outOfMemory = false;
    const missing = expected.filter((line) => {
      const index = logged.indexOf(line);
      if (index >= 0) logged.splice(index, 1);
      return index < 0;
    });
    const unexpected = logged.filter((line) => !(outOfMemory && OUT_OF_MEMORY.test(line)));
    if (missing.length > 0) throw new Violation('oops', `not logged: ${missing.join('; ')}${unexpected.length > 0 ? `; logged instead: ${unexpected.join('; ')}` : ''}`);
    if (unexpected.length > 0) throw new Violation('oops', `logged, though no fault caused it: ${unexpected.join('; ')}`);
  }
}
