/** What a command may touch of the outside world, injectable so tests run `main` in-process. */

export interface Output {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface Input extends AsyncIterable<string | Buffer> {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  on?(event: 'data', listener: (chunk: string | Buffer) => void): unknown;
  off?(event: 'data', listener: (chunk: string | Buffer) => void): unknown;
  pause?(): unknown;
  resume?(): unknown;
}

export interface Io {
  stdout: Output;
  stderr: Output;
  stdin: Input;
  env: Record<string, string | undefined>;
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/** Reads stdin to its end. */
export async function readAll(stdin: Input): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Asks for a secret on stderr. On a terminal the answer is read in raw mode without echo;
 * otherwise the first line of stdin is the answer.
 */
export async function promptSecret(io: Io, prompt: string): Promise<string> {
  io.stderr.write(prompt);
  const stdin = io.stdin;
  if (stdin.isTTY && stdin.setRawMode && stdin.on && stdin.off) {
    return readHidden(stdin as Required<Pick<Input, 'setRawMode' | 'on' | 'off'>> & Input, io.stderr);
  }
  const line = await readLine(stdin);
  io.stderr.write('\n');
  return line;
}

async function readLine(stdin: Input): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += chunk.toString();
    const nl = text.indexOf('\n');
    if (nl !== -1) return text.slice(0, nl).replace(/\r$/, '');
  }
  return text.replace(/\r$/, '');
}

function readHidden(
  stdin: Input & Required<Pick<Input, 'setRawMode' | 'on' | 'off'>>,
  stderr: Output,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const done = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause?.();
      stderr.write('\n');
      if (err) reject(err);
      else resolve(answer);
    };
    const onData = (chunk: string | Buffer) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new Error('interrupted'));
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume?.();
  });
}
