/**
 * `work`, or a rejection with `message` once `ms` passed. The work itself is left to finish or
 * fail on its own: for calls (Redis, a database ping) that may wait for a connection for ever.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, message = `no answer within ${ms} ms`): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
