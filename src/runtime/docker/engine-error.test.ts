import { describe, expect, it } from 'vitest';
import { BerthError } from '../../errors.js';
import { engineError } from './engine-error.js';

/** A failure shaped as docker-modem reports an HTTP error from the Engine. */
function httpError(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) ${message}`), { statusCode, json: { message } });
}

describe('engineError', () => {
  it.each([
    ['a missing image', httpError(404, 'No such image: shop/web:1'), 'RUNTIME_START_FAILED', /image shop\/web:1 is not on this Docker engine/, /docker load/],
    ['a missing container', httpError(404, 'No such container: abc'), 'RUNTIME_UNKNOWN_INSTANCE', /no such container/, undefined],
    ['a name in use', httpError(409, 'Conflict. The container name "/shop-web-1" is already in use'), 'RUNTIME_START_FAILED', /already in use/, /docker rm/],
    ['a state conflict', httpError(409, 'container abc is not running'), 'RUNTIME_INSTANCE_STATE', /not running/, undefined],
    ['a taken port', httpError(500, 'driver failed programming external connectivity: Bind for 127.0.0.1:80 failed: port is already allocated'), 'RUNTIME_PORT_IN_USE', /port is already allocated/, /free the port/],
    ['anything else', httpError(500, 'OCI runtime create failed: exec: "nope": executable file not found'), 'RUNTIME_START_FAILED', /executable file not found/, undefined],
  ])('maps %s to a clear BerthError', (_name, error, code, message, hint) => {
    const mapped = engineError(error, { code: 'RUNTIME_START_FAILED', what: 'start replica x', image: 'shop/web:1' });
    expect(mapped).toBeInstanceOf(BerthError);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toMatch(message);
    if (hint) expect(mapped.hint).toMatch(hint);
    expect(mapped.cause).toBe(error);
  });

  it.each(['ECONNREFUSED', 'ENOENT'])('says how to start the daemon and where berth looked when the socket answers %s', (errno) => {
    const error = Object.assign(new Error(`connect ${errno} /run/docker.sock`), { code: errno });
    const mapped = engineError(error, { code: 'RUNTIME_STATE', what: 'list the containers of stack s', address: 'unix:///run/docker.sock' });
    expect(mapped.code).toBe('RUNTIME_STATE');
    expect(mapped.message).toContain('the Docker daemon at unix:///run/docker.sock cannot be reached');
    expect(mapped.hint).toMatch(/dockerd.*systemctl start docker.*DOCKER_HOST/);
  });

  it('passes a BerthError through unchanged', () => {
    const original = new BerthError('RUNTIME_INSTANCE_STATE', 'already running');
    expect(engineError(original, { code: 'RUNTIME_START_FAILED', what: 'start' })).toBe(original);
  });
});
