/**
 * Taking a connection away from Node's HTTP parser, so the edge can hand it to the parser again
 * through an EdgeSocket (the LIST framer) or close it itself.
 *
 * DEPENDS ON NODE 24's `_http_server` INTERNALS (Node is pinned by package.json's "node"
 * devDependency): the listeners `connectionListenerInternal` puts on a socket, the listener
 * wrappers it installs, and `freeParser` from `_http_common`. It mirrors what Node's own upgrade
 * path does in `onParserExecuteCommon`. `checkTakeover` runs these steps on a probe socket at
 * server start, so a Node upgrade that changes them fails loudly (every edge test starts a server)
 * instead of silently.
 */
import type http from 'node:http';
import net from 'node:net';

type Parser = object;
type FreeParser = (parser: Parser | null | undefined, req: null, socket: net.Socket) => void;

const httpCommon = process.getBuiltinModule('_http_common') as { freeParser?: unknown } | undefined;
const freeParser = httpCommon?.freeParser as FreeParser | undefined;

/**
 * Node's listeners, by event and function name, that feed the socket to its parser. Removed on
 * takeover. The bound `socketOnClose` stays: when the socket closes it aborts the requests and
 * responses still pending from the native part of the connection (it frees no parser any more).
 */
const PARSER_LISTENERS: ReadonlyArray<readonly [event: string, name: string]> = [
  ['data', 'bound socketOnData'],
  ['end', 'bound socketOnEnd'],
  ['drain', 'bound socketOnDrain'],
  ['timeout', 'socketOnTimeout'],
  ['error', 'socketOnError'],
  ['pause', 'onSocketPause'],
  ['resume', 'onSocketResume'],
];
const KEPT_LISTENER = ['close', 'bound socketOnClose'] as const;

/** The overrides Node puts on a socket its parser consumes; restored to net.Socket's. */
const WRAPPED_METHODS = ['on', 'addListener', 'prependListener', 'setEncoding'] as const;

/**
 * Detaches Node's HTTP parser from `socket`: its listeners go, the stream handle is given back to
 * the socket (bytes arrive as 'data' events again) and the parser leaves the server's connection
 * list (no more request timeouts for it). Responses already under way keep writing to the socket.
 * A no-op for a socket without a parser.
 */
export function detachParser(socket: net.Socket): void {
  const parser = (socket as { parser?: Parser | null }).parser;
  if (!parser || !freeParser) return;
  for (const [event, name] of PARSER_LISTENERS) {
    for (const fn of socket.listeners(event)) {
      if (fn.name === name) socket.removeListener(event, fn as (...args: unknown[]) => void);
    }
  }
  const own = socket as unknown as Record<string, unknown>;
  const proto = net.Socket.prototype as unknown as Record<string, unknown>;
  for (const method of WRAPPED_METHODS) own[method] = proto[method];
  freeParser(parser, null, socket);
}

/**
 * Throws unless Node's HTTP server still wires a connection the way `detachParser` expects. Runs
 * `connectionListener` (the server's own) on an unconnected probe socket, checks the listeners
 * and overrides it finds, detaches, and checks the parser is gone.
 */
export function checkTakeover(server: http.Server, connectionListener: (socket: net.Socket) => void): void {
  const fail = (what: string) => {
    throw new Error(
      `Node ${process.version} wires HTTP connections differently than src/http/takeover.ts expects (${what})`,
    );
  };
  if (typeof freeParser !== 'function') fail('_http_common.freeParser is missing');
  const probe = new net.Socket();
  probe.on('error', () => {});
  try {
    connectionListener.call(server, probe);
    if (!(probe as { parser?: unknown }).parser) fail('no parser on the socket');
    for (const [event, name] of [...PARSER_LISTENERS, KEPT_LISTENER]) {
      if (!probe.listeners(event).some((fn) => fn.name === name)) fail(`no '${event}' listener ${name}`);
    }
    if (probe.on === net.Socket.prototype.on) fail('socket.on is not wrapped');
    detachParser(probe);
    if ((probe as { parser?: unknown }).parser !== null) fail('the parser stayed attached');
    for (const [event, name] of PARSER_LISTENERS) {
      if (probe.listeners(event).some((fn) => fn.name === name)) fail(`'${event}' listener ${name} stayed`);
    }
    for (const method of WRAPPED_METHODS) {
      if (probe[method] !== net.Socket.prototype[method]) fail(`socket.${method} stayed wrapped`);
    }
  } finally {
    probe.destroy();
  }
}
