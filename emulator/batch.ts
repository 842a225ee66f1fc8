// JSON batching (learn.microsoft.com/graph/json-batching; graph-facts.md "Errors, paging,
// batching, throttling"): POST /v1.0/$batch with {requests: [{id, method, url, headers, body,
// dependsOn}]}, at most 20, ids unique, urls relative to the version. Graph answers 200 with
// {responses: [{id, status, headers, body}]}; every inner request is authorised, throttled and
// failed on its own, so a throttled one answers 429 with its own Retry-After inside the 200. A
// request whose dependency failed answers 424 Failed Dependency.
//
// Each inner request is run through the emulator's own routes (Fastify's inject) with the batch's
// token, so permissions, injected faults, the replication delay and the request log apply to it as
// to a direct call. The log keeps the outer call too ("POST /v1.0/$batch") and marks the inner ones
// with the outer's request id, so tests can count HTTP requests and inner requests apart.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { badRequest, type GraphHttp, GraphHttpError, requestIdOf } from "./graphHttp";

/** Requests one batch may hold (the JSON batching page: "up to 20"). */
export const BATCH_LIMIT = 20;

interface InnerRequest {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

interface InnerResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** Response headers an inner answer carries (Graph sends a few; these are the ones that matter). */
const KEPT_HEADERS = ["content-type", "retry-after", "location", "x-ms-throttle-scope"];

const METHODS = new Set(["GET", "POST", "PATCH", "PUT", "DELETE"]);

/** Checks the body's shape the way Graph refuses a malformed batch: 400 before any request runs.
 * (unv) the wording of each message; the limit, unique ids and relative urls are documented. */
function parseRequests(body: unknown): InnerRequest[] {
  const requests = (body as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(requests)) throw badRequest("Invalid batch payload format: 'requests' is required.");
  if (requests.length === 0) throw badRequest("Invalid batch payload format: 'requests' is empty.");
  if (requests.length > BATCH_LIMIT) {
    throw new GraphHttpError(
      400,
      "BadRequest",
      `Number of batch requests exceeds the limit of ${BATCH_LIMIT}: ${requests.length}.`,
    );
  }
  const ids = new Set<string>();
  const out: InnerRequest[] = [];
  for (const r of requests as Array<Record<string, unknown>>) {
    const id = r?.id;
    if (typeof id !== "string" || id === "")
      throw badRequest("Invalid batch payload format: each request needs an id.");
    if (ids.has(id)) throw badRequest(`Invalid batch payload format: the request id '${id}' is not unique.`);
    ids.add(id);
    const method = typeof r.method === "string" ? r.method.toUpperCase() : "";
    if (!METHODS.has(method))
      throw badRequest(`Invalid batch payload format: request '${id}' has no valid method.`);
    if (
      typeof r.url !== "string" ||
      /^[a-z]+:\/\//i.test(r.url) ||
      r.url.replace(/^\//, "").startsWith("$batch")
    ) {
      throw badRequest(`Invalid batch payload format: request '${id}' needs a url relative to the version.`);
    }
    const dependsOn = r.dependsOn;
    if (
      dependsOn !== undefined &&
      (!Array.isArray(dependsOn) || dependsOn.some((d) => !ids.has(String(d))))
    ) {
      // A dependency must be an earlier request of the same batch.
      throw badRequest(`Invalid batch payload format: request '${id}' depends on an unknown request.`);
    }
    out.push({
      id,
      method,
      url: r.url,
      headers: (r.headers as Record<string, string> | undefined) ?? undefined,
      body: r.body,
      dependsOn: dependsOn as string[] | undefined,
    });
  }
  return out;
}

export function registerBatch(app: FastifyInstance, http: GraphHttp): void {
  app.post("/v1.0/$batch", async (req: FastifyRequest) => {
    // The batch itself needs a valid token; what each request may do is checked on its own.
    await http.authenticate(req);
    const requests = parseRequests(req.body);
    const outerId = requestIdOf(req);
    const status = new Map<string, number>();
    const responses: InnerResponse[] = [];
    // In order: dependsOn names earlier requests only, so their answers are known by then.
    for (const r of requests) {
      const failedDependency = r.dependsOn?.find((d) => (status.get(d) ?? 0) >= 400);
      if (failedDependency !== undefined) {
        status.set(r.id, 424);
        responses.push({
          id: r.id,
          status: 424,
          headers: { "content-type": "application/json" },
          body: {
            error: {
              code: "FailedDependency",
              message: `The request depends on request '${failedDependency}', which failed.`,
            },
          },
        });
        continue;
      }
      const answer = await app.inject({
        method: r.method as "GET",
        url: `/v1.0/${r.url.replace(/^\//, "")}`,
        headers: {
          ...(r.headers ?? {}),
          authorization: String(req.headers.authorization ?? ""),
          host: String(req.headers.host ?? ""),
          ...(r.body !== undefined ? { "content-type": "application/json" } : {}),
          [http.innerBatchHeader]: http.innerBatchMark(outerId),
        },
        ...(r.body !== undefined ? { payload: JSON.stringify(r.body) } : {}),
      });
      status.set(r.id, answer.statusCode);
      const headers: Record<string, string> = {};
      for (const name of KEPT_HEADERS) {
        const v = answer.headers[name];
        if (v !== undefined) headers[name === "retry-after" ? "Retry-After" : name] = String(v);
      }
      const text = answer.body;
      let body: unknown;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      responses.push({
        id: r.id,
        status: answer.statusCode,
        headers,
        ...(body !== undefined ? { body } : {}),
      });
    }
    return { responses };
  });
}
