// The error every Graph call of the codebase ends in, in a module of its own so that the client
// and the consistency helper can both use it.

/** An error Graph returned, with what a person needs to act on it or to ask Microsoft about it. */
export class GraphRequestError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly code: string,
    readonly graphMessage: string,
    readonly requestId: string | undefined,
    /** Graph's Retry-After, in seconds, when it sent one. */
    readonly retryAfterSeconds?: number,
  ) {
    super(
      `${method} ${path} failed: ${status} ${code}: ${graphMessage}` +
        (requestId ? ` (request-id ${requestId})` : ""),
    );
    this.name = "GraphRequestError";
  }
}
