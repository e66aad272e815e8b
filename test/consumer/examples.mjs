// README examples as a user would paste them: the ```ts block right after `<!-- example: consumer-test -->`,
// transpiled to an ES module and to CommonJS (the statements after the imports wrapped in an async function,
// so top-level await works in a .cjs file too).
import ts from 'typescript';

export const MARKER = '<!-- example: consumer-test -->';

/** The marked examples of a README (each run on its own), or an Error that says what is wrong with the README. */
export function extractExamples(markdown, readmePath) {
  const lines = markdown.split(/\r?\n/);
  const marks = lines.flatMap((line, i) => (line.trim() === MARKER ? [i] : []));
  if (marks.length === 0) {
    return new Error(
      `${readmePath} has no example marked for the consumer test (a ${MARKER} line right before a \`\`\`ts block)`,
    );
  }
  const examples = [];
  for (const mark of marks) {
    const open = mark + 1;
    if (!/^```(ts|typescript)\s*$/.test(lines[open] ?? '')) {
      return new Error(
        `${readmePath}:${open + 1}: the line after ${MARKER} must open a \`\`\`ts block, found ${JSON.stringify(lines[open] ?? '')}`,
      );
    }
    const close = lines.findIndex((line, i) => i > open && /^```\s*$/.test(line));
    if (close < 0) return new Error(`${readmePath}:${open + 1}: the marked \`\`\`ts block is not closed`);
    const code = `${lines.slice(open + 1, close).join('\n')}\n`;
    if (!/^\s*import\s/m.test(code))
      return new Error(`${readmePath}:${open + 1}: the marked example imports nothing`);
    examples.push({ code, line: open + 2 });
  }
  return examples;
}

/** The example with its leading import declarations kept and everything after them in an async IIFE. */
export function wrapForCommonJs(code) {
  const sf = ts.createSourceFile('example.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const firstBody = sf.statements.find((s) => !ts.isImportDeclaration(s) && !ts.isImportEqualsDeclaration(s));
  if (!firstBody) return code;
  const later = sf.statements.slice(sf.statements.indexOf(firstBody)).find((s) => ts.isImportDeclaration(s));
  if (later) throw new Error('the example has an import after its first statement; imports must come first');
  const split = firstBody.getFullStart();
  return (
    `${code.slice(0, split)}\n` +
    '(async () => {\n' +
    `${code.slice(split)}\n` +
    '})().catch((error) => {\n' +
    '  console.error(error);\n' +
    '  process.exit(1);\n' +
    '});\n'
  );
}

function transpile(code, fileName, module) {
  const out = ts.transpileModule(code, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: {
      module,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      verbatimModuleSyntax: false,
      sourceMap: false,
    },
  });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) {
    throw new Error(
      `${fileName}: ${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n')}`,
    );
  }
  return out.outputText;
}

/** { mts, cts, mjs, cjs }: the sources for the type check and the two programs to run. */
export function buildVariants(code) {
  const cts = wrapForCommonJs(code);
  return {
    mts: code,
    cts,
    mjs: transpile(code, 'example.mts', ts.ModuleKind.ESNext),
    cjs: transpile(cts, 'example.cts', ts.ModuleKind.CommonJS),
  };
}

/**
 * Type-checks the example files against the installed packages (module and moduleResolution nodenext, so
 * .mts files see the `import` types and .cts files the `require` types). Library checking is on so that an
 * error inside a published @bioprop d.ts is reported; errors inside other packages' d.ts are not ours and
 * are left out. Returns [{ file, text }] (file is null for a diagnostic about the options).
 */
export function typecheck(files, projectDir) {
  const options = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    typeRoots: [`${projectDir}/node_modules/@types`],
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    esModuleInterop: true,
  };
  const program = ts.createProgram(files, options);
  const ours = (name) => files.includes(name) || /[\\/]node_modules[\\/]@bioprop[\\/]/.test(name);
  const host = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => projectDir,
    getNewLine: () => '\n',
  };
  const seen = new Set();
  const found = [];
  for (const d of [...program.getOptionsDiagnostics(), ...ts.getPreEmitDiagnostics(program)]) {
    if (d.category !== ts.DiagnosticCategory.Error) continue;
    if (d.file && !ours(d.file.fileName)) continue;
    const text = ts.formatDiagnostic(d, host).trimEnd();
    if (seen.has(text)) continue;
    seen.add(text);
    found.push({ file: d.file?.fileName ?? null, text });
  }
  return found;
}
