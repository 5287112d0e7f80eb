/*
 * The page of `npm run site`: the page of `npm run web` (web/page/page.ts, the same picture
 * code) with the machine in this tab (in-tab-connection.ts) rather than on a server — once the
 * page is cross-origin isolated (isolation.ts), which the machine's shared memory needs; else
 * one line saying why not.
 */
import { startPage } from '../page/page.ts';
import { connectInTab } from './in-tab-connection.ts';
import { isolate } from './isolation.ts';
import { siteSettings } from './settings.ts';

async function main(): Promise<void> {
  const status = document.getElementById('status')!;
  status.textContent = 'starting the machine…';
  const problem = await isolate();
  if (problem === null) return startPage(connectInTab(siteSettings));
  status.textContent = 'no machine';
  status.className = 'ended';
  const notice = document.getElementById('notice')!;
  notice.textContent = problem;
  notice.hidden = false;
}

void main();
