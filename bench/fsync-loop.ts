/**
 * The disk's durable-write ceiling for one writer: loop writeSync(1 KB) + fsyncSync on a file in
 * DIR for SECONDS, then print `{"perSecond": N}`. Usage: node fsync-loop.ts DIR SECONDS
 */
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] as string;
const seconds = Number(process.argv[3]);
const file = join(dir, 'fsync-loop.bin');
const fd = openSync(file, 'w');
const block = Buffer.alloc(1024, 0x61);
const start = process.hrtime.bigint();
const end = start + BigInt(Math.round(seconds * 1e9));
let n = 0;
let now = start;
while (now < end) {
  writeSync(fd, block);
  fsyncSync(fd);
  n++;
  now = process.hrtime.bigint();
}
closeSync(fd);
rmSync(file, { force: true });
process.stdout.write(`${JSON.stringify({ perSecond: n / (Number(now - start) / 1e9) })}\n`);
