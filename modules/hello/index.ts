/*
 * hello — the smallest module worth having: it exports a function another module can import
 * as `keel:hello`, and logs when it comes and goes.
 */
import { printk } from 'keel:kernel';

/** Returns a greeting for `name`. */
export function greet(name: string): string {
  return `Hello, ${name}!`;
}

export function init(): void {
  printk('hello: loaded');
}

export function exit(): void {
  printk('hello: goodbye');
}
