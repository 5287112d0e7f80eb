/* A broken invariant: its name ("frames", "ledger", "oops", ...) and what was seen. Every check throws one. */

export class Violation extends Error {
  constructor(
    readonly invariant: string,
    readonly details: string,
  ) {
    super(`${invariant}: ${details}`);
  }
}
