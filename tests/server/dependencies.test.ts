// Dependencies point one way: web → geo and server → geo. geo/ is imported by both, so it must not
// reach into either side nor need Node; the client must not reach into the server (not even for types:
// the server's modules are the place its queries change). Read from the sources, no server needed.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCE = /\.(ts|mts|mjs|js|svelte)$/;

interface Import {
  /** the importing file, from the project root */
  file: string;
  specifier: string;
  /** a relative specifier resolved from the project root; bare ones (packages) as written */
  target: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && SOURCE.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .sort();
}

/** Every import, export-from and import('…') of a source, type-only ones included; comments and strings are not code. */
function specifiers(source: string, file: string): string[] {
  // a component imports only from its <script> blocks
  const code = file.endsWith('.svelte')
    ? [...source.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n')
    : source;
  return ts.preProcessFile(code, true, true).importedFiles.map((f) => f.fileName);
}

function importsOf(dir: string): Import[] {
  return sourceFiles(dir).flatMap((file) =>
    specifiers(readFileSync(join(ROOT, file), 'utf8'), file).map((specifier) => ({
      file,
      specifier,
      target: specifier.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), specifier)) : specifier,
    })));
}

const within = (target: string, dir: string) => target === dir || target.startsWith(`${dir}/`);
const shown = (list: Import[]) => list.map((i) => `${i.file}: ${i.specifier}`);

const NODE_ONLY = ['pg', 'fastify', 'better-sqlite3', 'pino', 'playwright-core'];
const nodeOnly = (s: string) =>
  s.startsWith('node:') || s.startsWith('@fastify/') || builtinModules.includes(s.split('/')[0])
  || NODE_ONLY.some((p) => s === p || s.startsWith(`${p}/`));

describe('dependencies point one way: web → geo, server → geo', () => {
  const server = importsOf('server');
  const web = importsOf('web/src');
  const geo = importsOf('geo');

  it('reads static, type-only, re-exported and dynamic imports, and those of components', () => {
    const source = `// import x from '../web/in-a-comment.ts'
      import type { A } from './a.ts';
      import {
        b,
      } from "./b.ts";
      export { c } from './c.ts';
      export type { D } from './d.ts';
      const s = "import z from './in-a-string.ts'";
      const e = await import('./e.ts');`;
    expect(specifiers(source, 'x.ts')).toEqual(['./a.ts', './b.ts', './c.ts', './d.ts', './e.ts']);
    expect(specifiers(`<script lang="ts">\n  import F from './F.svelte';\n</script>\n<p>import g from './g.ts'</p>`, 'x.svelte'))
      .toEqual(['./F.svelte']);
    // the files are there: a scan that found nothing would pass every rule
    expect(server.some((i) => i.file === 'server/exchange/export-worker.mjs')).toBe(true);
    expect(web.some((i) => i.file.endsWith('.svelte') && within(i.target, 'geo'))).toBe(true);
    expect(geo.length).toBeGreaterThan(0);
  });

  it('server/ imports nothing from web/', () => {
    expect(shown(server.filter((i) => within(i.target, 'web')))).toEqual([]);
  });

  it('web/src imports nothing from server/, not even types', () => {
    expect(shown(web.filter((i) => within(i.target, 'server')))).toEqual([]);
  });

  it('geo/ imports nothing from server/ or web/', () => {
    expect(shown(geo.filter((i) => within(i.target, 'server') || within(i.target, 'web')))).toEqual([]);
  });

  it('geo/ imports no node-only module', () => {
    expect(shown(geo.filter((i) => nodeOnly(i.specifier)))).toEqual([]);
  });
});

describe('capabilities are thin plugins over the core: none imports another', () => {
  const CAPABILITIES = ['accounts', 'changes', 'conflicts', 'exchange', 'features', 'health', 'map', 'metrics', 'print', 'procedure', 'progress', 'tiles'];
  const server = importsOf('server');

  it('knows every capability folder', () => {
    const folders = readdirSync(join(ROOT, 'server'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(folders.filter((f) => !['core', 'db'].includes(f)).sort()).toEqual(CAPABILITIES);
  });

  it.each(CAPABILITIES)('server/%s imports no other capability (only server/core, server/db, geo)', (cap) => {
    const own = server.filter((i) => within(i.file, `server/${cap}`));
    expect(own.length).toBeGreaterThan(0);
    const others = own.filter((i) => CAPABILITIES.some((c) => c !== cap && within(i.target, `server/${c}`)));
    expect(shown(others)).toEqual([]);
  });

  it('the core imports no capability', () => {
    const core = server.filter((i) => within(i.file, 'server/core'));
    expect(shown(core.filter((i) => CAPABILITIES.some((c) => within(i.target, `server/${c}`))))).toEqual([]);
  });
});
