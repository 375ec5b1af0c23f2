import { describe, expect, it } from 'vitest';
import { assertNoSecrets, registerSecret } from './cli.js';

describe('secret checks of CLI output', () => {
  it('fails on a secret this file registered and on the built-in ones, not on other text', () => {
    registerSecret('Reg1stered-In-This-File');
    expect(() => assertNoSecrets('token Reg1stered-In-This-File here')).toThrow(/leaked in output/);
    expect(() => assertNoSecrets('postgresql://u:password@h/db')).toThrow(/leaked/);
    expect(() => assertNoSecrets('nothing secret here')).not.toThrow();
  });
});
