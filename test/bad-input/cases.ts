import { CORE_CASES, type BadInputCase } from './corpus.js';
import { DB_CASES } from './db-cases.js';

/** The whole corpus: each domain's cases in one list (counted in the README's reliability figures). */
export const ALL_CASES: BadInputCase[] = [...CORE_CASES, ...DB_CASES];
