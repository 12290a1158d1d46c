import dgram from 'node:dgram';

import * as packet from 'dns-packet';

/** The records a test zone answers with, by lower-case name. */
export interface Zone {
  txt?: Record<string, string[][]>;
  mx?: Record<string, { exchange: string; preference: number }[]>;
}

/** A DNS server on loopback answering from a zone a test can change. */
export interface TestDnsServer {
  /** `127.0.0.1:<port>`, for a resolver's server list. */
  address: string;
  zone: Zone;
  close(): Promise<void>;
}

function answersFor(zone: Zone, question: packet.Question): packet.Answer[] {
  const name = question.name.toLowerCase();
  if (question.type === 'TXT') {
    return (zone.txt?.[name] ?? []).map((strings) => ({
      type: 'TXT' as const,
      name: question.name,
      ttl: 60,
      data: strings.map((text) => Buffer.from(text)),
    }));
  }
  if (question.type === 'MX') {
    return (zone.mx?.[name] ?? []).map((record) => ({
      type: 'MX' as const,
      name: question.name,
      ttl: 60,
      data: record,
    }));
  }
  return [];
}

/** Starts a UDP DNS server on 127.0.0.1 at a free port; a name not in the zone gets no answers. */
export async function startDnsServer(zone: Zone = {}): Promise<TestDnsServer> {
  const socket = dgram.createSocket('udp4');
  const server: TestDnsServer = { address: '', zone, close: async () => undefined };

  socket.on('message', (message, remote) => {
    const query = packet.decode(message);
    const question = query.questions?.[0];
    const reply = packet.encode({
      id: query.id,
      type: 'response',
      flags: packet.AUTHORITATIVE_ANSWER | packet.RECURSION_DESIRED,
      questions: query.questions,
      answers: question ? answersFor(server.zone, question) : [],
    });
    socket.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));

  server.address = `127.0.0.1:${socket.address().port}`;
  server.close = () => new Promise<void>((resolve) => socket.close(() => resolve()));
  return server;
}
