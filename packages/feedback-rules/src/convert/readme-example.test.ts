import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tfjs from '@tensorflow/tfjs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as feedbackRules from '../index';

// The README's conversion example (the ```ts block after this marker), type-checked against the package's
// sources and run. The consumer test runs the README's other example from the packed package.
const MARKER = '<!-- example: to-feedback-model -->';
const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..', '..');

function example(): string {
  const lines = readFileSync(join(packageDir, 'README.md'), 'utf8').split('\n');
  const open = lines.findIndex((l) => l.trim() === MARKER) + 1;
  expect(open, `README.md has no ${MARKER}`).toBeGreaterThan(0);
  expect(lines[open]).toBe('```ts');
  const close = lines.findIndex((l, i) => i > open && l.trim() === '```');
  return lines.slice(open + 1, close).join('\n');
}

/** Type errors of the example, with `@bioprop/feedback-rules` resolved to this package's sources. */
function typeErrors(code: string): string[] {
  const file = join(here, 'readme-example.virtual.ts');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    paths: { '@bioprop/feedback-rules': [join(packageDir, 'src', 'index.ts')] },
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === file ? ts.createSourceFile(name, code, version) : read(name, version, ...rest);
  const base = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || base(name);
  const program = ts.createProgram([file], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => ts.formatDiagnostic(d, { ...host, getNewLine: () => '\n' }).trim());
}

/** Runs the example as a CommonJS module body inside an async function (for its top-level awaits). */
async function run(code: string): Promise<void> {
  const js = ts.transpileModule(code, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
  }).outputText;
  const modules: Record<string, unknown> = {
    'node:assert/strict': assert,
    '@tensorflow/tfjs': tfjs,
    '@bioprop/feedback-rules': feedbackRules,
  };
  const require = (name: string) => {
    if (!(name in modules))
      throw new Error(`the README example imports '${name}', which this test does not provide`);
    return modules[name];
  };
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
  await new AsyncFunction('require', 'exports', 'module', js)(require, {}, { exports: {} });
}

describe('README: converting a tfjs model', () => {
  it('type-checks', () => {
    expect(typeErrors(example())).toEqual([]);
  });

  it('loads a model, converts it to ss, trains it with model.fit, saves and reloads it', async () => {
    await tfjs.setBackend('cpu');
    await run(example());
  });
});
