/*
 * The page of `npm run web`: the page (page.ts) drawing the machine that the server runs for it,
 * over a WebSocket (socket-connection.ts). web/site/main.ts is the same page with the machine in
 * the tab.
 */
import { startPage } from './page.ts';
import { connectSocket } from './socket-connection.ts';

startPage(connectSocket);
