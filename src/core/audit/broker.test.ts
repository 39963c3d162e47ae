import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileFactory } from '../../audit/file/file.ts';
import { BadRequestError, InternalError } from '../../sdk/errors.ts';
import { jsonLogger } from '../../sdk/logger.ts';
import type { Request } from '../../sdk/request.ts';
import { StorageView } from '../../sdk/storage-view.ts';
import { InmemStorage } from '../../storage/inmem/inmem.ts';
import { AuditBroker, AuditFailedError } from './broker.ts';
import type { AuditDevice, AuditDeviceFactory } from './device.ts';
import { type AuditInput, type EntryFormat, requestEntry, responseEntry } from './entry.ts';

const tmp = await mkdtemp(join(tmpdir(), 'coffer-audit-broker-'));
after(() => rm(tmp, { recursive: true, force: true }));

/** An in-memory device whose failures the test controls. */
class MemDevice implements AuditDevice {
  readonly type = 'mem';
  readonly options: Record<string, string>;
  lines: string[] = [];
  fail = false;
  delayMs = 0;
  reopened = 0;
  closed = false;
  inFlight = 0;
  maxInFlight = 0;
  constructor(options: Record<string, string>) {
    this.options = options;
  }
  async write(lines: string[]): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
      if (this.fail || this.closed) throw new Error('disk full');
      this.lines.push(...lines);
    } finally {
      this.inFlight--;
    }
  }
  async reopen(): Promise<void> {
    this.reopened++;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

function setup(inmem = new InmemStorage(), random?: (bytes: number) => Buffer) {
  const devices: MemDevice[] = [];
  let openFails = false;
  const mem: AuditDeviceFactory = async (options) => {
    if (openFails) throw new BadRequestError('cannot open');
    const d = new MemDevice(options);
    devices.push(d);
    return d;
  };
  const logs: { level: string; msg: string; [k: string]: unknown }[] = [];
  const logger = jsonLogger({ level: 'debug', write: (l) => logs.push(JSON.parse(l)) });
  const broker = new AuditBroker({
    storage: new StorageView(inmem, 'core/audit/'),
    factories: new Map([
      ['mem', mem],
      ['file', fileFactory],
    ]),
    logger,
    now: () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
    ...(random ? { random } : {}),
  });
  return {
    broker,
    devices,
    logs,
    inmem,
    setOpenFails(v: boolean) {
      openFails = v;
    },
  };
}

function req(extra: Partial<Request> = {}): Request {
  return {
    id: 'req-1',
    operation: 'read',
    path: 'secret/app',
    data: { q: 'v' },
    headers: {},
    clientToken: 'hvs.token',
    remoteAddr: '127.0.0.1',
    ...extra,
  };
}

describe('audit broker', () => {
  it('with no device enabled, logging is a no-op', async () => {
    const { broker } = setup();
    await broker.load();
    assert.equal(broker.enabled(), false);
    await broker.logRequest({ request: req() });
    await broker.logResponse({ request: req(), response: { data: { a: 'b' } } });
    assert.deepEqual(broker.list(), {});
  });

  it('one device: writes one JSON line per request and per response, hashed with its salt', async () => {
    const { broker, devices } = setup();
    await broker.load();
    await broker.enable('mem1', { type: 'mem', description: 'memory', options: { name: 'a' } });
    assert.equal(broker.enabled(), true);
    await broker.logRequest({ request: req() });
    await broker.logResponse({ request: req(), response: { data: { password: 'pw' } } });
    const [rq, rs] = devices[0]!.lines.map((l) => JSON.parse(l));
    assert.equal(rq.type, 'request');
    assert.equal(rs.type, 'response');
    assert.equal(rq.time, '2024-01-02T03:04:05.000Z');
    assert.equal(rq.auth.client_token, broker.hash('mem1', 'hvs.token'));
    assert.equal(rs.response.data.password, broker.hash('mem1/', 'pw'));
    assert.ok(!devices[0]!.lines.join('').includes('hvs.token'));
  });

  it('fails closed: the only device fails → AuditFailedError (500) and a clear log line', async () => {
    const { broker, devices, logs } = setup();
    await broker.load();
    await broker.enable('mem1', { type: 'mem' });
    devices[0]!.fail = true;
    await assert.rejects(broker.logRequest({ request: req() }), (err: unknown) => {
      assert.ok(err instanceof AuditFailedError);
      assert.ok(err instanceof InternalError);
      assert.equal(err.status, 500);
      assert.equal(err.message, 'audit: no device could log the request');
      return true;
    });
    await assert.rejects(broker.logResponse({ request: req() }), /no device could log the response/);
    assert.ok(logs.some((l) => l.level === 'error' && l.msg === 'audit: no device could log the request'));
    assert.ok(logs.some((l) => l.msg === 'audit: device failed to log the request' && l.path === 'mem1/'));
    assert.ok(!JSON.stringify(logs).includes('hvs.token'), 'no token in logs');
  });

  it('two devices: one failing is tolerated (logged); both failing is refused', async () => {
    const { broker, devices, logs } = setup();
    await broker.load();
    await broker.enable('a', { type: 'mem' });
    await broker.enable('b', { type: 'mem' });
    devices[0]!.fail = true;
    await broker.logRequest({ request: req() });
    assert.equal(devices[1]!.lines.length, 1);
    assert.ok(logs.some((l) => l.msg === 'audit: device failed to log the request' && l.path === 'a/'));
    devices[1]!.fail = true;
    await assert.rejects(broker.logRequest({ request: req() }), AuditFailedError);
    await assert.rejects(broker.logResponse({ request: req() }), AuditFailedError);
  });

  it('writes devices in parallel, and entries are built before the request can change', async () => {
    const { broker, devices } = setup();
    await broker.load();
    await broker.enable('a', { type: 'mem' });
    await broker.enable('b', { type: 'mem' });
    for (const d of devices) d.delayMs = 100;
    const request = req();
    const started = Date.now();
    const p = broker.logRequest({ request });
    request.data = { q: 'changed' };
    await p;
    assert.ok(Date.now() - started < 190, 'parallel, not one after the other');
    const logged = JSON.parse(devices[0]!.lines[0]!);
    assert.equal(logged.request.data.q, broker.hash('a', 'v'));
  });

  it('each device has its own salt, and options shape the line (prefix, log_raw, hmac_accessor)', async () => {
    const { broker, devices } = setup();
    await broker.load();
    await broker.enable('a', {
      type: 'mem',
      options: { prefix: 'AUDIT ', hmac_accessor: 'false', name: 'x' },
    });
    await broker.enable('b', { type: 'mem', options: { log_raw: 'true' } });
    assert.notEqual(broker.hash('a', 'x'), broker.hash('b', 'x'));
    assert.deepEqual(devices[0]!.options, { name: 'x' }, 'the factory sees only its own options');
    const request = req({
      auth: {
        tokenHash: 'h',
        accessor: 'acc',
        policies: ['root'],
        tokenPolicies: ['root'],
        identityPolicies: [],
        entityId: '',
        displayName: 'root',
        metadata: {},
        tokenType: 'service',
        path: 'auth/token/root',
      },
    });
    await broker.logRequest({ request });
    const lineA = devices[0]!.lines[0]!;
    assert.ok(lineA.startsWith('AUDIT {'));
    const a = JSON.parse(lineA.slice('AUDIT '.length));
    assert.equal(a.auth.accessor, 'acc');
    assert.equal(a.auth.client_token, broker.hash('a', 'hvs.token'));
    const b = JSON.parse(devices[1]!.lines[0]!);
    assert.equal(b.auth.client_token, 'hvs.token');
    assert.equal(b.request.data.q, 'v');
  });

  it('salts and the table persist across a restart: same hash for the same input', async () => {
    const first = setup();
    await first.broker.load();
    await first.broker.enable('a', { type: 'mem', description: 'd', options: { name: 'n' }, local: true });
    const before = first.broker.hash('a', 'secret');
    await first.broker.unload();
    assert.equal(first.devices[0]!.closed, true);
    assert.equal(first.broker.enabled(), false);
    const stored = await first.inmem.list('core/audit/');
    assert.deepEqual(stored, ['salt/', 'table']);

    const second = setup(first.inmem);
    await second.broker.load();
    assert.equal(second.broker.hash('a', 'secret'), before);
    assert.equal(second.devices.length, 1, 'the device was opened');
    assert.deepEqual(second.devices[0]!.options, { name: 'n' });
    assert.deepEqual(second.broker.list(), {
      'a/': { type: 'mem', description: 'd', options: { name: 'n' }, local: true, path: 'a/' },
    });
  });

  it('a device that cannot open at load stays enabled and fails closed until a reopen works', async () => {
    const first = setup();
    await first.broker.load();
    await first.broker.enable('a', { type: 'mem' });
    await first.broker.unload();
    const second = setup(first.inmem);
    second.setOpenFails(true);
    await second.broker.load();
    assert.equal(second.broker.enabled(), true);
    await assert.rejects(second.broker.logRequest({ request: req() }), AuditFailedError);
    assert.ok(second.logs.some((l) => l.msg.startsWith('audit: a device could not be opened')));
    await second.broker.reopenAll(); // still failing: no throw
    second.setOpenFails(false);
    await second.broker.reopenAll();
    await second.broker.logRequest({ request: req() });
    assert.equal(second.devices[0]!.lines.length, 1);
    await second.broker.reopenAll();
    assert.equal(second.devices[0]!.reopened, 1);
  });

  it('enable refuses unknown types, used paths, jsonx and bad options with 400; disable removes', async () => {
    const { broker, devices, inmem } = setup();
    await broker.load();
    await assert.rejects(broker.enable('x', { type: 'syslog' }), BadRequestError);
    await assert.rejects(
      broker.enable('x', { type: 'mem', options: { format: 'jsonx' } }),
      /jsonx.*not supported/,
    );
    await assert.rejects(broker.enable('x', { type: 'mem', options: { format: 'xml' } }), BadRequestError);
    await assert.rejects(broker.enable('x', { type: 'mem', options: { log_raw: 'maybe' } }), BadRequestError);
    await assert.rejects(broker.enable('../x', { type: 'mem' }), BadRequestError);
    await broker.enable('a/b', { type: 'mem' });
    await assert.rejects(broker.enable('a/b/', { type: 'mem' }), /path already in use/);
    await assert.rejects(broker.enable('a', { type: 'mem' }), /path already in use/);
    assert.deepEqual(Object.keys(broker.list()), ['a/b/']);
    await broker.disable('a/b');
    assert.equal(devices[0]!.closed, true);
    assert.equal(broker.enabled(), false);
    assert.deepEqual(await inmem.list('core/audit/salt/'), []);
    await broker.disable('never-enabled');
    await assert.rejects(async () => broker.hash('a/b', 'x'), BadRequestError);
  });

  it('enable verifies the device can write: a file in a missing directory → 400, nothing stored', async () => {
    const { broker, inmem } = setup();
    await broker.load();
    await assert.rejects(
      broker.enable('file', { type: 'file', options: { file_path: join(tmp, 'missing', 'audit.log') } }),
      (err: unknown) => err instanceof BadRequestError && /ENOENT/.test(err.message),
    );
    assert.equal(broker.enabled(), false);
    assert.deepEqual(await inmem.list('core/audit/'), []);
    const path = join(tmp, 'audit.log');
    await broker.enable('file', { type: 'file', options: { file_path: path } });
    await broker.logRequest({ request: req() });
    await broker.reopenAll();
    await broker.logResponse({ request: req(), response: { data: { a: 'b' } } });
    const lines = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.type),
      ['request', 'response'],
    );
    assert.equal(lines[1].response.data.a, broker.hash('file', 'b'));
    await broker.unload();
  });

  describe('lines', () => {
    const now = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
    /** Salts 1, 2, ... in the order devices are enabled, so the test knows them. */
    const counting = () => {
      let n = 0;
      return (bytes: number) => Buffer.alloc(bytes, ++n);
    };
    const fmt = (n: number, extra: Partial<EntryFormat> = {}): EntryFormat => ({
      salt: Buffer.alloc(32, n),
      logRaw: false,
      hmacAccessor: true,
      elideListResponses: false,
      ...extra,
    });
    const authed = () =>
      req({
        auth: {
          tokenHash: 'h',
          accessor: 'acc',
          policies: ['default'],
          tokenPolicies: ['default'],
          identityPolicies: [],
          entityId: 'e',
          displayName: 'token',
          metadata: { a: 'b' },
          tokenType: 'service',
          path: 'auth/token/create',
        },
      });

    it('are the JSON of the entries, after the prefix, for each device’s options', async () => {
      const { broker, devices } = setup(undefined, counting());
      await broker.load();
      await broker.enable('a', { type: 'mem', options: { prefix: 'AUDIT ', hmac_accessor: 'false' } });
      await broker.enable('b', { type: 'mem', options: { log_raw: 'true' } });
      await broker.enable('c', { type: 'mem', options: { elide_list_responses: 'true' } });
      const base: AuditInput = {
        request: authed(),
        mount: { type: 'kv', accessor: 'kv_1', path: 'secret/' },
        wrapTTL: 60,
      };
      const response = { data: { keys: ['x', 'y'] }, warnings: ['w'] };
      await broker.logRequest(base);
      await broker.logResponse({ ...base, response });
      const fmts = [
        fmt(1, { hmacAccessor: false }),
        fmt(2, { logRaw: true }),
        fmt(3, { elideListResponses: true }),
      ];
      const prefixes = ['AUDIT ', '', ''];
      devices.forEach((d, i) => {
        assert.deepEqual(d.lines, [
          prefixes[i] + JSON.stringify(requestEntry(base, fmts[i]!, now)),
          prefixes[i] + JSON.stringify(responseEntry({ ...base, response }, fmts[i]!, now)),
        ]);
      });
    });

    it('build the request’s blocks once per device for both entries', async () => {
      const { broker, devices } = setup();
      await broker.load();
      await broker.enable('a', { type: 'mem' });
      await broker.enable('b', { type: 'mem' });
      let walks = 0;
      const data = {
        toJSON() {
          walks++;
          return { q: 'v' };
        },
      };
      const base: AuditInput = { request: req({ data }) };
      await broker.logRequest(base);
      await broker.logResponse({ ...base, response: { data: { a: 'b' } } });
      assert.equal(walks, 2, 'one walk per device, shared by its two lines');
      for (const d of devices) {
        const [rq, rs] = d.lines.map((l) => JSON.parse(l));
        assert.deepEqual(rs.request, rq.request);
        assert.deepEqual(rs.auth, rq.auth);
      }
    });

    it('fall back to building the blocks: response only, new device, replaced field', async () => {
      const { broker, devices } = setup(undefined, counting());
      await broker.load();
      await broker.enable('a', { type: 'mem' });
      const only: AuditInput = { request: req(), response: { data: { a: 'b' } }, error: 'e' };
      await broker.logResponse(only);
      assert.equal(devices[0]!.lines[0], JSON.stringify(responseEntry(only, fmt(1), now)));

      const base: AuditInput = { request: req() };
      await broker.logRequest(base);
      await broker.enable('b', { type: 'mem' });
      await broker.logResponse(base);
      assert.equal(devices[1]!.lines[0], JSON.stringify(responseEntry(base, fmt(2), now)));
      assert.equal(devices[0]!.lines[2], JSON.stringify(responseEntry(base, fmt(1), now)));

      const request = req();
      await broker.logRequest({ request });
      request.auth = authed().auth!;
      await broker.logResponse({ request });
      const logged = JSON.parse(devices[0]!.lines[4]!);
      assert.equal(logged.auth.accessor, broker.hash('a', 'acc'), 'the auth set in between is logged');
      assert.equal(devices[0]!.lines[4], JSON.stringify(responseEntry({ request }, fmt(1), now)));
    });
  });
});
