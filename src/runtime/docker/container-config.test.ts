import { describe, expect, it } from 'vitest';
import { stackName } from '../../model/ids.js';
import type { Service } from '../../model/stack.js';
import { conformanceService } from '../conformance.js';
import type { InstanceSpec } from '../runtime.js';
import { containerConfig, containerName, imageOf } from './container-config.js';

function specOf(overrides: Partial<Service> = {}, replica = 2): InstanceSpec {
  return {
    stack: stackName('shop'), projectDir: '/srv/shop', replica, env: { BERTH_SERVICE: 'web', BERTH_REPLICA: String(replica) },
    service: conformanceService('web', { image: 'shop/web:1', ...overrides }),
  };
}

describe('containerConfig', () => {
  it('names the container <stack>-<service>-<replica> and labels it as compose and berth do', () => {
    const spec = specOf({ labels: { team: 'a' } });
    const config = containerConfig(spec);
    expect(config.name).toBe('shop-web-2');
    expect(config.Labels).toMatchObject({
      team: 'a', 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web',
      'com.docker.compose.container-number': '2', 'dev.berth.stack': 'shop',
    });
    expect(JSON.parse(config.Labels?.['dev.berth.spec'] ?? '')).toEqual(spec);
  });

  it('publishes every declared TCP container port on 127.0.0.1 with an ephemeral host port', () => {
    const config = containerConfig(specOf({
      ports: [{ target: 80, published: '8080', protocol: 'tcp', mode: 'ingress' }, { target: 53, protocol: 'udp', mode: 'ingress' }],
      expose: ['9000-9001', '7000/udp'],
    }));
    expect(Object.keys(config.ExposedPorts ?? {})).toEqual(['80/tcp', '9000/tcp', '9001/tcp']);
    expect(config.HostConfig?.PortBindings).toEqual({
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }], '9000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }], '9001/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
    });
  });

  it('passes command, entrypoint, environment (berth\'s last, unset names dropped), user, working folder and stop settings', () => {
    const config = containerConfig(specOf({
      command: ['serve', '--port', '80'], entrypoint: ['/bin/app'], environment: { A: '1', UNSET: null, BERTH_SERVICE: 'mine' },
      user: '1000:1000', workingDir: '/app', stopSignal: 'SIGINT', stopGracePeriodMs: 2500,
    }));
    expect(config).toMatchObject({
      Image: 'shop/web:1', Cmd: ['serve', '--port', '80'], Entrypoint: ['/bin/app'], User: '1000:1000', WorkingDir: '/app',
      StopSignal: 'SIGINT', StopTimeout: 3, Env: ['A=1', 'BERTH_SERVICE=web', 'BERTH_REPLICA=2'],
    });
  });

  it('leaves restarts to berth and runs an init process unless the service says init: false', () => {
    expect(containerConfig(specOf()).HostConfig).toMatchObject({ RestartPolicy: { Name: 'no' }, Init: true });
    expect(containerConfig(specOf({ other: { init: false } })).HostConfig).toMatchObject({ Init: false });
  });

  it('keeps the image\'s own command when the service has none', () => {
    const config = containerConfig(specOf());
    expect(config.Cmd).toBeUndefined();
    expect(config.Entrypoint).toBeUndefined();
  });

  it('uses compose\'s built-image name when the service has no image, and replaces characters Docker refuses in names', () => {
    const spec = { ...specOf({ image: undefined }), stack: stackName('My Shop') };
    expect(imageOf(spec)).toBe('my shop-web');
    expect(containerName(spec)).toBe('My_Shop-web-2');
  });
});
