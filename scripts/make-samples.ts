// Writes the sample pictures offered on the Classify view (and used by its drop test) into
// resources/samples/: Fashion-MNIST test images as they are (light on black, 4× upscaled) and as
// white-background product shots, each named after its class and test-set index, plus a
// truncated PNG. Deterministic: the first test image of each class is used.
// Run: npx tsx scripts/make-samples.ts
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { FASHION_MNIST_CLASSES } from '../src-shared/types/dataset';
import { readIdxFile } from '../src-main/services/idx';
import { grayImage } from '../src-renderer/src/classify/image';
import { encodePng } from '../src-renderer/src/classify/png';
import { renderAsProduct } from '../src-renderer/src/classify/render';

const DATASET = '/usr/share/datasets/fashion-mnist';
const OUT = join(import.meta.dirname, '..', 'resources', 'samples');
type ClassName = (typeof FASHION_MNIST_CLASSES)[number];
const AS_IS: ClassName[] = ['T-shirt/top', 'Pullover', 'Coat', 'Sandal'];
const PRODUCT: ClassName[] = ['Trouser', 'Dress', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot', 'Pullover'];
const deflate = (bytes: Uint8Array): Uint8Array => deflateSync(bytes, { level: 9 });

const slug = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** Each 28×28 pixel as a factor×factor block: the dataset image exactly, only bigger. */
function enlarge(gray28: Uint8Array, factor: number): Float32Array {
  const side = 28 * factor;
  const out = new Float32Array(side * side);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) out[y * side + x] = gray28[Math.floor(y / factor) * 28 + Math.floor(x / factor)]!;
  return out;
}

async function main(): Promise<void> {
  const images = await readIdxFile(join(DATASET, 't10k-images-idx3-ubyte.gz'), { expect: 'images' });
  const labels = await readIdxFile(join(DATASET, 't10k-labels-idx1-ubyte.gz'), { expect: 'labels', classCount: 10 });
  const firstOf = (name: ClassName): number => labels.data.indexOf(FASHION_MNIST_CLASSES.indexOf(name));
  const pixels = (i: number): Uint8Array => images.data.subarray(i * 784, (i + 1) * 784);
  await mkdir(OUT, { recursive: true });
  const written: string[] = [];
  const save = async (file: string, bytes: Uint8Array): Promise<void> => {
    await writeFile(join(OUT, file), bytes);
    written.push(`${file} (${bytes.length} B)`);
  };
  for (const name of AS_IS) {
    const i = firstOf(name);
    await save(`dataset-${slug(name)}-${i}.png`, encodePng(grayImage(112, 112, enlarge(pixels(i), 4)), deflate));
  }
  let product: Uint8Array = new Uint8Array(0);
  for (const name of PRODUCT) {
    const i = firstOf(name);
    product = encodePng(renderAsProduct(pixels(i), 280), deflate);
    await save(`product-${slug(name)}-${i}.png`, product);
  }
  // A valid header over half the data: sniffing passes, decoding must fail politely.
  await save('broken.png', product.subarray(0, Math.floor(product.length / 2)));
  console.log(`wrote ${written.length} files to ${OUT}:\n  ${written.join('\n  ')}`);
}

await main();
