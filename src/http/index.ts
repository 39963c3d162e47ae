/** The HTTP edge: Vault's v1 dialect over HTTP(S) in front of core. */
export { buildEnvelope, type EnvelopeFields } from './envelope.ts';
export {
  DEFAULT_MAX_HEADER_SIZE,
  DEFAULT_MAX_JSON_DEPTH,
  DEFAULT_MAX_REQUEST_SIZE,
  type HttpOptions,
  type HttpServer,
  type HttpTimeouts,
  startHttpServer,
} from './server.ts';
