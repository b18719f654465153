/**
 * observeStream passes `messages` through and calls `done` exactly once when
 * the stream ends: with the error it failed with, or undefined when it
 * completed. `done` also runs when the consumer stops early (`return()`,
 * e.g. on cancellation), so interceptors can measure and log streams as they
 * do unary calls.
 */
export async function* observeStream<T>(messages: AsyncIterable<T>, done: (error: unknown) => void): AsyncIterable<T> {
  let failure: unknown;
  try {
    yield* messages;
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    done(failure);
  }
}
