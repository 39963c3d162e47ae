/**
 * A fetch-compatible function over node:https for the TLS options the global fetch cannot take
 * (a custom CA, skipping verification). Plain http URLs go through the given fallback fetch.
 */
import type * as http from 'node:http';
import * as https from 'node:https';

export interface TlsOptions {
  /** PEM text of the CA certificate(s) to trust instead of the system store. */
  ca?: string | undefined;
  /** Accept any server certificate (tests and `-tls-skip-verify` only). */
  skipVerify?: boolean | undefined;
}

export function createTlsFetch(tls: TlsOptions, fallback: typeof fetch = fetch): typeof fetch {
  const agent = new https.Agent({
    keepAlive: false,
    rejectUnauthorized: tls.skipVerify !== true,
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
  });
  const tlsFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.protocol !== 'https:') return fallback(input, init);
    return httpsRequest(url, init ?? {}, agent);
  };
  return tlsFetch as typeof fetch;
}

function httpsRequest(url: URL, init: RequestInit, agent: https.Agent): Promise<Response> {
  const method = init.method ?? 'GET';
  const headers: http.OutgoingHttpHeaders = {};
  new Headers(init.headers).forEach((value, key) => {
    headers[key] = value;
  });
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return Promise.reject(new TypeError('only string request bodies are supported'));
  }
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 502;
        const responseHeaders = new Headers();
        for (const [key, value] of Object.entries(res.headers)) {
          if (Array.isArray(value)) for (const v of value) responseHeaders.append(key, v);
          else if (value !== undefined) responseHeaders.set(key, value);
        }
        const noBody = status === 204 || status === 304 || method === 'HEAD';
        resolve(
          new Response(noBody ? null : Buffer.concat(chunks), {
            status,
            statusText: res.statusMessage ?? '',
            headers: responseHeaders,
          }),
        );
      });
    });
    req.on('error', (err) => reject(new TypeError('fetch failed', { cause: err })));
    const signal = init.signal;
    if (signal) {
      if (signal.aborted) req.destroy(signal.reason as Error);
      else signal.addEventListener('abort', () => req.destroy(signal.reason as Error), { once: true });
    }
    if (typeof body === 'string') req.write(body);
    req.end();
  });
}
