// PostgreSQL connection URLs as configuration: which ones Berth accepts, and how one
// is shown (in errors and logs) without its password.

/** postgres:// or postgresql:// (libpq's two spellings), parseable as a URL. */
export function isPostgresUrl(value: string): boolean {
  if (!/^postgres(ql)?:\/\//i.test(value)) return false;
  return URL.canParse(value);
}

/** The URL with its password, and any `password` query parameter, replaced by `***`. */
export function redactDatabaseUrl(value: string): string {
  if (!URL.canParse(value)) {
    // Not a URL we can take apart: hide everything between the scheme and an `@`.
    return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@').replace(/(password=)[^&]*/gi, '$1***');
  }
  const url = new URL(value);
  if (url.password !== '') url.password = '***';
  if (url.searchParams.has('password')) url.searchParams.set('password', '***');
  return url.toString();
}
