/**
 * The baseline: a bare node:http server that answers every request (after reading its body)
 * with 200 and a JSON body of exactly SIZE bytes. Usage: node baseline-server.ts PORT SIZE
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const size = Number(process.argv[3]);

/** `{"data":"xxx…"}` padded to `size` bytes (at least the 11 bytes of the envelope). */
export function jsonOfSize(n: number): string {
  const envelope = '{"data":""}';
  return `{"data":"${'x'.repeat(Math.max(0, n - envelope.length))}"}`;
}

if (import.meta.main) {
  const body = Buffer.from(jsonOfSize(size));
  createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  }).listen(port, '127.0.0.1');
  process.on('SIGTERM', () => process.exit(0));
}
