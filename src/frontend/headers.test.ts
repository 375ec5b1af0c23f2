import { describe, expect, it } from 'vitest';
import { cacheControlResolver, contentTypeFor, IMMUTABLE, isHashedAsset, keyFor, NO_CACHE, parseCacheRule } from './headers.js';

describe('contentTypeFor', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['manifest.json', 'application/json; charset=utf-8'],
    ['static/js/main.1234abcd.js', 'text/javascript; charset=utf-8'],
    ['static/js/main.1234abcd.js.map', 'application/json; charset=utf-8'],
    ['static/css/main.1234abcd.css', 'text/css; charset=utf-8'],
    ['app.wasm', 'application/wasm'],
    ['fonts/a.woff2', 'font/woff2'],
    ['favicon.svg', 'image/svg+xml'],
    ['img/photo.JPG', 'image/jpeg'],
    ['logo.png', 'image/png'],
    ['site.webmanifest', 'application/manifest+json; charset=utf-8'],
    ['robots.txt', 'text/plain; charset=utf-8'],
    ['LICENSE', 'application/octet-stream'],
    ['.well-known/apple-app-site-association', 'application/json; charset=utf-8'],
    ['apple-app-site-association', 'application/json; charset=utf-8'],
    ['.well-known/assetlinks.json', 'application/json; charset=utf-8'],
    ['.well-known/openid-configuration', 'application/json; charset=utf-8'],
    ['.well-known/webfinger', 'application/jrd+json'],
    ['.well-known/host-meta', 'application/xrd+xml'],
    ['.well-known/unknown-thing', 'application/octet-stream'],
    ['service-worker.js', 'text/javascript; charset=utf-8'],
    ['asset-manifest.json', 'application/json; charset=utf-8'],
    ['weird.unknownext', 'application/octet-stream'],
  ])('%s -> %s', (file, type) => {
    expect(contentTypeFor(file)).toBe(type);
  });
});

describe('isHashedAsset', () => {
  it.each([
    ['static/js/main.3f2a1b4c.js', true],
    ['static/js/787.1a2b3c4d.chunk.js', true],
    ['static/media/logo.6ce24c58023cc2f8caf2.svg', true],
    ['static/js/main.js', false],
    ['main.3f2a1b4c.js', false],
    ['assets/index-BdV3x_9k.js', true],
    ['assets/logo.svg', false],
  ])('%s -> %s', (key, hashed) => {
    expect(isHashedAsset(key)).toBe(hashed);
  });
});

describe('cacheControlResolver', () => {
  const resolve = cacheControlResolver([parseCacheRule('*.json=public, max-age=60'), parseCacheRule('static/media/**=public, max-age=86400')]);
  it.each([
    ['index.html', 'index.html', NO_CACHE],
    ['about/index.html', 'about/index.html', NO_CACHE],
    ['about.html', 'about', NO_CACHE],
    ['static/js/main.3f2a1b4c.js', 'static/js/main.3f2a1b4c.js', IMMUTABLE],
    ['manifest.json', 'manifest.json', 'public, max-age=60'],
    ['static/media/logo.6ce24c58023cc2f8caf2.svg', 'static/media/logo.6ce24c58023cc2f8caf2.svg', 'public, max-age=86400'],
    ['robots.txt', 'robots.txt', NO_CACHE],
    // A CRA build with no options: only content-hashed files are cached, everything else revalidates.
    ['service-worker.js', 'service-worker.js', NO_CACHE],
    ['asset-manifest.json', 'asset-manifest.json', 'public, max-age=60'],
    ['static/js/787.1a2b3c4d.chunk.js', 'static/js/787.1a2b3c4d.chunk.js', IMMUTABLE],
    ['favicon.ico', 'favicon.ico', NO_CACHE],
  ])('%s -> %s', (file, key, value) => {
    expect(resolve(file, key)).toBe(value);
  });

  it('rejects a rule without a value', () => {
    expect(() => parseCacheRule('*.json')).toThrow(/Invalid --cache-control/);
    expect(() => parseCacheRule('=x')).toThrow(/Invalid --cache-control/);
    expect(() => parseCacheRule('max-age=60')).toThrow(/"60" is not a Cache-Control directive/);
    expect(() => parseCacheRule('*.js=public,, max-age=1')).toThrow(/"" is not a Cache-Control directive/);
    expect(parseCacheRule('*.js=public, max-age=31536000, immutable')).toEqual({ glob: '*.js', value: 'public, max-age=31536000, immutable' });
    expect(parseCacheRule('*.html=no-cache="Set-Cookie", s-maxage=0')).toEqual({ glob: '*.html', value: 'no-cache="Set-Cookie", s-maxage=0' });
  });
});

describe('the defaults with no rules (CRA build)', () => {
  const resolve = cacheControlResolver([]);
  it.each([
    ['index.html', NO_CACHE],
    ['service-worker.js', NO_CACHE],
    ['asset-manifest.json', NO_CACHE],
    ['manifest.json', NO_CACHE],
    ['robots.txt', NO_CACHE],
    ['static/js/main.3f2a1b4c.js', IMMUTABLE],
    ['static/css/main.3f2a1b4c.css', IMMUTABLE],
    ['static/media/logo.6ce24c58023cc2f8caf2.svg', IMMUTABLE],
    ['assets/index-BdV3x_9k.js', IMMUTABLE],
  ])('%s -> %s', (file, value) => {
    expect(resolve(file, file)).toBe(value);
  });
});

describe('keyFor', () => {
  it.each([
    ['about.html', false, 'about.html'],
    ['about.html', true, 'about'],
    ['index.html', true, 'index.html'],
    ['docs/index.html', true, 'docs/index.html'],
    ['my.html.backup/page.html', true, 'my.html.backup/page'],
    ['notes.html.txt', true, 'notes.html.txt'],
    ['static/js/main.js', true, 'static/js/main.js'],
  ])('%s (strip %s) -> %s', (file, stripHtml, key) => {
    expect(keyFor(file, { stripHtml })).toBe(key);
  });
});
