/*
 * A boot that cannot proceed: bad image, too little memory, a host that cannot run the machine.
 * One line, shown as it is. Its own file, so that a page watching a machine (browser-machine-
 * thread.ts) can tell one without taking in the firmware.
 */
export class BootError extends Error {
  override name = 'BootError';
}
