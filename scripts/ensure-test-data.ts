/**
 * `npm test` needs the real Fashion-MNIST. It uses the system copy (Debian's dataset-fashion-mnist,
 * or $FASHION_MNIST_DIR) when there is one; otherwise it fetches the dataset once, through the
 * app's own download (checksummed against the published MD5s), into a test cache under
 * node_modules/.cache. Prints one line; on success the last line is `FASHION_MNIST_DIR=<folder>`
 * (empty when the system copy serves), and the exit code is 0. Without the dataset (offline), it
 * says what is missing and how to get it, and exits with 2.
 *   npx tsx scripts/ensure-test-data.ts
 */
import { join, resolve } from 'node:path';
import { FASHION_MNIST } from '../src-main/services/dataset-catalog';
import { DatasetStore, defaultSystemDirs, fashionMnistFile } from '../src-main/services/datasets';

const CACHE = resolve(import.meta.dirname, '..', 'node_modules', '.cache', 'tailor-test-data');

async function main(): Promise<number> {
  if (Object.values(FASHION_MNIST.parts).every((p) => fashionMnistFile(p.file))) {
    console.log(`Fashion-MNIST: the system copy (${fashionMnistFile(FASHION_MNIST.parts.trainImages.file)?.replace(/\/[^/]*$/, '')})`);
    console.log('FASHION_MNIST_DIR=');
    return 0;
  }
  let shown = -1;
  const store = new DatasetStore({
    root: CACHE,
    systemDirs: defaultSystemDirs(),
    emit: (_event, p) => {
      const percent = Math.floor(p.fraction * 10) * 10;
      if (p.state === 'running' && percent > shown) process.stdout.write(`${(shown = percent)}% `);
    },
  });
  const dir = join(CACHE, FASHION_MNIST.id);
  if ((await store.status(FASHION_MNIST.id)).ready) {
    console.log(`Fashion-MNIST: the test cache (${dir})`);
  } else {
    process.stdout.write(`Fashion-MNIST is not installed: fetching it into ${dir} … `);
    try {
      await store.download(FASHION_MNIST.id);
      console.log('done, checksums verified');
    } catch (err) {
      console.log(
        `\nFashion-MNIST: missing and could not be fetched (${(err as Error).message}). Install it with ` +
          '`apt-get install dataset-fashion-mnist`, or set FASHION_MNIST_DIR to a folder holding its four files.',
      );
      return 2;
    }
  }
  console.log(`FASHION_MNIST_DIR=${dir}`);
  return 0;
}

process.exitCode = await main();
