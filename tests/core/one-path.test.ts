// One write path, one release rule: no code outside the core writes a layer's table, says who writes
// to the database, or decides on sensitive columns itself. A capability that grows its own copy of a
// rule fails here, naming the file and the line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LAYERS } from '../../geo/layers.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    return statSync(path.join(root, rel)).isDirectory() ? files(rel) : /\.(ts|mjs)$/.test(name) ? [rel] : [];
  });
}

const server = files('server');
const outsideCore = server.filter((f) => !f.startsWith(`server${path.sep}core${path.sep}`));

/** Lines of `file` that match `re`, as "file:line: text". */
function hits(list: string[], re: RegExp): string[] {
  return list.flatMap((f) => readFileSync(path.join(root, f), 'utf8').split('\n')
    .flatMap((line, i) => (re.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])));
}

describe('one write path', () => {
  it('finds the server\'s files', () => expect(outsideCore.length).toBeGreaterThan(40));

  it('no capability writes a layer table itself (INSERT / UPDATE / DELETE outside server/core/)', () => {
    const tables = [...new Set(LAYERS.map((l) => l.table))].join('|');
    const write = new RegExp(`\\b(INSERT\\s+INTO|UPDATE|DELETE\\s+FROM)\\s+("?)(${tables})\\2\\b`, 'i');
    expect(hits(outsideCore, write)).toEqual([]);
  });

  it('only the write path says who writes (zs.changed_by, zs.scope_areas)', () => {
    expect(hits(outsideCore.filter((f) => !f.startsWith(`server${path.sep}db${path.sep}`)), /declareWriter\(|zs\.changed_by|zs\.scope_areas/)).toEqual([]);
  });
});

describe('one release rule', () => {
  it('no code outside the core reads a layer\'s sensitive or sensitiveWhere declaration', () => {
    // a layer's declaration read (`layer.sensitive?.length`, `….sensitive ?? []`, `l.sensitiveWhere`),
    // not a reader's boolean (`opts.sensitive`)
    expect(hits(outsideCore, /\.sensitive(Where)?\b(\?\.|\.|\s*\?\?|\s*[!=]==)/)).toEqual([]);
  });
});
