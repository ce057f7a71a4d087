// The folder a store keeps its files in, opened once: created if missing and swept of what a crash
// left (temp files, folders moved aside) before the first read. A failed open is retried on the
// next call rather than remembered.
import { promises as fs } from 'node:fs';
import { sweepTemp } from './atomic';
import { fsError } from './errors';

export class StoreFolder {
  #opened: Promise<void> | null = null;

  constructor(
    readonly root: string,
    /** Names the folder in an error: 'the models folder'. */
    private readonly what: string,
  ) {}

  ready(): Promise<void> {
    this.#opened ??= (async () => {
      await fs.mkdir(this.root, { recursive: true });
      await sweepTemp(this.root);
    })().catch((err: unknown) => {
      this.#opened = null;
      throw fsError(err, `Opening ${this.what}`);
    });
    return this.#opened;
  }
}
