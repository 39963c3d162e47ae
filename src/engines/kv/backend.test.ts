import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackendDefinition, FieldSpec } from '../../sdk/index.ts';
import { kvFactory, kvV1Backend, kvV2Backend } from './index.ts';
import { kvHarness } from './test-helper.ts';

describe('kv backends', () => {
  const cases: [string, BackendDefinition][] = [
    ['v1', kvV1Backend],
    ['v2', kvV2Backend],
  ];
  for (const [name, def] of cases) {
    it(`${name}: type kv, and every path has help and every field a description`, () => {
      assert.equal(def.type, 'kv');
      assert.ok(def.help.length > 20);
      for (const path of def.paths) {
        assert.ok(path.help.synopsis.trim(), `${path.pattern} synopsis`);
        assert.ok(path.help.description.trim(), `${path.pattern} description`);
        for (const [field, spec] of Object.entries(path.fields as Record<string, FieldSpec>)) {
          assert.ok(spec.description.trim(), `${path.pattern} field ${field}`);
        }
        assert.ok(Object.keys(path.operations).length > 0, `${path.pattern} operations`);
      }
    });
  }

  it('builds v1 or v2 from the mount options', async () => {
    assert.equal((await kvHarness({})).backend.definition, kvV1Backend);
    assert.equal((await kvHarness({ version: '1' })).backend.definition, kvV1Backend);
    assert.equal((await kvHarness({ version: '2' })).backend.definition, kvV2Backend);
    assert.equal(typeof kvFactory, 'function');
  });

  it('v2: any other path answers 404 with Vault’s warning', async () => {
    const kv = await kvHarness();
    const cases: [Parameters<typeof kv.call>[0], string, string][] = [
      ['read', 'foo', 'vault kv get'],
      ['update', 'foo/bar', 'vault kv put'],
      ['list', '', 'vault kv list'],
      ['delete', 'data', 'vault kv delete'],
    ];
    for (const [op, path, verb] of cases) {
      const res = await kv.call(op, path, { anything: 1 });
      assert.equal(res.status, 404);
      assert.equal(res.data, undefined);
      assert.match(res.warnings?.[0] ?? '', /^Invalid path for a versioned K\/V secrets engine/);
      assert.ok(res.warnings?.[0]?.includes(`'${verb}'`), `${op} ${path}`);
    }
  });
});
