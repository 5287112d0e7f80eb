/* Console output for commands: one call, one line (or block of lines). */
import { consoleWrite } from 'keel:kernel';

export function print(text: string): void {
  consoleWrite(`${text}\n`);
}
