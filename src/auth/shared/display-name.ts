/**
 * The display name Vault gives tokens of an auth mount: the mount path without `auth/` and the
 * trailing slash, slashes as dashes, then `-<name>` when the method names the user
 * (`auth/userpass/` + `alice` → `userpass-alice`; `auth/approle/` → `approle`).
 */
export function authDisplayName(mountPath: string, name?: string): string {
  const prefix = mountPath
    .replace(/^auth\//, '')
    .replace(/\/+$/, '')
    .replaceAll('/', '-');
  if (name === undefined || name === '') return prefix;
  return prefix === '' ? name : `${prefix}-${name}`;
}
