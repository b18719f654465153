import { ConnectError } from "@connectrpc/connect";

/**
 * rpcFailure awaits a call that must fail and returns its error as a
 * ConnectError (code, message, details); a call that succeeds fails the test.
 */
export async function rpcFailure(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to fail");
}
