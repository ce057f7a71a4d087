// A child process for crash-injection tests (never imported by the app).
//   crash-child <root> <killAt>
// Counts the file-system calls a replacing dataset import makes and, at call number <killAt>,
// kills itself with SIGKILL — the closest a test gets to pulling the plug at that exact point.
// With 0 it runs to the end and prints how many calls there were.
import { promises as fs } from 'node:fs';
import { DatasetStore } from '../datasets';
import { datasetVersion } from './fault-fixtures';

const [root = '', killAtArg = '0'] = process.argv.slice(2);
const killAt = Number(killAtArg);
let calls = 0;

function count(): void {
  if (++calls === killAt) process.kill(process.pid, 'SIGKILL');
}

/** Wraps every method of `target` named in `names` so each call is counted first. */
function instrument(target: object, names: string[]): void {
  const methods = target as Record<string, (...args: unknown[]) => unknown>;
  for (const name of names) {
    const original = methods[name]!;
    methods[name] = function (this: unknown, ...args: unknown[]) {
      count();
      return original.apply(this, args);
    };
  }
}

instrument(fs, ['open', 'rename', 'link', 'copyFile', 'mkdir', 'rm', 'unlink', 'writeFile']);
const probe = await fs.open(process.execPath, 'r');
instrument(Object.getPrototypeOf(probe), ['write', 'writeFile', 'sync', 'close']);
await probe.close();
calls = 0;

const store = new DatasetStore({ root, systemDirs: [], emit: () => undefined, catalog: [] });
await store.import({ id: 'digits', name: 'Digits v2', files: datasetVersion(2).files });
console.log(JSON.stringify({ calls }));
