// Which kernel refusals mean "already so" or "already gone" to an idempotent step.
import { NetlinkError } from '../errors';

export const isCode = (err: unknown, ...codes: string[]): boolean => err instanceof NetlinkError && codes.includes(err.code);

/** Runs fn; the named refusals are swallowed (undefined), anything else is thrown. */
export async function unless<T>(codes: string[], fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (isCode(err, ...codes)) return undefined;
    throw err;
  }
}
