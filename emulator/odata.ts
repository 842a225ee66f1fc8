// The OData query options the emulator understands for directory objects: $select, and a $filter
// subset (eq on properties, `in (...)`, `and`, startswith, and `proxyAddresses/any(x:x eq '...')`),
// with the advanced-query rule Graph applies to some properties.
import type { FastifyRequest } from "fastify";
import { badRequest, GraphHttpError } from "./graphHttp";
import type { JsonObject } from "./state";

export const unsupportedQuery = (detail = "Unsupported Query.") =>
  new GraphHttpError(400, "Request_UnsupportedQuery", detail);

export interface FilterOptions {
  /** Properties Graph filters only with ConsistencyLevel: eventual and $count=true. */
  advancedOnly: readonly string[];
  /** Properties Graph can filter on at all for this type. */
  filterable: readonly string[];
}

type Predicate = (o: JsonObject) => boolean;

/** OData string literal: '...' with '' for a quote. */
function stringLiteral(text: string): string | undefined {
  const m = text.match(/^'((?:[^']|'')*)'$/);
  return m ? m[1].replace(/''/g, "'") : undefined;
}

function literal(text: string): string | boolean | number | null {
  const s = stringLiteral(text);
  if (s !== undefined) return s;
  if (text === "true" || text === "false") return text === "true";
  if (text === "null") return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  throw unsupportedQuery(`Invalid filter clause: unrecognized literal ${text}.`);
}

/** Splits on ` and ` outside quotes and parentheses. */
export function splitAnd(filter: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === "(") depth++;
    else if (!quoted && c === ")") depth--;
    else if (!quoted && depth === 0 && filter.slice(i, i + 5).toLowerCase() === " and ") {
      parts.push(filter.slice(start, i));
      start = i + 5;
      i += 4;
    }
  }
  parts.push(filter.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** Values one `in (...)` may list: the filter-query-parameter page says that a request using `in`
 * is limited to 15 expressions in the filter clause by default (graph-facts.md). */
export const IN_LIMIT = 15;

/** Splits the inside of `(...)` on commas outside quotes. */
function splitList(text: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "'") quoted = !quoted;
    else if (!quoted && text[i] === ",") {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

const equal = (a: unknown, b: unknown) =>
  typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : a === b;

export function parseFilter(req: FastifyRequest, filter: string, options: FilterOptions): Predicate {
  const query = req.query as Record<string, string | undefined>;
  const advanced = req.headers.consistencylevel === "eventual" && query.$count === "true";
  const clauses = splitAnd(filter).map((clause): Predicate => {
    const any = clause.match(/^(\w+)\/any\((\w+):\s*\2\s+eq\s+('(?:[^']|'')*')\)$/i);
    if (any) {
      const [, prop, , lit] = any;
      if (!options.filterable.includes(prop)) throw unsupportedQuery();
      const value = literal(lit);
      return (o) => Array.isArray(o[prop]) && (o[prop] as unknown[]).some((v) => equal(v, value));
    }
    const starts = clause.match(/^startswith\((\w+),\s*('(?:[^']|'')*')\)$/i);
    if (starts) {
      const [, prop, lit] = starts;
      if (!options.filterable.includes(prop)) throw unsupportedQuery();
      const value = String(literal(lit)).toLowerCase();
      return (o) => typeof o[prop] === "string" && (o[prop] as string).toLowerCase().startsWith(value);
    }
    const inList = clause.match(/^(\w+)\s+in\s+\((.*)\)$/i);
    if (inList) {
      const [, prop, list] = inList;
      if (!options.filterable.includes(prop)) throw unsupportedQuery();
      if (options.advancedOnly.includes(prop) && !advanced) throw unsupportedQuery();
      const values = splitList(list).map(literal);
      if (values.length > IN_LIMIT) {
        // (unv) the code and wording; the limit is documented.
        throw unsupportedQuery(
          `Too many child clauses specified in search filter expression containing 'OR' operators: ${values.length}. Max allowed: ${IN_LIMIT}.`,
        );
      }
      return (o) => values.some((v) => equal(o[prop] ?? null, v));
    }
    const eq = clause.match(/^(\w+)\s+eq\s+(.+)$/i);
    if (eq) {
      const [, prop, lit] = eq;
      if (!options.filterable.includes(prop)) throw unsupportedQuery();
      if (options.advancedOnly.includes(prop) && !advanced) throw unsupportedQuery();
      const value = literal(lit.trim());
      return (o) => equal(o[prop] ?? null, value);
    }
    throw unsupportedQuery();
  });
  return (o) => clauses.every((c) => c(o));
}

/** Applies $select (or Graph's default property set) to an object. */
export function select(
  o: JsonObject,
  selectParam: string | undefined,
  defaults: readonly string[],
): JsonObject {
  const wanted = selectParam ? selectParam.split(",").map((s) => s.trim()) : [...defaults];
  const out: JsonObject = {};
  for (const key of wanted) {
    if (key === "id" || key in o) out[key] = o[key] ?? null;
    else out[key] = null;
  }
  if (!("id" in out)) out.id = o.id;
  return out;
}

/** The object id a `{"@odata.id": ".../directoryObjects/{id}"}` body (or an @odata.bind URL)
 * names; users/{id}, groups/{id} and servicePrincipals/{id} URLs too. */
export function referencedId(url: unknown): string {
  const m =
    typeof url === "string"
      ? url.match(/\/(?:directoryObjects|users|groups|servicePrincipals)\/([^/?#]+)\/?$/i)
      : null;
  // (unv) the wording for a malformed reference.
  if (!m) throw badRequest(`Invalid object identifier '${String(url)}'.`);
  return decodeURIComponent(m[1]).toLowerCase();
}
