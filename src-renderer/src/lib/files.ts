// Files the user picked or dropped → the { name, bytes } payload main takes (never a path).

export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

export function readFiles(files: readonly (Blob & { name: string })[]): Promise<NamedBytes[]> {
  return Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
}
