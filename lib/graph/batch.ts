// JSON batching (learn.microsoft.com/graph/json-batching) on the one Graph client: many GETs in
// few HTTP requests. Graph takes up to 20 requests per POST /$batch and throttles each on its own,
// so a request inside can answer 429 (or 503/504) with its own Retry-After inside a 200 that the
// SDK's retry handler never sees: such requests are sent again here, in a new batch, after the
// longest Retry-After among them, up to the client's retry count. Every answer is per request: a
// value, or a GraphRequestError with Graph's code and request id.
//
// Only GETs are batched: sending them again changes nothing, so the envelope itself may be sent
// again on 503/504 too ("idempotent" in the client's terms).
import type { GraphClient } from "./client";
import { GraphRequestError } from "./errors";

/** Requests Graph accepts in one batch. */
export const BATCH_LIMIT = 20;
/** Batches of one call in flight at once: enough to overlap round trips, few enough not to
 * trip Graph's concurrency limits. */
const CONCURRENT_BATCHES = 4;
const RETRIED = [429, 503, 504];

export interface BatchGet {
  /** Relative to the version, e.g. /users/{id}?$select=id. */
  url: string;
  headers?: Record<string, string>;
}

export type BatchAnswer<T> = { ok: true; value: T } | { ok: false; error: GraphRequestError };

interface BatchResponse {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: {
    error?: { code?: string; message?: string; innerError?: Record<string, string> };
  } & Record<string, unknown>;
}

function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? headers?.[key] : undefined;
}

function errorOf(request: BatchGet, r: BatchResponse): GraphRequestError {
  const error = r.body?.error;
  const retryAfter = Number(headerOf(r.headers, "Retry-After") ?? Number.NaN);
  return new GraphRequestError(
    "GET",
    request.url,
    r.status,
    error?.code ?? "UnknownError",
    error?.message ?? `answered ${r.status} inside a $batch`,
    error?.innerError?.["request-id"] ?? headerOf(r.headers, "request-id"),
    Number.isFinite(retryAfter) ? retryAfter : undefined,
  );
}

/** Sends `requests` (any number) as GETs in batches of up to 20 and answers each in order. A
 * batch of one is sent as a plain GET. An error of the envelope itself is every request's. */
export async function batchGet<T = unknown>(
  graph: GraphClient,
  requests: readonly BatchGet[],
): Promise<Array<BatchAnswer<T>>> {
  const answers: Array<BatchAnswer<T>> = new Array(requests.length);
  const chunks: number[][] = [];
  for (let i = 0; i < requests.length; i += BATCH_LIMIT) {
    chunks.push(Array.from({ length: Math.min(BATCH_LIMIT, requests.length - i) }, (_, k) => i + k));
  }
  let next = 0;
  const worker = async () => {
    for (let c = next++; c < chunks.length; c = next++) await sendChunk(graph, requests, chunks[c], answers);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_BATCHES, chunks.length) }, worker));
  return answers;
}

async function sendChunk<T>(
  graph: GraphClient,
  requests: readonly BatchGet[],
  indices: number[],
  answers: Array<BatchAnswer<T>>,
): Promise<void> {
  if (indices.length === 1) {
    const [i] = indices;
    try {
      answers[i] = { ok: true, value: await graph.get<T>(requests[i].url, requestOptions(requests[i])) };
    } catch (e) {
      if (!(e instanceof GraphRequestError)) throw e;
      answers[i] = { ok: false, error: e };
    }
    return;
  }
  let pending = indices;
  for (let attempt = 0; pending.length > 0; attempt++) {
    let responses: BatchResponse[];
    try {
      const answer = await graph.post<{ responses?: BatchResponse[] }>(
        "/$batch",
        {
          requests: pending.map((i) => ({
            id: String(i),
            method: "GET",
            url: requests[i].url,
            ...(requests[i].headers ? { headers: requests[i].headers } : {}),
          })),
        },
        // GETs only: the batch may be sent again whatever Graph answered.
        { retry: "idempotent" },
      );
      responses = answer.responses ?? [];
    } catch (e) {
      if (!(e instanceof GraphRequestError)) throw e;
      for (const i of pending) answers[i] = { ok: false, error: e };
      return;
    }
    const again: number[] = [];
    let waitSeconds = 0;
    for (const i of pending) {
      const r = responses.find((x) => x.id === String(i));
      if (!r) {
        answers[i] = {
          ok: false,
          error: new GraphRequestError(
            "GET",
            requests[i].url,
            502,
            "UnknownError",
            "no answer in the $batch response",
            undefined,
          ),
        };
      } else if (r.status < 400) {
        answers[i] = { ok: true, value: r.body as T };
      } else {
        const error = errorOf(requests[i], r);
        if (RETRIED.includes(r.status) && attempt < graph.maxRetries) {
          again.push(i);
          waitSeconds = Math.max(
            waitSeconds,
            error.retryAfterSeconds ?? graph.retryDelaySeconds * 2 ** attempt,
          );
        } else answers[i] = { ok: false, error };
      }
    }
    if (again.length > 0) await graph.consistency.clock.sleep(waitSeconds * 1000);
    pending = again;
  }
}

function requestOptions(r: BatchGet): { advanced?: boolean } {
  return headerOf(r.headers, "ConsistencyLevel") === "eventual" ? { advanced: true } : {};
}

/** The items of a collection page and of every page after it (@odata.nextLink). */
export async function allPages<T>(
  graph: GraphClient,
  first: { value?: T[]; "@odata.nextLink"?: string },
): Promise<T[]> {
  const items = [...(first.value ?? [])];
  let link = first["@odata.nextLink"];
  while (link) {
    const page = await graph.get<{ value?: T[]; "@odata.nextLink"?: string }>(link);
    items.push(...(page.value ?? []));
    link = page["@odata.nextLink"];
  }
  return items;
}
