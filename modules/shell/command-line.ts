/*
 * Parses a command line the way sh does, in small: commands separated by ";", each a pipeline
 * of commands joined by "|", each command's output sent to a file with "> FILE" or appended
 * with ">> FILE" (`echo a >/tmp/x` needs no space). Single and double quotes make one word of
 * what they hold, operators included: `echo "a; b" | grep a` is one pipeline of two commands.
 *
 *   parseCommandLine('lsmod | grep kv >> /tmp/log; free')
 *   → [{ commands: [{ words: ['lsmod'] }, { words: ['grep', 'kv'], redirect: { path: '/tmp/log', append: true } }] },
 *      { commands: [{ words: ['free'] }] }]
 *
 * A quote left open, a pipe with no command on one side or a ">" with no file is a
 * ShellSyntaxError, and nothing on the line runs (as in sh).
 */
export class ShellSyntaxError extends Error {}

export interface Redirect {
  path: string;
  append: boolean;
}

export interface Command {
  words: string[];
  redirect?: Redirect;
}

export interface Pipeline {
  commands: Command[];
}

type Token = { word: string } | { operator: ';' | '|' | '>' | '>>' };

function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let word: string | null = null;
  let quote: string | null = null;
  const endWord = () => {
    if (word !== null) tokens.push({ word });
    word = null;
  };
  for (let index = 0; index < line.length; index++) {
    const character = line[index]!;
    if (quote) {
      if (character === quote) quote = null;
      else word += character;
    } else if (character === '"' || character === "'") {
      quote = character;
      word ??= '';
    } else if (character === ';' || character === '|') {
      endWord();
      tokens.push({ operator: character });
    } else if (character === '>') {
      endWord();
      const append = line[index + 1] === '>';
      if (append) index++;
      tokens.push({ operator: append ? '>>' : '>' });
    } else if (/\s/.test(character)) endWord();
    else word = (word ?? '') + character;
  }
  if (quote) throw new ShellSyntaxError(`unterminated quote: no closing ${quote} before the end of the line`);
  endWord();
  return tokens;
}

const unexpected = (token: Token | undefined) => new ShellSyntaxError(`syntax error near unexpected token '${token === undefined ? 'newline' : 'word' in token ? token.word : token.operator}'`);

export function parseCommandLine(line: string): Pipeline[] {
  const tokens = tokenize(line);
  const pipelines: Pipeline[] = [];
  let commands: Command[] = [];
  let command: Command = { words: [] };
  const isEmpty = (candidate: Command) => candidate.words.length === 0 && !candidate.redirect;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    if ('word' in token) command.words.push(token.word);
    else if (token.operator === '>' || token.operator === '>>') {
      const target = tokens[index + 1];
      if (!target || !('word' in target)) throw unexpected(target);
      command.redirect = { path: target.word, append: token.operator === '>>' };
      index++;
    } else if (token.operator === '|') {
      if (isEmpty(command)) throw unexpected(token);
      commands.push(command);
      command = { words: [] };
    } else {
      if (isEmpty(command) && commands.length > 0) throw unexpected(token);
      if (!isEmpty(command)) commands.push(command);
      if (commands.length > 0) pipelines.push({ commands });
      commands = [];
      command = { words: [] };
    }
  }
  if (isEmpty(command) && commands.length > 0) throw unexpected(undefined);
  if (!isEmpty(command)) commands.push(command);
  if (commands.length > 0) pipelines.push({ commands });
  return pipelines;
}
