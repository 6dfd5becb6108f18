import * as fs from 'fs';
import * as path from 'path';

// The README and the pages of docs/ as a reader follows them: every relative link reaches a file,
// and every #anchor a heading of it (GitHub's slugs); the README's contents line lists each of its
// sections; the CDK examples (```ts blocks, which jsii-rosetta compiles) stay in the README, where
// `rosetta:extract` checks them.

const ROOT = path.join(__dirname, '..', '..');
const DOCS = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
const PAGES = ['README.md', ...DOCS];

/** Markdown without its fenced code blocks (links and headings inside them are code). */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, heading] of prose(text).matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    result.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return result;
}

test.each(PAGES)('every relative link of %s reaches a file and a heading', (page) => {
  const text = fs.readFileSync(path.join(ROOT, page), 'utf8');
  const broken: string[] = [];
  for (const [, target] of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
    const [file, anchor] = target.split('#');
    const resolved = file ? path.join(path.dirname(path.join(ROOT, page)), file) : path.join(ROOT, page);
    if (!fs.existsSync(resolved)) {
      broken.push(`${target}: no such file`);
    } else if (anchor && fs.statSync(resolved).isFile() && !anchors(fs.readFileSync(resolved, 'utf8')).has(anchor)) {
      broken.push(`${target}: no heading with that anchor`);
    }
  }
  expect(broken).toEqual([]);
});

test("the README's contents line links every section of the README", () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const contents = /^\*\*Contents:\*\*([\s\S]*?)\n\n/m.exec(readme)?.[1];
  expect(contents).toBeDefined();
  const listed = [...contents!.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
  const sections = [...prose(readme).matchAll(/^## (.+)$/gm)].map((m) => m[1]);
  expect(sections.length).toBeGreaterThan(10);
  const slugs = [...anchors(sections.map((s) => `## ${s}`).join('\n'))];
  expect(listed).toEqual(slugs);
});

test.each(DOCS)('%s holds no CDK example that jsii-rosetta would not compile (they belong in the README)', (page) => {
  // (a block marked `<!-- example: <file> -->` shows a file of test/**/doc-examples/, type-checked
  // with the tests, which doc-examples.test.ts keeps equal to it)
  const text = fs.readFileSync(path.join(ROOT, page), 'utf8').replace(/^<!-- example: \S+ -->\n```ts\n[\s\S]*?^```/gm, '');
  expect(text.match(/^```(ts|typescript)\b.*$/gm) ?? []).toEqual([]);
});
