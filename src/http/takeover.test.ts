import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { describe, it } from 'node:test';
import { checkTakeover, detachParser } from './takeover.ts';

/** The listener Node's HTTP server puts on 'connection' (or TLS's 'secureConnection'). */
function nodeConnectionListener(server: http.Server, event = 'connection'): (socket: net.Socket) => void {
  const [listener] = server.listeners(event);
  assert.equal(typeof listener, 'function');
  return listener as (socket: net.Socket) => void;
}

describe('takeover (Node internals)', () => {
  it("matches the pinned Node's HTTP and HTTPS servers", () => {
    const plain = http.createServer();
    checkTakeover(plain, nodeConnectionListener(plain));
    const tls = https.createServer();
    checkTakeover(tls, nodeConnectionListener(tls, 'secureConnection'));
  });

  it('fails loudly when the listener is not what Node installs', () => {
    const server = http.createServer();
    assert.throws(() => checkTakeover(server, () => {}), /wires HTTP connections differently/);
    const partial = (socket: net.Socket) => {
      nodeConnectionListener(server).call(server, socket);
      socket.removeAllListeners('drain');
    };
    assert.throws(() => checkTakeover(server, partial), /no 'drain' listener bound socketOnDrain/);
  });

  it("detaches Node's parser and leaves other listeners alone", () => {
    const server = http.createServer();
    const socket = new net.Socket();
    const mine = () => {};
    socket.on('data', mine);
    socket.on('end', mine);
    nodeConnectionListener(server).call(server, socket);
    assert.ok((socket as { parser?: unknown }).parser);
    detachParser(socket);
    assert.equal((socket as { parser?: unknown }).parser, null);
    const names = (event: string) => socket.listeners(event).map((fn) => fn.name);
    assert.deepEqual(names('data'), ['mine']);
    assert.deepEqual(names('end'), ['onReadableStreamEnd', 'mine']); // net.Socket's own stays too
    assert.deepEqual(names('close'), ['bound socketOnClose']);
    assert.equal(socket.on, net.Socket.prototype.on);
    assert.equal(socket.setEncoding, net.Socket.prototype.setEncoding);
    detachParser(socket); // a no-op once detached
    socket.destroy();
  });
});
