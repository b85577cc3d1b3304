import type { Socket } from 'node:net';

/**
 * neo4j-driver cuts every Bolt message it sends into 1,400-byte buffers and writes each one to
 * the socket on its own: a scan batch's statement is a dozen writes, a trace's cell list a few.
 * On loopback each write is a system call that also runs the receiving side's TCP work, which
 * made socket writes ~5 % of a trace's time and ~13 % of a scan's on this machine's VM (CPU
 * profiles, docs/benchmarks.md). Corking the socket at the first write of a turn of the event
 * loop and uncorking it on the next tick hands the kernel all of that turn's buffers in one
 * writev: same bytes, same order, same turn.
 *
 * The driver offers no setting for this, so its channel's `write` is wrapped: `NodeChannel` of
 * neo4j-driver-bolt-connection 6.x (the file below), whose `_conn` is the net.Socket and whose
 * `_pending` queues writes before the connection is up. If a later driver moves or renames it,
 * nothing is wrapped and the driver works as it comes (`installed` says which).
 */

interface ChannelProto {
  write: (this: Channel, buffer: unknown) => void;
}
interface Channel {
  _conn?: Socket;
  _pending?: unknown[] | null;
}

let original: ChannelProto['write'] | undefined;
let proto: ChannelProto | undefined;

function channelPrototype(): ChannelProto | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal module of the driver, without types
    const mod = require('neo4j-driver-bolt-connection/lib/channel/node/node-channel.js') as { default?: { prototype?: ChannelProto } };
    const p = mod.default?.prototype;
    return p && typeof p.write === 'function' ? p : undefined;
  } catch {
    return undefined;
  }
}

function uncork(socket: Socket): void {
  socket.uncork();
}

/** Wraps the driver's channel write (once); true if the driver's channel was found. */
export function coalesceBoltWrites(on = true): boolean {
  proto ??= channelPrototype();
  if (!proto) return false;
  if (!on) {
    if (original) proto.write = original;
    original = undefined;
    return true;
  }
  if (original) return true;
  const write = proto.write;
  original = proto.write;
  proto.write = function corkedWrite(this: Channel, buffer: unknown): void {
    const socket = this._conn;
    if ((this._pending === null || this._pending === undefined) && socket !== undefined && socket.writableCorked === 0 && !socket.destroyed) {
      socket.cork();
      process.nextTick(uncork, socket);
    }
    write.call(this, buffer);
  };
  return true;
}

/** Whether Bolt writes are being coalesced. */
export function installed(): boolean {
  return original !== undefined;
}
