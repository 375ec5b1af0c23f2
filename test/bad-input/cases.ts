import { AVATAR_CASES } from './avatar-cases.js';
import { CORE_CASES, type BadInputCase } from './corpus.js';
import { DB_CASES } from './db-cases.js';
import { DDB_CASES } from './ddb-cases.js';
import { EXTRA_CASES } from './extra-cases.js';
import { FRONTEND_CASES } from './frontend-cases.js';
import { RDS_CASES } from './rds-cases.js';

/** Each domain's cases, counted in bench/RESULTS.md. */
export const CASES_BY_DOMAIN: Record<string, BadInputCase[]> = {
  'env/config/ecr/bootstrap/local': CORE_CASES,
  db: DB_CASES,
  'ddb/prepare': DDB_CASES,
  frontend: FRONTEND_CASES,
  avatar: AVATAR_CASES,
  rds: RDS_CASES,
  'config extras/local': EXTRA_CASES,
};

/** The whole corpus: each domain's cases in one list (counted in the README's reliability figures). */
export const ALL_CASES: BadInputCase[] = Object.values(CASES_BY_DOMAIN).flat();
