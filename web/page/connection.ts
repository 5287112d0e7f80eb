/*
 * The page's end of its machine: what the page hears (the protocol's server messages,
 * web/protocol/messages.ts) and what it says. Two kinds: a WebSocket to the server that runs
 * the machine (`npm run web`, socket-connection.ts), or a machine in the tab itself
 * (`npm run site`, web/site/in-tab-connection.ts). The page (page.ts) draws either the same way.
 */
import type { PageMessage, PictureUpdate, ServerMessage } from '../protocol/messages.ts';

export interface ConnectionHandlers {
  hello(frames: number, frameSize: number): void;
  output(text: string): void;
  update(update: PictureUpdate): void;
  halted(status: number, reason: string): void;
  refused(reason: string): void;
  /** The connection closed: `reason` is the server's, when it gave one (a refusal, say). */
  closed(code: number, reason: string): void;
}

export interface Connection {
  send(message: PageMessage): void;
  /** Where the machine runs, for the page's status line ("the server", "this tab"). */
  readonly where: string;
  /** Powers a new machine on once the last has ended, if this connection can (the tab's); its `hello` follows. */
  powerOn?(): void;
}

export type Connect = (handlers: ConnectionHandlers) => Connection;

/** Hands one server message to its handler. */
export function dispatch(message: ServerMessage, handlers: ConnectionHandlers): void {
  if (message.type === 'hello') handlers.hello(message.frames, message.frameSize);
  else if (message.type === 'output') handlers.output(message.text);
  else if (message.type === 'update') handlers.update(message);
  else if (message.type === 'halted') handlers.halted(message.status, message.reason);
  else if (message.type === 'refused') handlers.refused(message.reason);
}
