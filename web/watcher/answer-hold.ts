/*
 * A hold on what a typed command makes for the page, until the machine has answered it: the
 * page then draws it after the machine is done, not on the cores the machine works on while it
 * works. The hold ends when the machine reads its next line (`end`), or after COMMAND_HOLD_MS,
 * so that a long command's changes and output still show while it runs. The picture holds its
 * updates with one (memory-picture.ts), the session the terminal's output (machine-session.ts).
 *
 *   const hold = new AnswerHold(() => send(kept));
 *   hold.start();        // a line was typed: keep what comes
 *   hold.holding;        // true until it ends
 *   hold.end();          // the machine answered: `release` runs, once
 *   hold.cancel();       // stopped: nothing is released
 */

/** How long, after a line typed, a hold keeps what the command makes if the machine has not answered it. */
export const COMMAND_HOLD_MS = 50;

export class AnswerHold {
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly release: () => void) {}

  get holding(): boolean {
    return this.#timer !== null;
  }

  /** Holds from now, for at most COMMAND_HOLD_MS (a hold already on starts over). */
  start(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.end(), COMMAND_HOLD_MS);
  }

  /** Ends the hold and runs `release`; nothing when no hold is on. */
  end(): void {
    if (!this.cancel()) return;
    this.release();
  }

  /** Ends the hold without releasing; whether one was on. */
  cancel(): boolean {
    if (this.#timer === null) return false;
    clearTimeout(this.#timer);
    this.#timer = null;
    return true;
  }
}
