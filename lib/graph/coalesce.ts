// Concurrent reads coalesced into few requests. One provider process serves every resource of a
// deployment phase at once, so a wave's users read the same kinds of things at the same moments
// (each user's refresh, each poll of a shared sync wait). Reads queued within a short window are
// sent together:
// - reads of objects by a key (users by id, UPN or mail) become `$filter=<key> in (...)` requests
//   of up to 15 values (Graph's default limit for `in`, graph-facts.md), and a lone read stays the
//   plain request it would have been (GET /users/{id}: same path, same 404);
// - every request of the window goes out through JSON batching (./batch), 20 per HTTP request.
// Each caller gets its own answer or its own error (a failed filter request is the error of the
// callers it served; a 400 on one is split up and retried per value, so that one odd value does
// not fail its neighbours). Nothing is cached: a read made after an answer is a new read, so the
// consistency rules (N reads in a row, ./consistency) hold per caller.
import { allPages, batchGet } from "./batch";
import type { GraphClient } from "./client";
import { GraphRequestError } from "./errors";

/** Values of one `in (...)` filter. */
export const IN_LIMIT = 15;
/** How long the first read of a window waits for others: long enough for the reads a phase
 * issues together (they arrive over a few milliseconds), short against a Graph round trip. */
export const DEFAULT_WINDOW_MS = 15;

type Json = Record<string, unknown>;

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Reads of one collection by one key with one query, waiting for the window to close. */
interface KeyedQueue {
  collection: string;
  key: string;
  query: string;
  /** The plain request for one value, and how its answer maps to rows (a 404: none). */
  single: (value: string) => string;
  /** By lower-cased value: the value as given, and who waits for its rows. */
  waiting: Map<string, { value: string; waiters: Array<Waiter<Json[]>> }>;
}

interface Planned {
  url: string;
  /** Delivers the answer (or error) of `url` to its callers. */
  deliver(answer: { ok: true; value: unknown } | { ok: false; error: GraphRequestError }): Promise<void>;
}

const quoted = (value: string) => `'${encodeURIComponent(value.replace(/'/g, "''"))}'`;

export class ReadCoalescer {
  private readonly plain = new Map<string, Array<Waiter<unknown>>>();
  private readonly keyed = new Map<string, KeyedQueue>();
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;
  /** HTTP requests and requests sent so far, for tests and benchmarks. */
  readonly counts = { flushes: 0, requests: 0 };

  constructor(
    private readonly graph: GraphClient,
    private readonly windowMs = DEFAULT_WINDOW_MS,
  ) {}

