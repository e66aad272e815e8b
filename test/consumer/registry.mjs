// A tiny npm registry on the loopback interface that serves packed tarballs, one version per package:
// GET <base>/<name> (name URL-encoded or not) answers a packument built from the tarball's own package.json,
// GET <base>/-/<file>.tgz answers the tarball. Anything else is a 404. Only used for one scope (npm's
// `--@scope:registry=`), so every other package still comes from the user's normal registry.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Reads one file out of a .tgz (ustar, as `npm pack` writes it) without unpacking the rest. */
export function readFileFromTarball(tgzPath, wanted) {
  const tar = gunzipSync(readFileSync(tgzPath));
  let longName = null;
  for (let off = 0; off + 512 <= tar.length; ) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start, len) =>
      header
        .subarray(start, start + len)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    let name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = null;
    const body = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    if (type === 'x' || type === 'g') continue; // pax headers: npm pack does not need them for these names
    name = name.replace(/^\.\//, '');
    if (name === wanted) return body;
  }
  throw new Error(`${wanted} is not in ${tgzPath}`);
}

/**
 * Starts the registry for the given tarballs. Returns { url, close, packages } where url ends with '/'
 * and holds a per-run path segment, so npm's cache can never answer a request of an earlier run.
 */
export async function startRegistry(tarballs, { log = () => {} } = {}) {
  const run = randomBytes(6).toString('hex');
  const byName = new Map();
  const byFile = new Map();
  for (const tgz of tarballs) {
    const manifest = JSON.parse(readFileFromTarball(tgz, 'package/package.json').toString('utf8'));
    const bytes = readFileSync(tgz);
    const file = basename(tgz);
    byFile.set(file, tgz);
    byName.set(manifest.name, {
      manifest,
      file,
      integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
      shasum: createHash('sha1').update(bytes).digest('hex'),
    });
  }

  let base = '';
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const prefix = `/${run}/`;
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'read-only registry' });
    if (!path.startsWith(prefix)) return send(res, 404, { error: 'not found' });
    const rest = path.slice(prefix.length);
    if (rest.startsWith('-/')) {
      const tgz = byFile.get(rest.slice(2));
      if (!tgz) return send(res, 404, { error: 'no such tarball' });
      log(`registry: GET tarball ${rest.slice(2)}`);
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': statSync(tgz).size,
      });
      if (req.method === 'HEAD') return res.end();
      return createReadStream(tgz).pipe(res);
    }
    const entry = byName.get(rest);
    if (!entry) return send(res, 404, { error: `${rest} is not served here` });
    log(`registry: GET packument ${rest}`);
    const { manifest, file, integrity, shasum } = entry;
    const version = {
      ...manifest,
      _id: `${manifest.name}@${manifest.version}`,
      dist: { tarball: `${base}-/${encodeURIComponent(file)}`, integrity, shasum },
    };
    return send(res, 200, {
      _id: manifest.name,
      name: manifest.name,
      'dist-tags': { latest: manifest.version },
      versions: { [manifest.version]: version },
      time: { [manifest.version]: new Date().toISOString() },
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  server.unref(); // never keeps the test process alive on its own
  const { address, port } = server.address();
  if (address !== '127.0.0.1') throw new Error(`registry bound to ${address}, not loopback`);
  base = `http://127.0.0.1:${port}/${run}/`;
  return {
    url: base,
    packages: [...byName.values()].map((e) => e.manifest),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
