/*
 * Text from the ramdisk, made safe to print. Names, descriptions, file names and file contents
 * come from an archive anyone can edit; printed raw, a newline in a description forges an lsmod
 * row and an escape sequence rewrites the screen. `visibleText` shows every control character
 * the way `cat -v` does — ESC as ^[, a newline as ^J, DEL as ^?, C1 controls as M-^[ — so what
 * reaches a terminal moves no cursor and starts no line. Used by the kernel log (every line it
 * records) and by the shell (what it prints from the index and the file system).
 */

/** C0 controls, DEL and C1 controls; with `keepLines`, newline and tab pass (file contents). */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROLS_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function caret(character: string): string {
  const code = character.charCodeAt(0);
  if (code === 0x7f) return '^?';
  return code < 0x80 ? `^${String.fromCharCode(code + 64)}` : `M-${caret(String.fromCharCode(code - 0x80))}`;
}

export function visibleText(text: string, keepLines = false): string {
  return text.replace(keepLines ? CONTROLS_BUT_LINES : CONTROLS, caret);
}
