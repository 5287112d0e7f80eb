/*
 * What the kernel says on its debug device, read as the watcher (the server, or the page in a tab) must read anything that comes
 * from inside the machine: as untrusted. A module holding the kernel's internals can call the
 * device with any string, so a module event is parsed and checked field by field into the
 * protocol's shapes (web/protocol/messages.ts); one that is not what boot/module-events.ts
 * writes is refused with a reason for the log, and the page never sees it.
 */
import { MODULE_EVENT_KINDS, type ModuleEventKind, type ModuleRow, type ModuleTable, type ZombieRow } from '../protocol/messages.ts';

export interface ModuleReport {
  event: ModuleEventKind;
  module: ZombieRow;
  table: ModuleTable;
}

/** Longest name, version or state the page is given; longer is not something the kernel writes. */
const MAX_TEXT = 256;
/** A zombie's holder is a path, which can be long (the kernel cuts it at 1,000 characters). */
const MAX_HOLDER = 2048;

class Refusal extends Error {}

function refuse(what: string): never {
  throw new Refusal(what);
}

const record = (value: unknown, where: string): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : refuse(`${where} is not an object`);
const id = (value: unknown, where: string): number => (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 2 ** 31 ? value : refuse(`${where} is not an owner id`));
const text = (value: unknown, where: string): string => (typeof value === 'string' && value.length <= MAX_TEXT ? value : refuse(`${where} is not a string of at most ${MAX_TEXT} characters`));
const list = (value: unknown, where: string): unknown[] => (Array.isArray(value) ? value : refuse(`${where} is not an array`));
const ids = (value: unknown, where: string): number[] => list(value, where).map((item, index) => id(item, `${where}[${index}]`));

function subject(value: unknown, where: string): ZombieRow {
  const fields = record(value, where);
  const subject: ZombieRow = { id: id(fields.id, `${where}.id`), name: text(fields.name, `${where}.name`), version: text(fields.version, `${where}.version`) };
  if (fields.holder !== undefined) {
    subject.holder = typeof fields.holder === 'string' && fields.holder.length <= MAX_HOLDER ? fields.holder : refuse(`${where}.holder is not a string of at most ${MAX_HOLDER} characters`);
  }
  return subject;
}

function row(value: unknown, where: string): ModuleRow {
  const fields = record(value, where);
  return {
    ...subject(fields, where),
    data: id(fields.data, `${where}.data`),
    state: text(fields.state, `${where}.state`),
    users: ids(fields.users, `${where}.users`),
    imports: ids(fields.imports, `${where}.imports`),
  };
}

/** A module event (boot/module-events.ts), checked; or why it is not one. */
export function readModuleReport(json: string): ModuleReport | { refused: string } {
  try {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      refuse('not JSON');
    }
    const fields = record(parsed, 'the event');
    const event = MODULE_EVENT_KINDS.find((kind) => kind === fields.event) ?? refuse(`unknown event ${JSON.stringify(fields.event) ?? 'undefined'}`);
    return {
      event,
      module: subject(fields.module, 'module'),
      table: {
        modules: list(fields.modules, 'modules').map((item, index) => row(item, `modules[${index}]`)),
        zombies: list(fields.zombies, 'zombies').map((item, index) => subject(item, `zombies[${index}]`)),
      },
    };
  } catch (error) {
    if (error instanceof Refusal) return { refused: error.message };
    throw error;
  }
}
