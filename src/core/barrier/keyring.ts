import { randomBytes } from 'node:crypto';
import { IntegrityError } from '../../sdk/errors.ts';
import { KEY_LENGTH } from './aead.ts';

/** One encryption key of the barrier. Terms count up from 1; the highest is the active one. */
export interface KeyTerm {
  readonly term: number;
  /** 32-byte AES-256 key; zeroed by Keyring.zeroize(). */
  readonly key: Buffer;
  readonly installTime: Date;
}

/**
 * The barrier's keys. Serialized as binary rather than JSON so the key bytes never pass through
 * a JS string (strings cannot be zeroed):
 *
 *   [format u8 = 1][count u32] then per term: [term u32][install time ms u64][key 32]
 */
const FORMAT = 1;
const TERM_LENGTH = 4 + 8 + KEY_LENGTH;
const MAX_TERM = 0xffffffff;

export class Keyring {
  readonly #terms = new Map<number, KeyTerm>();
  #active: KeyTerm | undefined;

  /** A keyring holding term 1 with a fresh random key. */
  static create(now: Date = new Date()): Keyring {
    const ring = new Keyring();
    ring.#install({ term: 1, key: freshKey(), installTime: now });
    return ring;
  }

  static deserialize(bytes: Buffer): Keyring {
    const bad = () => new IntegrityError('keyring is malformed');
    if (bytes.length < 5 || bytes[0] !== FORMAT) throw bad();
    const count = bytes.readUInt32BE(1);
    if (count === 0 || bytes.length !== 5 + count * TERM_LENGTH) throw bad();
    const ring = new Keyring();
    for (let i = 0; i < count; i++) {
      const at = 5 + i * TERM_LENGTH;
      const term = bytes.readUInt32BE(at);
      if (term === 0 || ring.#terms.has(term)) throw bad();
      const key = copyKey(bytes.subarray(at + 12, at + 12 + KEY_LENGTH));
      ring.#install({ term, key, installTime: new Date(Number(bytes.readBigUInt64BE(at + 4))) });
    }
    return ring;
  }

  /** The bytes to store (encrypted). The caller zeroes them once encrypted. */
  serialize(): Buffer {
    const terms = [...this.#terms.values()].sort((a, b) => a.term - b.term);
    const out = Buffer.alloc(5 + terms.length * TERM_LENGTH);
    out[0] = FORMAT;
    out.writeUInt32BE(terms.length, 1);
    terms.forEach((t, i) => {
      const at = 5 + i * TERM_LENGTH;
      out.writeUInt32BE(t.term, at);
      out.writeBigUInt64BE(BigInt(t.installTime.getTime()), at + 4);
      t.key.copy(out, at + 12);
    });
    return out;
  }

  get active(): KeyTerm {
    if (this.#active === undefined) throw new Error('keyring is empty');
    return this.#active;
  }

  term(term: number): KeyTerm | undefined {
    return this.#terms.get(term);
  }

  get terms(): KeyTerm[] {
    return [...this.#terms.values()];
  }

  /** A copy of this keyring plus a new active term with a fresh key (this keyring is unchanged). */
  withNewTerm(now: Date = new Date()): Keyring {
    const next = this.active.term + 1;
    if (next > MAX_TERM) throw new Error('keyring term space exhausted');
    const ring = new Keyring();
    for (const t of this.#terms.values()) ring.#install({ ...t, key: copyKey(t.key) });
    ring.#install({ term: next, key: freshKey(), installTime: now });
    return ring;
  }

  /** Fills every key with zeros. The keyring is unusable afterwards. */
  zeroize(): void {
    for (const t of this.#terms.values()) t.key.fill(0);
  }

  #install(t: KeyTerm): void {
    this.#terms.set(t.term, t);
    if (this.#active === undefined || t.term > this.#active.term) this.#active = t;
  }
}

/** Keys live in their own (unpooled) allocation so zeroing one touches nothing else. */
function copyKey(source: Buffer): Buffer {
  const key = Buffer.alloc(KEY_LENGTH);
  source.copy(key);
  return key;
}

function freshKey(): Buffer {
  const random = randomBytes(KEY_LENGTH);
  const key = copyKey(random);
  random.fill(0);
  return key;
}
