const SLASH = 0x2f;
const STAR = 0x2a;
const COLON = 0x3a;

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The characters of an authority as llhttp reads them: unreserved, sub-delims, `%`, `:`, `@`, `[`, `]`. */
const AUTHORITY = (() => {
  const t = new Uint8Array(256);
  for (const ch of "-._~!$&'()*+,;=%:@[]") t[ch.charCodeAt(0)] = 1;
  for (let c = 0; c < 256; c++) if (isAlpha(c) || isDigit(c)) t[c] = 1;
  return t;
})();

/**
 * Whether a request-target (already free of whitespace and CTLs) has a form its method allows (RFC 9112 §3.2):
 * authority-form (`host:port`) for CONNECT and only there; asterisk-form (`*`) for OPTIONS only; otherwise
 * origin-form (`/…`) or absolute-form (`scheme://authority…`, scheme letters only and the `//` required, as llhttp).
 */
export function isValidTargetForm(method: string, target: string): boolean {
  if (method === 'CONNECT') return isAuthorityForm(target);
  const c0 = target.charCodeAt(0);
  if (c0 === SLASH) return true;
  if (c0 === STAR) return target.length === 1 && method === 'OPTIONS';
  let i = 0;
  while (isAlpha(target.charCodeAt(i))) i++;
  if (i === 0 || target.charCodeAt(i) !== COLON || !target.startsWith('//', i + 1)) return false;
  const authorityStart = i + 3;
  for (i = authorityStart; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c === SLASH || c === 0x3f /* ? */) break;
    if (AUTHORITY[c] !== 1) return false;
  }
  return i > authorityStart;
}

/** `uri-host ":" port`: a non-empty host of authority characters (no userinfo), a colon, 1*DIGIT. */
function isAuthorityForm(target: string): boolean {
  const colon = target.lastIndexOf(':');
  if (colon <= 0 || colon === target.length - 1) return false;
  for (let i = 0; i < colon; i++) {
    const c = target.charCodeAt(i);
    if (AUTHORITY[c] !== 1 || c === 0x40 /* @ */) return false;
  }
  for (let i = colon + 1; i < target.length; i++) if (!isDigit(target.charCodeAt(i))) return false;
  return true;
}
