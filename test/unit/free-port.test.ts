import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports';

/**
 * Servers the tests spawn get their port from the kernel: CI failed once when two test files
 * picked the same random port from 4300–4799 ("port 4369 is already in use").
 */
describe('freePort', () => {
  it('gives distinct ports that a server can then listen on, on loopback', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(new Set(ports).size).toBe(20);
    for (const port of ports.slice(0, 3)) {
      const s = net.createServer();
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', resolve);
      });
      expect((s.address() as net.AddressInfo).port).toBe(port);
      await new Promise((r) => s.close(r));
    }
  });
});