  /** GET `url` (relative to the version), sent with the other reads of the window. */
  get<T>(url: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiters = this.plain.get(url) ?? [];
      waiters.push({ resolve: resolve as (v: unknown) => void, reject });
      this.plain.set(url, waiters);
      this.schedule();
    });
  }

  /**
   * The objects of `collection` whose `key` equals `value` (case-insensitively, as Graph compares
   * these keys), read with `query` (e.g. "$select=..."). `single(value)` is the plain request for
   * one object (e.g. /users/{id}?$select=...) used when the window holds only this value; its 404
   * means none.
   */
  byKey(
    collection: string,
    key: string,
    value: string,
    query: string,
    single: (value: string) => string,
  ): Promise<Json[]> {
    return new Promise<Json[]>((resolve, reject) => {
      const id = `${collection}|${key}|${query}`;
      let queue = this.keyed.get(id);
      if (!queue) {
        queue = { collection, key, query, single, waiting: new Map() };
        this.keyed.set(id, queue);
      }
      const lower = value.toLowerCase();
      const entry = queue.waiting.get(lower) ?? { value, waiters: [] };
      entry.waiters.push({ resolve, reject });
      queue.waiting.set(lower, entry);
      this.schedule();
    });
  }

  /** The next flush waits for the window, and for the flush in flight: reads that arrive during
   * a round trip gather for the next one, so batches grow with the load instead of the number of
   * requests growing with it. */
  private schedule(): void {
    if (this.timer || this.flushing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = true;
      this.flush()
        .catch(() => undefined)
        .finally(() => {
          this.flushing = false;
          if (this.plain.size > 0 || this.keyed.size > 0) this.schedule();
        });
    }, this.windowMs);
  }

  /** Sends what the window gathered. */
  private async flush(): Promise<void> {
    const plain = [...this.plain];
    const keyed = [...this.keyed.values()];
    this.plain.clear();
    this.keyed.clear();
    const planned: Planned[] = [];
    for (const [url, waiters] of plain) {
      planned.push({
        url,
        deliver: async (a) => {
          for (const w of waiters) a.ok ? w.resolve(a.value) : w.reject(a.error);
        },
      });
    }
    for (const queue of keyed) planned.push(...this.plan(queue, [...queue.waiting.values()]));
    this.counts.flushes++;
    this.counts.requests += planned.length;
    await this.send(planned);
  }

  private async send(planned: Planned[]): Promise<void> {
    let answers: Awaited<ReturnType<typeof batchGet>>;
    try {
      answers = await batchGet(
        this.graph,
        planned.map((p) => ({ url: p.url })),
      );
    } catch (e) {
      // Not Graph's answer (the network, the token): every caller's error.
      const error = e instanceof GraphRequestError ? e : (e as Error);
      await Promise.all(planned.map((p) => p.deliver({ ok: false, error: error as GraphRequestError })));
      return;
    }
    await Promise.all(planned.map((p, i) => p.deliver(answers[i])));
  }

  /** The requests that answer `entries` of one keyed queue. */
  private plan(
    queue: KeyedQueue,
    entries: Array<{ value: string; waiters: Array<Waiter<Json[]>> }>,
  ): Planned[] {
    const settle = (entry: (typeof entries)[number], rows: Json[] | Error) => {
      for (const w of entry.waiters) rows instanceof Error ? w.reject(rows) : w.resolve(rows);
    };
    if (entries.length === 1) {
      const [entry] = entries;
      return [
        {
          url: queue.single(entry.value),
          deliver: async (a) => {
            if (a.ok) {
              // A plain read answers the object, or a collection when it is itself a filter.
              const v = a.value as Json;
              if (!Array.isArray(v.value)) settle(entry, [v]);
              else {
                try {
                  settle(entry, await allPages<Json>(this.graph, v as { value?: Json[] }));
                } catch (e) {
                  settle(entry, e as Error);
                }
              }
            } else if (a.error.status === 404) settle(entry, []);
            else settle(entry, a.error);
          },
        },
      ];
    }
    const out: Planned[] = [];
    for (let i = 0; i < entries.length; i += IN_LIMIT) {
      const chunk = entries.slice(i, i + IN_LIMIT);
      const list = chunk.map((e) => quoted(e.value)).join(",");
      out.push({
        url: `${queue.collection}?$filter=${queue.key} in (${list})&${queue.query}&$top=999`,
        deliver: async (a) => {
          if (!a.ok) {
            if (a.error.status === 400 && chunk.length > 1) {
              // One value Graph cannot take fails the filter: each value on its own instead.
              await this.send(chunk.map((e) => this.plan(queue, [e])[0]));
              return;
            }
            for (const e of chunk) settle(e, a.error);
            return;
          }
          let rows: Json[];
          try {
            rows = await allPages<Json>(this.graph, a.value as { value?: Json[] });
          } catch (e) {
            for (const entry of chunk) settle(entry, e as Error);
            return;
          }
          for (const entry of chunk) {
            const want = entry.value.toLowerCase();
            settle(
              entry,
              rows.filter((r) => String(r[queue.key] ?? "").toLowerCase() === want),
            );
          }
        },
      });
    }
    return out;
  }
}

const coalescers = new WeakMap<GraphClient, ReadCoalescer>();

/** The process's coalescer for this client (one per tenant and identity, like the client). */
export function coalescerFor(graph: GraphClient): ReadCoalescer {
  let c = coalescers.get(graph);
  if (!c) {
    c = new ReadCoalescer(graph);
    coalescers.set(graph, c);
  }
  return c;
}
