import type { DescMessage, Message } from "@bufbuild/protobuf";
import type { Interceptor } from "@connectrpc/connect";
import { badRequest } from "./bad-request.js";
import { strictInputViolations } from "./strict-input.js";

/**
 * createStrictInputInterceptor refuses, with `INVALID_ARGUMENT` and one field
 * violation per offending field, every request message that holds a NUL
 * character, an undefined enum value or fields its schema does not define
 * ({@link strictInputViolations}). It runs for every RPC of every service on
 * both listeners, on unary requests and on each message of a request stream,
 * so no handler has to repeat these checks and none can forget them.
 * (Unknown JSON fields and enum names are refused earlier, by the JSON
 * parser; see connect-listener.ts.)
 */
export function createStrictInputInterceptor(): Interceptor {
  return (next) => async (request) => {
    const schema = request.method.input;
    if (!request.stream) {
      check(schema, request.message);
      return next(request);
    }
    return next({ ...request, message: checkEach(schema, request.message) });
  };
}

function check(schema: DescMessage, message: Message): void {
  const violations = strictInputViolations(schema, message);
  if (violations.length > 0) throw badRequest(violations);
}

async function* checkEach<T extends Message>(schema: DescMessage, messages: AsyncIterable<T>): AsyncIterable<T> {
  for await (const message of messages) {
    check(schema, message);
    yield message;
  }
}
