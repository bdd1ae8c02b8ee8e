import { describe, expect, it } from 'vitest';
import { GroupCommitter } from '../../../src/ingest/group-commit';

describe('group commit', () => {
  it('writes items arriving together in one batch; a poison item fails alone, the others commit', async () => {
    const batches: string[][] = [];
    const committed: string[] = [];
    const c = new GroupCommitter<string, string>(async (items) => {
      batches.push([...items]);
      if (items.includes('poison')) throw Object.assign(new Error('Out of range value'), { errno: 1264 });
      committed.push(...items);
      return items.map((i) => `ok:${i}`);
    });
    const results = await Promise.allSettled(['a', 'b', 'poison', 'c', 'd'].map((i) => c.submit(i)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : `refused:${(r.reason as Error).message}`))).toEqual(
      ['ok:a', 'ok:b', 'refused:Out of range value', 'ok:c', 'ok:d'],
    );
    expect(batches[0]).toEqual(['a', 'b', 'poison', 'c', 'd']); // tried together first
    expect(committed.sort()).toEqual(['a', 'b', 'c', 'd']);
    await c.close();
  });
});
