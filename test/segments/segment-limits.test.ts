// Hostile segment definitions: trees nested thousands deep (a stack overflow in zod's
// recursive schema) and trees of thousands of empty groups, refused before any recursion.
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_SEGMENT_DEPTH, MAX_SEGMENT_NODES, SegmentDefinition } from '../../src/segments/segment-definition';
import { callApi, createApiKey, signUpMerchant } from '../helpers/factories';

let key: string;

beforeAll(async () => {
  key = await createApiKey(await signUpMerchant('Segment limits'));
});

const CONDITION = '{"field":"registered","op":"is","value":true}';

/** A definition `depth` groups deep, written as text: JSON.stringify itself would overflow on it. */
function nestedDefinition(depth: number): string {
  return `${'{"match":"all","children":['.repeat(depth)}${CONDITION}${']}'.repeat(depth)}`;
}

function postRaw(path: string, json: string): Promise<Response> {
  return callApi(key, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json });
}

async function expectRefused(res: Response, message: RegExp) {
  expect(res.status, await res.clone().text()).toBe(400);
  const { error } = await res.json<{ error: { code: string; issues: { path: string; message: string }[] } }>();
  expect(error.code).toBe('invalid_input');
  expect(error.issues).toContainEqual({ path: 'definition', message: expect.stringMatching(message) });
}

describe('segment definitions beyond the limits', () => {
  it('refuses a definition nested 10,000 groups deep with a 400 naming definition, on save and on preview', async () => {
    const definition = nestedDefinition(10_000);
    await expectRefused(await postRaw('/segments', `{"name":"Deep","definition":${definition}}`), /nest at most 4 deep/);
    await expectRefused(await postRaw('/segments/preview', `{"definition":${definition}}`), /nest at most 4 deep/);
  });

  it('refuses 16,000 empty groups within the depth and per-group limits (no conditions, so the condition limit never saw them)', async () => {
    const group = (children: string[]) => `{"match":"any","children":[${children.join(',')}]}`;
    const leaves = Array.from({ length: 10 }, () => group([]));
    const middles = Array.from({ length: 40 }, () => group(leaves));
    const definition = `{"match":"all","children":[${Array.from({ length: 40 }, () => group(middles)).join(',')}]}`;
    await expectRefused(await postRaw('/segments', `{"name":"Wide","definition":${definition}}`), /at most 100 groups and conditions/);
  });

  it('reads a 100,000-deep tree without recursing and still accepts one at the depth limit', () => {
    const deep = SegmentDefinition.safeParse(JSON.parse(nestedDefinition(100_000)));
    expect(deep.success).toBe(false);
    expect(deep.error?.issues.map((issue) => issue.message)).toEqual([`Groups nest at most ${MAX_SEGMENT_DEPTH} deep`]);
    expect(SegmentDefinition.safeParse(JSON.parse(nestedDefinition(MAX_SEGMENT_DEPTH))).success).toBe(true);
    expect(SegmentDefinition.safeParse(JSON.parse(nestedDefinition(MAX_SEGMENT_DEPTH + 1))).success).toBe(false);
    // The root, 40 groups and 2 or 1 empty groups in each: 121 nodes, then 81.
    const wide = (inner: number) => ({ match: 'all', children: Array.from({ length: 40 }, () => ({ match: 'any', children: Array.from({ length: inner }, () => ({ match: 'any', children: [] })) })) });
    expect(MAX_SEGMENT_NODES).toBe(100);
    expect(SegmentDefinition.safeParse(wide(2)).success).toBe(false);
    expect(SegmentDefinition.safeParse(wide(1)).success).toBe(true);
  });
});
