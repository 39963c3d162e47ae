import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { DataArgError, type DataSources, dataSources, parseDataArgs } from './data-args.ts';

const dir = mkdtempSync(join(tmpdir(), 'coffer-data-args-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const pemFile = join(dir, 'cert.pem');
writeFileSync(pemFile, '-----BEGIN-----\nabc\n');
const jsonFile = join(dir, 'data.json');
writeFileSync(jsonFile, '{"from_file": "yes", "n": 2}');

function sources(stdin: string): DataSources {
  return dataSources(Readable.from([stdin]));
}

const cases: { name: string; args: string[]; stdin?: string; want: Record<string, unknown> }[] = [
  { name: 'k=v', args: ['a=b', 'c=d=e', 'empty='], want: { a: 'b', c: 'd=e', empty: '' } },
  { name: 'k=@file', args: [`cert=@${pemFile}`], want: { cert: '-----BEGIN-----\nabc\n' } },
  { name: 'k=\\@ escapes', args: ['handle=\\@me'], want: { handle: '@me' } },
  {
    name: 'k=- reads stdin verbatim',
    args: ['pw=-', 'x=y'],
    stdin: 's3cret\n',
    want: { pw: 's3cret\n', x: 'y' },
  },
  {
    name: '- merges JSON from stdin',
    args: ['-'],
    stdin: '{"a": 1, "b": {"c": true}}',
    want: { a: 1, b: { c: true } },
  },
  { name: '@file merges JSON', args: [`@${jsonFile}`, 'z=1'], want: { from_file: 'yes', n: 2, z: '1' } },
  { name: 'repeated keys become a list', args: ['a=1', 'a=2', 'a=3'], want: { a: ['1', '2', '3'] } },
  { name: 'no args', args: [], want: {} },
];
for (const c of cases) {
  test(c.name, async () => {
    assert.deepEqual(await parseDataArgs(c.args, sources(c.stdin ?? '')), c.want);
  });
}

const errors: { args: string[]; stdin?: string; message: RegExp }[] = [
  { args: ['novalue'], message: /invalid key\/value pair "novalue": format must be key=value/ },
  { args: ['=v'], message: /format must be key=value/ },
  { args: ['a=-', 'b=-'], message: /stdin already consumed/ },
  { args: ['-'], stdin: '[1]', message: /must be an object/ },
  { args: ['-'], stdin: '{nope', message: /failed to parse JSON from stdin/ },
  { args: [`a=@${join(dir, 'missing')}`], message: /error reading file/ },
  { args: ['a=@'], message: /missing file name/ },
];
for (const e of errors) {
  test(`error: ${e.args.join(' ')}`, async () => {
    await assert.rejects(parseDataArgs(e.args, sources(e.stdin ?? '')), (err: unknown) => {
      return err instanceof DataArgError && e.message.test(err.message);
    });
  });
}
