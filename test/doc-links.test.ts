/*
 * The project's docs stand alone: every relative link in README.md, docs/*.md and
 * bench/README.md leads to a file of the project (and, with a #fragment, to a heading of that
 * file, as GitHub names its anchors), and no doc points outside the clone (the design notes
 * the project began from lived in ../shared/, which a clone does not have).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../build.ts';

const DOCS = ['README.md', 'bench/README.md', ...readdirSync(path.join(PROJECT_ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** GitHub's anchor for a heading: lower case, punctuation but `-` and `_` dropped, spaces as `-`. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** The anchors of a Markdown file's headings (fenced code left out). */
function anchorsOf(text: string): Set<string> {
  const outsideCode = text.replace(/^```[\s\S]*?^```$/gm, '');
  return new Set([...outsideCode.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) => anchorOf(heading!)));
}

/** The targets of a Markdown file's inline links `[text](target)`, images too, code left out. */
function linksOf(text: string): string[] {
  const outsideCode = text.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');
  return [...outsideCode.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target!);
}

/** The relative links of `text`, a file at `doc`, that lead to no file of the project or to no heading of it. */
function brokenLinks(doc: string, text: string): string[] {
  return linksOf(text)
    .filter((target) => !/^[a-z]+:/.test(target))
    .filter((target) => {
      const [file, fragment] = target.split('#') as [string, string | undefined];
      if (!file) return !anchorsOf(text).has(fragment!);
      const resolved = path.join(path.dirname(path.join(PROJECT_ROOT, doc)), file);
      if (!resolved.startsWith(PROJECT_ROOT + path.sep) || !existsSync(resolved)) return true;
      return fragment !== undefined && !anchorsOf(readFileSync(resolved, 'utf8')).has(fragment);
    });
}

describe.each(DOCS)('%s', (doc) => {
  const text = readFileSync(path.join(PROJECT_ROOT, doc), 'utf8');

  it('links only to files and headings that exist', () => {
    expect(brokenLinks(doc, text)).toEqual([]);
  });

  it('points at nothing outside the project', () => {
    expect(text).not.toMatch(/\.\.\/shared|DESIGN\.md|FACTS\.md/);
  });
});

it('finds a broken link: a missing file, a missing heading, a path out of the project', () => {
  const text = '# Here\n\n[a](#here) [b](missing.md) [c](README.md#nowhere) [d](../../outside.md) [e](https://example.org/x) `[f](code.md)`\n';
  expect(brokenLinks('docs/example.md', text)).toEqual(['missing.md', 'README.md#nowhere', '../../outside.md']);
  expect(brokenLinks('README.md', '[g](docs/design.md#why-it-exists) [h](#not-here)')).toEqual(['#not-here']);
});

it('names anchors as GitHub does', () => {
  expect(anchorOf('Watch it in a browser: the shell beside a live memory map')).toBe('watch-it-in-a-browser-the-shell-beside-a-live-memory-map');
  expect(anchorOf('Edit, save, swap: the dev loop')).toBe('edit-save-swap-the-dev-loop');
  expect(anchorOf('1. Base image (`base-image.ts`)')).toBe('1-base-image-base-imagets');
});
