// A child process for the two-writers test (never imported by the app).
//   writer-child <root> <who>
// Saves the model id 'shared' again and again as writer <who>, reading it back after each save,
// while another process does the same; prints every error it met and every mixed read.
import { ModelStore } from '../models';
import { artifactsOfBuilt, meta, tinyModel } from './model-fixtures';

const [root = '', who = 'a'] = process.argv.slice(2);
console.log(JSON.stringify(await saveAgainAndAgain(who)));

/** Writer `who` saves 'shared' 12 times; each read must give one whole version, its name matching its weights. */
async function saveAgainAndAgain(who: string): Promise<{ errors: string[]; mixed: number }> {
  const store = new ModelStore({ root, pickFolder: async () => null });
  const mine = await artifactsOfBuilt(tinyModel(who === 'a' ? 1 : 2));
  const theirs = await artifactsOfBuilt(tinyModel(who === 'a' ? 2 : 1));
  const errors: string[] = [];
  let mixed = 0;
  for (let i = 0; i < 12; i++) {
    try {
      await store.save({ meta: { ...meta(`${who}-${i}`), id: 'shared' }, ...mine });
      const loaded = await store.load('shared');
      const expected = loaded.meta.name.startsWith(who) ? mine : theirs;
      if (Buffer.compare(loaded.weights, expected.weights) !== 0) mixed++;
      if (i % 3 === 2) await store.updateMeta('shared', { pixelScale: 'unit' }); // a read-modify-commit
    } catch (err) {
      errors.push(`${(err as { code?: string }).code}: ${(err as Error).message}`);
    }
  }
  return { errors, mixed };
}
