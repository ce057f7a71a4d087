// A dataset made from photos (photos:* channels): per-file records beside the usual IDX parts.
import type { z } from 'zod';
import type { photoAddSchema, photoItemSchema } from '../schemas/photo-dataset';

export type PhotoItem = z.infer<typeof photoItemSchema>;
/** photos:add's request. */
export type PhotoAdd = z.infer<typeof photoAddSchema>;

export type PhotoSplit = PhotoItem['split'];

/** One file of a photo dataset as main keeps it. */
export interface PhotoRecord {
  /** Relative path inside the imported folder, '/'-separated (never a path on this machine). */
  path: string;
  /** SHA-256 of the file: what makes a later import skip it. */
  hash: string;
  split: PhotoSplit;
  /** Its label name: the class (own classes) or the folder (mapped onto a model's classes). */
  label: string;
  /** Why it is not used; null when it is. */
  reason: string | null;
  /** Its thumbnail in the `thumbs` bytes of photos:get, [offset, length]; null when there is none. */
  thumb: [number, number] | null;
  /** Its 28×28 in the `images` bytes of photos:get (index × 784); null when it is not used. */
  image: number | null;
}

/** photos:get's answer: the dataset's naming, every record, and the pictures they point into. */
export interface PhotoDatasetView {
  id: string;
  name: string;
  /** The model's outputs. */
  classNames: string[];
  /** With folders mapped onto classes: label names (folders) and the classes each allows. */
  labelNames: string[] | null;
  allowed: number[][] | null;
  /** False when nothing was held out: the test part is then the training photos. */
  heldOut: boolean;
  records: PhotoRecord[];
  /** Files of the imported folders that were not prepared (not an image, a duplicate, a folder left out), with why. */
  skipped: { path: string; reason: string }[];
  /** Concatenated JPEG thumbnails. */
  thumbs: Uint8Array;
  /** Used photos' 28×28 pictures, 784 bytes each. */
  images: Uint8Array;
}
