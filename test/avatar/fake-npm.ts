/**
 * A fake `npm` first on PATH: it records its arguments and working folder, then lays out
 * node_modules the way the mode says (a real install would need the registry).
 */
export const FAKE_NPM = `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
fs.appendFileSync(process.env.FAKE_NPM_LOG, JSON.stringify({ args: process.argv.slice(2), cwd: process.cwd() }) + '\\n');
const mode = process.env.FAKE_NPM_MODE || 'ok';
if (mode === 'fail') { console.error('npm ERR! code E404'); console.error('npm ERR! 404 Not Found - sharp'); process.exit(1); }
const write = (name, json) => {
  const dir = path.join('node_modules', ...name.split('/'));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(json));
};
write('sharp', { name: 'sharp', version: '0.34.5', optionalDependencies: { '@img/sharp-linux-x64': '0.34.5', '@img/sharp-libvips-linux-x64': '1.2.4' } });
if (mode !== 'no-binary') {
  write('@img/sharp-linux-x64', { name: '@img/sharp-linux-x64', version: mode === 'mismatch' ? '0.33.1' : '0.34.5' });
  write('@img/sharp-libvips-linux-x64', { name: '@img/sharp-libvips-linux-x64', version: '1.2.4' });
}
`;

