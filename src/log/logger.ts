import { pino, type Logger as PinoLogger } from 'pino';

/** The one logger interface: constant message, data in fields. Passed in, never global. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** Field names whose values are never written, wherever they appear in a log record. */
const REDACTED_PATHS = ['password', 'secret', 'token', '*.password', '*.secret', '*.token', 'env', '*.env', 'environment', '*.environment'];

/** A JSON-lines logger (the daemon's), secrets redacted at the logger. */
export function jsonLogger(destination: string | number): Logger {
  const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '•••' }, base: undefined }, pino.destination({ dest: destination, sync: true, mkdir: true }));
  return wrap(logger);
}

/** A logger that drops everything (library defaults and tests). */
export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

function wrap(logger: PinoLogger): Logger {
  return {
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
    child: (bindings) => wrap(logger.child(bindings)),
  };
}
