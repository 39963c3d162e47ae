import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../../sdk/errors.ts';
import { generate, satisfies } from './generate.ts';
import { parsePasswordPolicy } from './policy.ts';

const VAULT_EXAMPLE = `length = 20
rule "charset" {
  charset = "abcdefghijklmnopqrstuvwxyz"
  min-chars = 1
}
rule "charset" {
  charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
  min-chars = 1
}
rule "charset" {
  charset = "0123456789"
  min-chars = 1
}
rule "charset" {
  charset = "!@#$%^&*"
  min-chars = 1
}`;

describe('generate', () => {
  it('meets every rule over many runs', () => {
    const policy = parsePasswordPolicy(VAULT_EXAMPLE);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const pw = generate(policy);
      assert.equal(pw.length, 20);
      assert.ok(satisfies(policy, pw));
      assert.match(pw, /[a-z]/);
      assert.match(pw, /[A-Z]/);
      assert.match(pw, /[0-9]/);
      assert.match(pw, /[!@#$%^&*]/);
      seen.add(pw);
    }
    assert.equal(seen.size, 2000);
  });

  it('meets tight rules (min-chars summing to the length)', () => {
    const policy = parsePasswordPolicy(
      'length = 6\nrule "charset" {\n  charset = "ab"\n  min-chars = 3\n}\nrule "charset" {\n  charset = "01"\n  min-chars = 3\n}',
    );
    for (let i = 0; i < 500; i++) {
      const pw = generate(policy);
      assert.equal(pw.replace(/[ab]/g, '').length, 3, pw);
      assert.equal(pw.replace(/[01]/g, '').length, 3, pw);
    }
  });

  it('handles characters outside the BMP as one character each', () => {
    const policy = parsePasswordPolicy(
      'length = 8\nrule "charset" {\n  charset = "😀😎"\n  min-chars = 8\n}',
    );
    const pw = generate(policy);
    assert.equal(Array.from(pw).length, 8);
    assert.ok(satisfies(policy, pw));
  });

  it('draws characters roughly uniformly from the union (chi-square)', () => {
    const policy = parsePasswordPolicy(
      'length = 100\nrule "charset" { charset = "abcdefghijklmnopqrstuvwxyz0123456789" }',
    );
    const k = policy.charset.length;
    const counts = new Map<string, number>();
    const runs = 200;
    for (let i = 0; i < runs; i++) for (const c of generate(policy)) counts.set(c, (counts.get(c) ?? 0) + 1);
    assert.equal(counts.size, k);
    const expected = (runs * 100) / k;
    let chi2 = 0;
    for (const c of policy.charset) chi2 += ((counts.get(c) ?? 0) - expected) ** 2 / expected;
    // 35 degrees of freedom: P(chi² > 80) < 1e-5.
    assert.ok(chi2 < 80, `chi² = ${chi2.toFixed(1)}`);
  });

  it('is not biased by a rule with a small charset beyond what the rule requires', () => {
    // The digit rule asks for 1 of 20 characters: the rest stays uniform over all 36.
    const policy = parsePasswordPolicy(
      'length = 20\nrule "charset" { charset = "abcdefghijklmnopqrstuvwxyz" }\nrule "charset" {\n  charset = "0123456789"\n  min-chars = 1\n}',
    );
    let digits = 0;
    const runs = 1000;
    for (let i = 0; i < runs; i++) digits += generate(policy).replace(/[a-z]/g, '').length;
    // E[digits | ≥1 digit] = 20·10/36 / (1 − (26/36)^20) ≈ 5.58 per password.
    const mean = digits / runs;
    assert.ok(mean > 5.2 && mean < 6.0, `mean digits ${mean}`);
  });

  it('uses the injected random source, and gives up on rules it cannot meet by chance', () => {
    const policy = parsePasswordPolicy('length = 4\nrule "charset" { charset = "abcd" }');
    assert.equal(
      generate(policy, () => 2),
      'cccc',
    );
    const strict = parsePasswordPolicy(
      'length = 4\nrule "charset" {\n  charset = "a"\n  min-chars = 1\n}\nrule "charset" { charset = "bcd" }',
    );
    assert.throws(() => generate(strict, () => 1), BadRequestError);
  });
});

describe('satisfies', () => {
  const policy = parsePasswordPolicy(
    'length = 4\nrule "charset" {\n  charset = "ab"\n  min-chars = 1\n}\nrule "charset" { charset = "c" }',
  );
  it('checks length, alphabet and rules', () => {
    assert.equal(satisfies(policy, 'abca'), true);
    assert.equal(satisfies(policy, 'cccc'), false);
    assert.equal(satisfies(policy, 'abcx'), false);
    assert.equal(satisfies(policy, 'abc'), false);
  });
});
