import net from 'node:net';

/**
 * A port no one listens on, chosen by the kernel (bind to port 0 on loopback, read it, close).
 * Ports picked at random from a small range collided between test files running at once
 * (CI: "port 4369 is already in use", the child exited and the test waited 60 s).
 */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}
