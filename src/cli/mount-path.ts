/** Mount paths as the CLI prints and sends them: no leading slash, one trailing slash. */
export function withSlash(path: string): string {
  const trimmed = path.replace(/^\/+/, '');
  return trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}
