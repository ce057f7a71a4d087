// A small JPEG of a picture the user dropped (a corrected photo joins the Corrections dataset with
// it), drawn by the browser: decoded at thumbnail size, never at full size.
import { PHOTO_LIMITS } from '../../../src-shared/limits';

/** Long side of a thumbnail, px: sharp at 48 CSS px on a 2× screen. */
export const THUMB_SIDE = 96;

export async function thumbnailOf(blob: Blob): Promise<Uint8Array | null> {
  if (typeof createImageBitmap === 'undefined' || typeof OffscreenCanvas === 'undefined') return null;
  try {
    const probe = await createImageBitmap(blob, { imageOrientation: 'from-image' });
    const k = Math.min(1, THUMB_SIDE / Math.max(probe.width, probe.height));
    const [w, h] = [Math.max(1, Math.round(probe.width * k)), Math.max(1, Math.round(probe.height * k))];
    const canvas = new OffscreenCanvas(w, h);
    const ctx = canvas.getContext('2d');
    if (!ctx) return null;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(probe, 0, 0, w, h);
    probe.close();
    for (const quality of [0.75, 0.5]) {
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality })).arrayBuffer());
      if (bytes.byteLength <= PHOTO_LIMITS.thumbBytes) return bytes;
    }
    return null;
  } catch {
    return null;
  }
}
