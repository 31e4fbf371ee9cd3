#!/usr/bin/env node
// Builds the web front-end for `coalition serve`:
//   node build.mjs [--outdir DIR] [--typecheck]
// writes DIR/index.html, DIR/app-<hash>.js and DIR/app-<hash>.css (content-hashed, minified,
// no source maps), prints the size of the JavaScript gzipped, and fails when it is over the
// budget. --typecheck runs `tsc --noEmit` first and fails on a type error.
// Node 18 or newer (Debian 12's node), nothing else: only node: modules and esbuild.
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const BUDGET_GZIP_BYTES = 200 * 1024;

function usage(message) {
  if (message) console.error(`build.mjs: ${message}`);
  console.error('usage: node build.mjs [--outdir DIR] [--typecheck]');
  process.exit(2);
}

function parseArgs(argv) {
  const options = { outdir: path.join(here, 'dist'), typecheck: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--typecheck') options.typecheck = true;
    else if (arg === '--outdir') {
      const value = argv[++i];
      if (!value) usage('--outdir needs a directory');
      options.outdir = path.resolve(value);
    } else if (arg.startsWith('--outdir=')) options.outdir = path.resolve(arg.slice('--outdir='.length));
    else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown argument ${arg}`);
  }
  return options;
}

function typecheck() {
  const require = createRequire(import.meta.url);
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', path.join(here, 'tsconfig.json')], {
    stdio: 'inherit',
    cwd: here,
  });
  if (result.status !== 0) {
    console.error('build.mjs: type check failed');
    process.exit(1);
  }
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** index.html: the stylesheet and the module script, nothing inline (the server's CSP). */
function indexHtml(js, css) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Coalition</title>
<link rel="stylesheet" href="/${css}">
<script type="module" src="/${js}"></script>
</head>
<body>
<noscript><p>Coalition needs JavaScript to run in this browser.</p></noscript>
<div id="app"></div>
</body>
</html>
`;
}

/** Removes what an earlier build wrote (only our own names: the directory may hold other files). */
async function clean(outdir) {
  let names = [];
  try {
    names = await readdir(outdir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name === 'index.html' || /^app-[A-Za-z0-9]+\.(js|css)(\.map)?$/.test(name)) {
      await rm(path.join(outdir, name), { force: true });
    }
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.typecheck) typecheck();

  const result = await esbuild.build({
    absWorkingDir: here,
    entryPoints: { app: 'src/main.tsx' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { 'process.env.NODE_ENV': '"production"' },
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    outdir: options.outdir,
    write: false,
    metafile: true,
    logLevel: 'warning',
  });

  const outputs = result.outputFiles.map((file) => ({
    name: path.basename(file.path),
    contents: file.contents,
  }));
  const js = outputs.filter((o) => o.name.endsWith('.js'));
  const css = outputs.filter((o) => o.name.endsWith('.css'));
  const other = outputs.filter((o) => !o.name.endsWith('.js') && !o.name.endsWith('.css'));
  if (js.length !== 1 || css.length !== 1 || other.length !== 0) {
    console.error(`build.mjs: expected one .js and one .css, got ${outputs.map((o) => o.name).join(', ')}`);
    process.exit(1);
  }

  await mkdir(options.outdir, { recursive: true });
  await clean(options.outdir);
  for (const output of outputs) await writeFile(path.join(options.outdir, output.name), output.contents);
  await writeFile(path.join(options.outdir, 'index.html'), indexHtml(js[0].name, css[0].name));

  const jsBytes = js[0].contents.length;
  const jsGzip = gzipSync(js[0].contents, { level: 9 }).length;
  const cssBytes = css[0].contents.length;
  const cssGzip = gzipSync(css[0].contents, { level: 9 }).length;
  console.log(`build.mjs: wrote ${path.relative(process.cwd(), options.outdir) || '.'}/`);
  console.log(`  index.html`);
  console.log(`  ${js[0].name}  ${kib(jsBytes)}, ${kib(jsGzip)} gzipped`);
  console.log(`  ${css[0].name}  ${kib(cssBytes)}, ${kib(cssGzip)} gzipped`);
  console.log(`JavaScript on first load: ${jsGzip} bytes gzipped (budget ${BUDGET_GZIP_BYTES})`);
  if (jsGzip > BUDGET_GZIP_BYTES) {
    console.error(
      `build.mjs: the JavaScript is ${kib(jsGzip)} gzipped, over the ${kib(BUDGET_GZIP_BYTES)} budget`,
    );
    process.exit(1);
  }
}

main().catch((err) => {
  // esbuild has printed its errors already.
  if (!(err && err.errors)) console.error(err);
  process.exit(1);
});
