// The CQL2 text parser (geo/cql2.ts), on its own: each named fixture of tests/fixtures/cql2/parse.json
// is a filter and the AST it reads to, or a filter and the refusal it gets — what was expected, and
// at which (1-based) character.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Cql2Error, parseCql2 } from '../../geo/cql2.ts';

interface Fixtures {
  parses: { name: string; text: string; ast: unknown }[];
  refuses: { name: string; text: string; message: string; position: number }[];
}
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/cql2/parse.json', import.meta.url), 'utf8')) as Fixtures;

describe('CQL2 text → AST', () => {
  for (const f of fixtures.parses) {
    it(f.name, () => {
      expect(parseCql2(f.text)).toEqual(f.ast);
    });
  }
});

describe('CQL2 text refused, naming what was expected and where', () => {
  for (const f of fixtures.refuses) {
    it(f.name, () => {
      let error: unknown;
      try {
        parseCql2(f.text);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(Cql2Error);
      expect((error as Cql2Error).message).toBe(f.message);
      expect((error as Cql2Error).position).toBe(f.position);
    });
  }
});
