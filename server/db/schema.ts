// Kysely's view of the schema in migrations/: every table's types are generated from the live schema
// into types.ts (`npm run db:types`, settings in .kysely-codegenrc.json; tests/server/db-types.test.ts
// fails when it is out of date), none written by hand. Geometry columns come as the hex EWKB string pg
// returns; queries that need geometry use PostGIS functions through sql``.
import type { DB } from './types.ts';

export type Database = DB;
