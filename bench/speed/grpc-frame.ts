/** A gRPC length-prefixed message: flag 0 (uncompressed), 4-byte big-endian length, the bytes. */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}
