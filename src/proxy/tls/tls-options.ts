import type { ServerOptions } from 'node:https';
import tls from 'node:tls';

/** The oldest protocol the proxy speaks: TLS 1.0 and 1.1 are deprecated (RFC 8996). */
export const TLS_MIN_VERSION = 'TLSv1.2';

/**
 * Mozilla's "intermediate" list: forward-secret AEAD suites only, ECDSA before RSA, AES-GCM and ChaCha20. The
 * TLS 1.3 suites are named so that the whole policy is in one place (OpenSSL would pick the same by default).
 */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export const TLS_CURVES = 'X25519:prime256v1:secp384r1';

/** Only HTTP/1.1 is offered by ALPN; HTTP/2 is not implemented by the proxy yet. */
export const ALPN_PROTOCOLS: readonly string[] = ['http/1.1'];

/** A private key and its certificate chain (leaf first), both PEM. */
export interface KeyCertPair {
  readonly key: string;
  readonly cert: string;
}

/** The protocol policy shared by the server's own context and every context that SNI hands out. */
export function tlsPolicyOptions(): tls.SecureContextOptions {
  return {
    minVersion: TLS_MIN_VERSION,
    ciphers: TLS_CIPHERS,
    ecdhCurve: TLS_CURVES,
    // Mozilla intermediate: clients pick (they know whether they have AES hardware).
    honorCipherOrder: false,
  };
}

/** A secure context for one certificate with the proxy's policy. Throws what OpenSSL throws for a bad pair. */
export function createCertificateContext(pair: KeyCertPair): tls.SecureContext {
  return tls.createSecureContext({ ...tlsPolicyOptions(), key: pair.key, cert: pair.cert });
}

/**
 * Options for `https.createServer` / `tls.createServer`: the policy, ALPN, and `SNICallback` choosing the
 * certificate per handshake. `fallback` is the certificate for clients that send no server name (SNICallback is
 * not called for them); `SniCertificates.attach` keeps it current afterwards.
 */
export function httpsServerOptions(options: {
  readonly SNICallback: NonNullable<tls.TlsOptions['SNICallback']>;
  readonly fallback?: KeyCertPair | undefined;
}): ServerOptions {
  return {
    ...tlsPolicyOptions(),
    ...(options.fallback ? { key: options.fallback.key, cert: options.fallback.cert } : {}),
    ALPNProtocols: [...ALPN_PROTOCOLS],
    SNICallback: options.SNICallback,
  };
}
