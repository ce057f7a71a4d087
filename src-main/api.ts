// The contract's implementation, independent of the transport: Electron's ipcMain (ipc.ts) and the
// e2e test server (e2e/server/) both call `dispatch`, so the tests exercise the same code path.
import {
  CHANNELS,
  splitChannel,
  type AppError,
  type Channel,
  type EventName,
  type Events,
  type Group,
  type Op,
  type Req,
  type Res,
  type Result,
} from '../src-shared/contract';
import { TailorError } from './services/errors';
import { channelSchemas } from '../src-shared/schemas/channels';

type ServiceFn<C> = C extends Channel ? (...args: Req<C>) => Promise<Res<C>> | Res<C> : never;

/** What a service for one channel group must implement: one method per operation. */
export type GroupService<G extends Group<Channel>> = {
  [O in Op<Channel, G>]: ServiceFn<`${G}:${O}`>;
};

export type Services = { [G in Group<Channel>]: GroupService<G> };

export type Emit = <E extends EventName>(event: E, payload: Events[E]) => void;

/** Largest request one call may carry (a dataset import of all four raw IDX files is ~55 MB). */
export const MAX_REQUEST_BYTES = 128 * 1024 * 1024;

const channelSet = new Set<string>(CHANNELS);

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && channelSet.has(name);
}

export function toAppError(err: unknown): AppError {
  if (err instanceof TailorError) return err.toAppError();
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message: `Unexpected error: ${message}` };
}

/** Validates the channel and its arguments, runs the service, and answers a Result — never throws. */
export async function dispatch(services: Services, channel: unknown, args: unknown): Promise<Result<unknown>> {
  if (!isChannel(channel)) {
    return { ok: false, error: { code: 'invalid-argument', message: `Unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}` } };
  }
  const parsed = channelSchemas[channel].safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    return {
      ok: false,
      error: { code: 'invalid-argument', message: `${channel}: invalid arguments${where}: ${issue?.message ?? 'rejected'}` },
    };
  }
  const [group, op] = splitChannel(channel);
  const service = (services as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>)[group];
  const fn = service?.[op];
  if (!fn) return { ok: false, error: { code: 'internal', message: `${channel} has no handler` } };
  try {
    const value = await fn.apply(service, parsed.data as unknown[]);
    return { ok: true, value };
  } catch (err) {
    return { ok: false, error: toAppError(err) };
  }
}
