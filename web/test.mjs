#!/usr/bin/env node
// Runs the unit tests (tests/*.test.ts) with node:test: esbuild bundles each for Node into a
// temporary directory, then `node --test` runs them. Node 18 or newer.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const testsDir = path.join(here, 'tests');
const names = (await readdir(testsDir)).filter((n) => n.endsWith('.test.ts') || n.endsWith('.test.tsx'));
const out = await mkdtemp(path.join(tmpdir(), 'coalition-web-tests-'));
try {
  await esbuild.build({
    absWorkingDir: here,
    entryPoints: names.map((n) => path.join('tests', n)),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    outdir: out,
    outExtension: { '.js': '.mjs' },
    jsx: 'automatic',
    jsxImportSource: 'preact',
    external: ['node:*'],
    logLevel: 'warning',
  });
  const files = (await readdir(out)).filter((n) => n.endsWith('.mjs')).map((n) => path.join(out, n));
  const result = spawnSync(process.execPath, ['--test', ...files], { stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
} finally {
  await rm(out, { recursive: true, force: true });
}
