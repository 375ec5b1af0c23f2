/**
 * Runs `work` over `items` with at most `limit` in flight, keeping the input order in the result.
 * The first rejection stops new work from starting and is re-thrown once the running ones settle.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async () => {
    while (failed === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T, index);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed) throw failed.error;
  return results;
}

/** Like mapLimit, but every item runs and each outcome is reported (for uploads: one failure must not hide the others). */
export async function settleLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<Array<{ ok: true; value: R } | { ok: false; error: unknown }>> {
  return mapLimit(items, limit, async (item, index) => {
    try {
      return { ok: true as const, value: await work(item, index) };
    } catch (error) {
      return { ok: false as const, error };
    }
  });
}
