import net from 'node:net';

/** Raised when a port DustMail should listen on is held by another process. */
export class PortBusyError extends Error {
  constructor(
    readonly what: string,
    readonly host: string,
    readonly port: number,
    options?: ErrorOptions,
  ) {
    super(
      `The ${what} port ${host}:${port} is not available; is another DustMail running?`,
      options,
    );
    this.name = 'PortBusyError';
  }
}

/** Fails with PortBusyError when something else already listens on the port. */
export function assertPortFree(what: string, host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err) => reject(new PortBusyError(what, host, port, { cause: err })));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
