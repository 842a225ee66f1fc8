// The Graph error a call must end in, for assertions on Graph's status, code and message.
import assert from "node:assert/strict";
import { GraphRequestError } from "../../lib/graph/client";

export async function graphError(p: Promise<unknown>): Promise<GraphRequestError> {
  const err = await p.then(
    () => undefined,
    (e) => e,
  );
  assert.ok(err instanceof GraphRequestError, `expected a Graph error, got ${String(err)}`);
  return err;
}
