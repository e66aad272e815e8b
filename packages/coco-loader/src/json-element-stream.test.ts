import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonStructureError, streamJsonElements } from './json-element-stream.js';

const dir = mkdtempSync(join(tmpdir(), 'json-elements-'));
const file = (name: string, text: string | Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

async function collect(path: string, keys: string[], chunk: number) {
  const elements: [string, number, unknown][] = [];
  const values: [string, unknown][] = [];
  await streamJsonElements(
    path,
    new Set(keys),
    { element: (k, i, v) => elements.push([k, i, v]), value: (k, v) => values.push([k, v]) },
    chunk,
  );
  return { elements, values };
}

describe('streamJsonElements', () => {
  const doc = {
    info: { note: 'braces } ] in "strings" \\ and \u00e9\u4e2d\ud83d\ude00', n: [1, { x: [] }] },
    images: [
      { id: 1, name: 'a]}\\"' },
      { id: 2, nested: { deep: [[{}]] } },
    ],
    scalar: -1.5e3,
    flag: null,
    annotations: [],
    last: 'x',
  };
  const text = JSON.stringify(doc, null, 2);

  it('gives the same values as JSON.parse for every chunk size, across multi-byte characters', async () => {
    const p = file('doc.json', `\ufeff${text}`);
    for (const chunk of [1, 2, 3, 7, 64, 1 << 16]) {
      const { elements, values } = await collect(p, ['images', 'annotations'], chunk);
      expect(elements).toEqual([
        ['images', 0, doc.images[0]],
        ['images', 1, doc.images[1]],
      ]);
      expect(Object.fromEntries(values)).toEqual({
        info: doc.info,
        scalar: doc.scalar,
        flag: null,
        last: 'x',
      });
    }
  });

  it('streams a top-level array', async () => {
    const p = file('arr.json', JSON.stringify([{ a: 1 }, { b: '[' }]));
    const { elements } = await collect(p, [], 5);
    expect(elements.map((e) => e[2])).toEqual([{ a: 1 }, { b: '[' }]);
  });

  it('reports structure errors with a byte offset', async () => {
    for (const bad of [
      '{"images": [{"id": 1} {"id": 2}]}',
      '{"images": [1, 2]}',
      '{"a": 1,}',
      '[{"a": 1}',
      '{} x',
    ]) {
      const p = file('bad.json', bad);
      await expect(collect(p, ['images'], 4)).rejects.toThrow(/./);
    }
    await expect(
      collect(file('bad2.json', '{"images": [{"id": 1},]}'), ['images'], 4),
    ).rejects.toBeInstanceOf(JsonStructureError);
  });
});
