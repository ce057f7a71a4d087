// Drawing dataset images (uint8, 0 = black background) onto canvases.

/** Writes one 28×28 (rows×cols) grayscale image into a canvas of the same size. */
export function drawGray(canvas: HTMLCanvasElement, pixels: Uint8Array, offset: number, rows: number, cols: number): void {
  canvas.width = cols;
  canvas.height = rows;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(cols, rows);
  const n = rows * cols;
  for (let i = 0; i < n; i++) {
    const v = pixels[offset + i] ?? 0;
    img.data[i * 4] = v;
    img.data[i * 4 + 1] = v;
    img.data[i * 4 + 2] = v;
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** Draws a Float32Array image in [0,1] (what the model sees), optionally tinted by a heat map. */
export function drawUnit(canvas: HTMLCanvasElement, values: Float32Array, rows: number, cols: number, heat?: Float32Array): void {
  canvas.width = cols;
  canvas.height = rows;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(cols, rows);
  for (let i = 0; i < rows * cols; i++) {
    const v = Math.round(Math.min(1, Math.max(0, values[i] ?? 0)) * 255);
    const h = heat ? Math.min(1, Math.max(0, heat[i] ?? 0)) : 0;
    img.data[i * 4] = Math.round(v * (1 - h) + 255 * h);
    img.data[i * 4 + 1] = Math.round(v * (1 - h) + 80 * h);
    img.data[i * 4 + 2] = Math.round(v * (1 - h) + 40 * h);
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}
