// Types of recorded runs, derived from their schemas (schemas/run.ts).
import type { z } from 'zod';
import type { epochMetricsSchema, runRecordSchema, runStateSchema, testMetricsSchema } from '../schemas/run';

export type EpochMetrics = z.infer<typeof epochMetricsSchema>;
export type TestMetrics = z.infer<typeof testMetricsSchema>;
export type RunState = z.infer<typeof runStateSchema>;
export type RunRecord = z.infer<typeof runRecordSchema>;

/** What runs:list gives: a run without its layers and per-epoch history. */
export type RunSummary = Omit<RunRecord, 'layers' | 'history'> & { epochs: number; bestValAcc: number | null };
