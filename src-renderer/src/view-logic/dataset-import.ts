// Naming a dataset imported from IDX files. Pure, so tests cover it.

/** The id main accepts for a dataset name ("MNIST digits" → "mnist-digits"), or null. */
export function datasetSlug(name: string): string | null {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return slug ? slug : null;
}

/** "T-shirt, Trouser , ,Bag" → ['T-shirt', 'Trouser', 'Bag']. */
export function parseClassNames(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}
