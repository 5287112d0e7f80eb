/*
 * The page's end of its WebSocket (web/protocol/messages.ts): opens it to the server that
 * served the page, hands each server message to its handler, and sends the page's messages.
 */
import { encodeMessage, SOCKET_PATH, type PageMessage, type PictureUpdate, type ServerMessage } from '../protocol/messages.ts';

export interface ConnectionHandlers {
  hello(frames: number, frameSize: number): void;
  output(text: string): void;
  update(update: PictureUpdate): void;
  halted(status: number, reason: string): void;
  refused(reason: string): void;
  /** The socket closed: `reason` is the server's, when it gave one (a refusal, say). */
  closed(code: number, reason: string): void;
}

export interface Connection {
  send(message: PageMessage): void;
}

export function connect(handlers: ConnectionHandlers): Connection {
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${SOCKET_PATH}`);
  const waiting: string[] = [];
  socket.addEventListener('open', () => {
    for (const text of waiting.splice(0)) socket.send(text);
  });
  socket.addEventListener('message', (event: MessageEvent<string>) => {
    const message = JSON.parse(event.data) as ServerMessage;
    if (message.type === 'hello') handlers.hello(message.frames, message.frameSize);
    else if (message.type === 'output') handlers.output(message.text);
    else if (message.type === 'update') handlers.update(message);
    else if (message.type === 'halted') handlers.halted(message.status, message.reason);
    else if (message.type === 'refused') handlers.refused(message.reason);
  });
  socket.addEventListener('close', (event) => handlers.closed(event.code, event.reason));
  return {
    send(message) {
      const text = encodeMessage(message);
      if (socket.readyState === WebSocket.CONNECTING) waiting.push(text);
      else if (socket.readyState === WebSocket.OPEN) socket.send(text);
    },
  };
}
