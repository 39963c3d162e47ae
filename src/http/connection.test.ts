import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import net from 'node:net';
import { describe, it } from 'node:test';
import { Connection, connectionOf } from './connection.ts';

/** A stand-in for a ServerResponse: only its 'close' matters to a Connection. */
const response = () => new EventEmitter() as unknown as ServerResponse;

describe('Connection', () => {
  it('is busy while a tracked response is open, and runs whenIdle callbacks when the last closes', () => {
    const conn = new Connection(new net.Socket());
    const calls: string[] = [];
    conn.whenIdle(() => calls.push('idle at once'));
    assert.deepEqual(calls, ['idle at once']);

    const a = response();
    const b = response();
    conn.track(a);
    conn.track(b);
    assert.equal(conn.busy, true);
    conn.whenIdle(() => calls.push('first'));
    conn.whenIdle(() => calls.push('second'));
    a.emit('close');
    assert.deepEqual(calls, ['idle at once']);
    b.emit('close');
    assert.deepEqual(calls, ['idle at once', 'first', 'second']);
    assert.equal(conn.busy, false);
    b.emit('close'); // once only
    assert.equal(conn.busy, false);
  });

  it('tells onFail subscribers once, and late subscribers at once', () => {
    const conn = new Connection(new net.Socket());
    const seen: string[] = [];
    const unsubscribe = conn.onFail(() => seen.push('gone'));
    unsubscribe();
    conn.onFail((err) => seen.push(`early ${err.message}`));
    conn.fail(new Error('bad framing'));
    conn.onFail((err) => seen.push(`late ${err.message}`));
    assert.deepEqual(seen, ['early bad framing', 'late bad framing']);
    assert.equal(conn.failure?.message, 'bad framing');
  });

  it('maps a socket and its EdgeSocket to the same Connection', () => {
    const socket = new net.Socket();
    const conn = connectionOf(socket);
    assert.equal(connectionOf(socket), conn);
    const edge = conn.convert({ held: true });
    assert.equal(conn.convert(), edge, 'converted once');
    assert.equal(connectionOf(edge), conn);
    assert.equal(edge.socket, socket);
    conn.destroy();
    assert.equal(edge.destroyed, true);
    assert.equal(socket.destroyed, true);
  });
});
