/**
 * bench:load's baseline: a bare Socket.IO server (the same installed version as Parley's, the same
 * transport options as server/src/gateway/attach.ts) with a `/widget` namespace and nothing else:
 * no middleware, no rooms, no listeners. What Parley holds per connection beyond this is Parley's.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

const server = http.createServer();
const io = new Server(server, {
  serveClient: false,
  maxHttpBufferSize: 1_000_000, // as the gateway's maxPayloadBytes (not imported: that would load Parley here)
  cors: { origin: true, credentials: false },
});
io.of('/widget');
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`bare socket.io at http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.once('SIGTERM', () => {
  io.close();
  process.exit(0);
});
