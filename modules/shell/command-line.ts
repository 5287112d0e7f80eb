/*
 * Splits a command line into commands (on ";") and words (on blanks), honouring single and
 * double quotes: `echo "a; b"; lsmod` is two commands, the first with one argument.
 */
export function splitCommandLine(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | null = null;
  let quote: string | null = null;
  const endWord = () => {
    if (word !== null) words.push(word);
    word = null;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (const character of line) {
    if (quote) {
      if (character === quote) quote = null;
      else word += character;
    } else if (character === '"' || character === "'") {
      quote = character;
      word ??= '';
    } else if (character === ';') endCommand();
    else if (/\s/.test(character)) endWord();
    else word = (word ?? '') + character;
  }
  endCommand();
  return commands;
}
