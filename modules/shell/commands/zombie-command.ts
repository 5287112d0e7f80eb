/*
 * zombies — what holds the code of each unloaded or replaced module that the host has not
 * collected (lsmod's [Zombie] rows): a heap snapshot of the machine, searched from the
 * zombie's code back to a root, in module terms. One line a zombie, as dmesg says it when the
 * zombie is found; with -v the whole path from the root follows, one step a line. With -w it
 * first waits until the reclaim monitor has settled the code let go of (collected, or found a
 * zombie), which takes a few hundred milliseconds after an unload. Nothing is printed when there
 * is no zombie (of that name), so that a module's test can count the lines. On a host that
 * collects only when it chooses (a browser), no zombie is ever claimed: the code let go of and
 * not collected yet is listed instead, as waiting for the host's collector.
 *
 *   keel# rmmod zvictim; zombies -w
 *   zvictim 1.0.0: held by zholder 1.0.0: kept[0].callback (a function of zvictim 1.0.0)
 */
import { setTimer } from 'keel:kernel';
import { unsettledCode, waitingForCollector, zombieHolders } from 'keel:sysinfo';
import { expectOperands, parseOptions } from '../options.ts';
import { print } from '../print.ts';
import type { Command } from './command.ts';

/** How often -w looks again: the reclaim monitor checks every 50 ms. */
const SETTLE_POLL_MS = 50;

export const zombieCommand: Command = {
  usage: 'zombies [-vw] [NAME]',
  summary: 'say what holds each zombie module (-v: the whole path; -w: wait for unloads to settle)',
  async run(args) {
    const { flags, operands } = parseOptions(args, { flags: 'vw' });
    expectOperands(operands, 0, 1, this.usage);
    const name = operands[0];
    while (flags.has('w') && unsettledCode(name) > 0) await new Promise<void>((resolve) => setTimer(resolve, SETTLE_POLL_MS));
    for (const zombie of await zombieHolders(name)) {
      print(`${zombie.version ? `${zombie.name} ${zombie.version}` : zombie.name}: ${zombie.holder}`);
      if (flags.has('v')) for (const step of zombie.path) print(`    ${step}`);
    }
    for (const label of waitingForCollector(name)) print(`${label}: unloaded, waiting for the host's collector (this host collects when it chooses; no zombie is claimed before)`);
    return 0;
  },
};
