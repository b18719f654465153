import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/**
 * ErrorMapper turns a service's typed domain error into the `ConnectError` a
 * caller should see, or returns undefined for errors it does not know.
 */
export type ErrorMapper = (error: unknown) => ConnectError | undefined;

/**
 * createErrorInterceptor makes every failure a `ConnectError` with the right
 * code. `ConnectError`s pass through; known domain errors are mapped by
 * `mapError`; anything else becomes `INTERNAL` with a generic message, and the
 * original error rides along as `cause` for the log only: it is never sent.
 */
export function createErrorInterceptor(mapError: ErrorMapper): Interceptor {
  const convert = (error: unknown): ConnectError => {
    if (error instanceof ConnectError) return error;
    const mapped = mapError(error);
    if (mapped) return mapped;
    return new ConnectError("internal error", Code.Internal, undefined, undefined, error);
  };
  return (next) => async (request) => {
    try {
      const response = await next(request);
      if (!response.stream) return response;
      return { ...response, message: convertStream(response.message, convert) };
    } catch (error) {
      throw convert(error);
    }
  };
}

async function* convertStream<T>(messages: AsyncIterable<T>, convert: (error: unknown) => ConnectError): AsyncIterable<T> {
  try {
    yield* messages;
  } catch (error) {
    throw convert(error);
  }
}
