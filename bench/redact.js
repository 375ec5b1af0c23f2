#!/usr/bin/env node
// The --json redaction of a large document (a 20,000-file frontend sync changeset, 12 registered secrets):
// redacting each string before serialising (Redactor.redactValue, what --json does) against the text pass it
// replaced (redact the serialised text, then parse; broke on `\"`), alternating runs, medians, ratio.
// With nothing to hide anywhere in the document redactValue returns after one gate test of the serialised text.
// Usage: npm run build && node bench/redact.js [runs=9] [files=20000]
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const { Redactor } = await import(pathToFileURL(join(repo, 'dist', 'core', 'redact.js')).href);
const runs = Number(process.argv[2] ?? 9);
const count = Number(process.argv[3] ?? 20_000);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const redactor = new Redactor();
for (let i = 0; i < 12; i++) redactor.add(`registered-secret-${i}-${'x'.repeat(i)}`);
const files = Array.from({ length: count }, (_, i) => ({
  key: `static/js/chunk-${i}.3f9a1c.js`,
  action: i % 3 === 0 ? 'upload' : 'skip',
  size: 1000 + i,
  etag: `"d41d8cd98f00b204e9800998ecf8${String(i).padStart(4, '0')}"`,
  contentType: 'application/javascript',
}));
const doc = { changeset: { bucket: 'cruddur-site', files, invalidation: { paths: ['/*'] } } };
// The same with one string that needs redacting: no shortcut, every string is visited.
const withSecret = { ...doc, endpoint: 'postgresql://u:registered-secret-3-xxx@h/db' };

const cases = {
  'text pass (before)': () => JSON.parse(redactor.redact(JSON.stringify(doc))),
  'redactValue (each string)': () => redactor.redactValue(doc),
  'text pass, one secret': () => JSON.parse(redactor.redact(JSON.stringify(withSecret))),
  'redactValue, one secret': () => redactor.redactValue(withSecret),
};
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let r = 0; r < runs; r++) {
  for (const [name, fn] of Object.entries(cases)) {
    const start = process.hrtime.bigint();
    fn();
    times[name].push(Number(process.hrtime.bigint() - start) / 1e6);
  }
}
const base = median(times['text pass (before)']);
for (const [name, xs] of Object.entries(times)) console.log(`${name.padEnd(28)} median ${median(xs).toFixed(1)} ms  (x${(median(xs) / base).toFixed(2)})`);
