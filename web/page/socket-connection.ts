/*
 * The page's WebSocket (`npm run web`): opens it to the server that served the page, hands
 * each server message to its handler, and sends the page's messages.
 */
import { encodeMessage, SOCKET_PATH, type ServerMessage } from '../protocol/messages.ts';
import { dispatch, type Connection, type ConnectionHandlers } from './connection.ts';

export function connectSocket(handlers: ConnectionHandlers): Connection {
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${SOCKET_PATH}`);
  const waiting: string[] = [];
  socket.addEventListener('open', () => {
    for (const text of waiting.splice(0)) socket.send(text);
  });
  socket.addEventListener('message', (event: MessageEvent<string>) => dispatch(JSON.parse(event.data) as ServerMessage, handlers));
  socket.addEventListener('close', (event) => handlers.closed(event.code, event.reason));
  return {
    where: 'the server',
    send(message) {
      const text = encodeMessage(message);
      if (socket.readyState === WebSocket.CONNECTING) waiting.push(text);
      else if (socket.readyState === WebSocket.OPEN) socket.send(text);
    },
  };
}
