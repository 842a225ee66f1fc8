// Request-body validation against Microsoft Graph's published v1.0 CSDL (emulator/schema/v1.0-Prod.csdl).
// Graph reads request bodies with Microsoft.OData.Core (ODL), so the messages below reuse ODL's resource
// strings (OData/odata.net, src/Microsoft.OData.Core/SRResources.resx) wherever ODL has one for the case.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { XMLParser } from "fast-xml-parser";

export interface CsdlViolation {
  path: string;
  message: string;
  code: "Request_BadRequest" | "BadRequest";
}

/**
 * Message templates. Where each one comes from:
 * - PROPERTY_NOT_ON_TYPE, CANNOT_CONVERT_LITERAL, UNEXPECTED_NODE*, CANNOT_READ_AS_STRING, NULL_FOR_NON_NULLABLE,
 *   NULL_COLLECTION_ITEM, NESTED_RESOURCE_*, UNRECOGNIZED_TYPE_NAME, TYPE_NOT_ASSIGNABLE, INCORRECT_TYPE_KIND,
 *   INVALID_TYPE_NAME, ANNOTATION_ONLY_PROPERTY: ODL resource strings, verbatim (odata.net SRResources.resx).
 *   Graph itself was seen returning PROPERTY_NOT_ON_TYPE (msgraph-sdk-dotnet#450) and CANNOT_CONVERT_LITERAL
 *   with code Request_BadRequest (microsoft-graph-docs-contrib#1430).
 * - ENUM_VALUE_NOT_FOUND: .NET Enum.Parse wording, which Graph returns for bad enum names
 *   (msgraph-search-connector-sample#5). ODL itself does not check enum member names.
 * - NAVIGATION_VALUE: approximation; ODL would treat an inline navigation value as a deep insert, and Graph's
 *   wording for refusing one is not documented.
 * Known differences from ODL, kept on purpose: primitives must have their JSON type (ODL would also convert
 * strings such as "true" or "42"); Edm.Stream is only checked to be a string; for a complex collection given
 * an object ODL's code path reports a null-collection error, NESTED_RESOURCE_COLLECTION is the clearer string.
 * Graph's directory service words an unknown property as "Invalid property 'x'." (Microsoft365DSC#6065);
 * the ODL wording is used here because it names the type.
 */
export const MESSAGES = {
  PROPERTY_NOT_ON_TYPE: (prop: string, type: string) =>
    `The property '${prop}' does not exist on type '${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
  CANNOT_CONVERT_LITERAL: (literal: string, type: string) =>
    `Cannot convert the literal '${literal}' to the expected type '${type}'.`,
  UNEXPECTED_NODE: (expected: string, found: string) =>
    `An unexpected '${found}' node was found when reading from the JSON reader. A '${expected}' node was expected.`,
  UNEXPECTED_NODE_FOR_PROPERTY: (expected: string, found: string, prop: string) =>
    `An unexpected '${found}' node was found for property named '${prop}' when reading from the JSON reader. A '${expected}' node was expected.`,
  CANNOT_READ_AS_STRING: (literal: string) =>
    `Cannot read the value '${literal}' as a quoted JSON string value.`,
  ENUM_VALUE_NOT_FOUND: (value: string) => `Requested value '${value}' was not found.`,
  NULL_FOR_NON_NULLABLE: (prop: string, type: string) =>
    `A null value was found for the property named '${prop}', which has the expected type '${type}[Nullable=False]'. The expected type '${type}[Nullable=False]' does not allow null values.`,
  NULL_COLLECTION_ITEM:
    "A null value was detected in the items of a collection property value; non-nullable instances of collection types do not support null values as items.",
  NESTED_RESOURCE_SINGLE: (found: string, prop: string) =>
    `A node of type '${found}' was read from the JSON reader when trying to read the contents of the property '${prop}'; however, a 'StartObject' node or 'PrimitiveValue' node with null value was expected.`,
  NESTED_RESOURCE_COLLECTION: (found: string, prop: string) =>
    `A node of type '${found}' was read from the JSON reader when trying to read the contents of the property '${prop}'; however, a 'StartArray' node was expected.`,
  NESTED_RESOURCE_PRIMITIVE: (prop: string) =>
    `A 'PrimitiveValue' node with non-null value was found when trying to read the value of the property '${prop}'; however, a 'StartArray' node, a 'StartObject' node, or a 'PrimitiveValue' node with null value was expected.`,
  UNRECOGNIZED_TYPE_NAME: (type: string) =>
    `A type named '${type}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.`,
  TYPE_NOT_ASSIGNABLE: (found: string, expected: string) =>
    `A resource with type '${found}' was found, but it is not assignable to the expected type '${expected}'. The type specified in the resource must be equal to either the expected type or a derived type.`,
  INCORRECT_TYPE_KIND: (type: string, expectedKind: string, foundKind: string) =>
    `Incompatible type kinds were found. The type '${type}' was found to be of kind '${foundKind}' instead of the expected kind '${expectedKind}'.`,
  INVALID_TYPE_NAME: (value: string) =>
    `The 'odata.type' instance annotation value '${value}' is not a valid type name. The value of the 'odata.type' instance annotation must be a non-empty string.`,
  ANNOTATION_ONLY_PROPERTY: (prop: string) =>
    `An undeclared property '${prop}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values.`,
  NAVIGATION_VALUE: (prop: string, type: string) =>
    `The navigation property '${prop}' on type '${type}' cannot be given a value in the request body; use '${prop}@odata.bind' to reference an existing entity.`,
} as const;

// Graph's directory (AAD-backed) endpoints, which include the cross-tenant access policy, answer with this code.
const CODE = "Request_BadRequest" as const;

const MAIN_NAMESPACE = "microsoft.graph";

interface PropertyDef {
  name: string;
  /** Fully qualified element type: "Edm.String" or "microsoft.graph.x". */
  type: string;
  collection: boolean;
  nullable: boolean;
}

interface StructuredTypeDef {
  kind: "entity" | "complex";
  fullName: string;
  baseType?: string;
  abstract: boolean;
  open: boolean;
  properties: Map<string, PropertyDef>;
  navigation: Map<string, PropertyDef>;
}

interface EnumTypeDef {
  kind: "enum";
  fullName: string;
  isFlags: boolean;
  members: Set<string>;
}

type TypeDef = StructuredTypeDef | EnumTypeDef;

type XmlNode = Record<string, unknown>;

const ARRAY_TAGS = new Set([
  "Schema",
  "EntityType",
  "ComplexType",
  "EnumType",
  "Property",
  "NavigationProperty",
  "Member",
]);
// Elements that say nothing about body shapes; dropping them while parsing saves time and memory.
const SKIPPED_TAGS = new Set(["Action", "Function", "Annotations", "Annotation", "Term", "EntityContainer"]);

let defaultModel: CsdlModel | undefined;

const SCHEMA_REL = join("emulator", "schema", "v1.0-Prod.csdl");

/** Walks up from `start` to the package root (the directory holding package.json) looking for the schema. */
function findSchemaFrom(start: string): string | undefined {
  for (let dir = resolve(start); ; ) {
    const candidate = join(dir, SCHEMA_REL);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (existsSync(join(dir, "package.json")) || parent === dir) return undefined;
    dir = parent;
  }
}

// The module runs from emulator/ (source) or dist/emulator/ (compiled); the cwd fallback covers builds
// emitted outside the repository.
function defaultSchemaPath(): string {
  const found = findSchemaFrom(__dirname) ?? findSchemaFrom(process.cwd());
  if (!found) throw new Error(`Cannot find ${SCHEMA_REL} above ${__dirname} or ${process.cwd()}`);
  return found;
}

function asArray(v: unknown): XmlNode[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]) as XmlNode[];
}

function attr(node: XmlNode, name: string): string | undefined {
  const v = node[name];
  return typeof v === "string" ? v : undefined;
}

/** How ODL names the JSON node a value starts with. */
function nodeKind(value: unknown): "StartObject" | "StartArray" | "PrimitiveValue" {
  if (Array.isArray(value)) return "StartArray";
  if (value !== null && typeof value === "object") return "StartObject";
  return "PrimitiveValue";
}

/** The literal as .NET's ToString() prints it, since ODL formats messages with it (booleans are "True"/"False"). */
function literal(value: unknown): string {
  if (typeof value === "boolean") return value ? "True" : "False";
  return String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export class CsdlModel {
  private readonly types = new Map<string, TypeDef>();
  /** alias or namespace -> namespace */
  private readonly namespaces = new Map<string, string>();
  private readonly inherited = new Map<string, Map<string, PropertyDef>>();
  private readonly inheritedNav = new Map<string, Map<string, PropertyDef>>();

  private constructor(xml: string) {
    const parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "",
      removeNSPrefix: true,
      parseTagValue: false,
      parseAttributeValue: false,
      isArray: (tag, _path, _leaf, isAttribute) => !isAttribute && ARRAY_TAGS.has(tag),
      updateTag: (tag) => !SKIPPED_TAGS.has(tag),
    });
    const doc = parser.parse(xml) as XmlNode;
    const dataServices = (doc.Edmx as XmlNode | undefined)?.DataServices as XmlNode | undefined;
    const schemas = asArray(dataServices?.Schema);
    if (schemas.length === 0) throw new Error("CSDL has no Schema elements");

    // Aliases are document-wide, so collect them all before resolving any type reference.
    for (const schema of schemas) {
      const ns = attr(schema, "Namespace");
      if (!ns) continue;
      this.namespaces.set(ns, ns);
      const alias = attr(schema, "Alias");
      if (alias) this.namespaces.set(alias, ns);
    }
    for (const schema of schemas) {
      const ns = attr(schema, "Namespace");
      if (!ns) continue;
      for (const e of asArray(schema.EnumType)) {
        const name = attr(e, "Name");
        if (!name) continue;
        this.types.set(`${ns}.${name}`, {
          kind: "enum",
          fullName: `${ns}.${name}`,
          isFlags: attr(e, "IsFlags") === "true",
          members: new Set(asArray(e.Member).flatMap((m) => attr(m, "Name") ?? [])),
        });
      }
      for (const [tag, kind] of [
        ["EntityType", "entity"],
        ["ComplexType", "complex"],
      ] as const) {
        for (const t of asArray(schema[tag])) {
          const name = attr(t, "Name");
          if (!name) continue;
          const base = attr(t, "BaseType");
          this.types.set(`${ns}.${name}`, {
            kind,
            fullName: `${ns}.${name}`,
            baseType: base ? this.qualify(base) : undefined,
            abstract: attr(t, "Abstract") === "true",
            open: attr(t, "OpenType") === "true",
            properties: this.readProperties(t.Property),
            navigation: this.readProperties(t.NavigationProperty),
          });
        }
      }
    }
  }

  /** Parses the CSDL. Without `file`, the bundled v1.0 schema is parsed once and shared. */
  static load(file?: string): CsdlModel {
    if (file !== undefined) return new CsdlModel(readFileSync(file, "utf8"));
    defaultModel ??= new CsdlModel(readFileSync(defaultSchemaPath(), "utf8"));
    return defaultModel;
  }

  /** Accepts "microsoft.graph.x", "graph.x" (any schema alias) or "x" (taken as microsoft.graph). */
  hasType(name: string): boolean {
    return this.findType(name) !== undefined;
  }

  /** Names of structural properties of an entity/complex type, including inherited ones (BaseType chain). */
  propertyNames(typeName: string): string[] {
    return [...this.allProperties(this.structuredType(typeName)).keys()];
  }

  /** Validate a JSON request body against a type. mode "create" = POST, "update" = PATCH (partial), "replace" = PUT. */
  validate(typeName: string, body: unknown, mode: "create" | "update" | "replace"): CsdlViolation[] {
    const type = this.structuredType(typeName);
    // The mode does not change the checks: Graph does not enforce required properties from the schema, so
    // POST, PATCH and PUT all validate exactly the properties present.
    void mode;
    const out: CsdlViolation[] = [];
    if (!isPlainObject(body)) {
      out.push({ path: "", code: CODE, message: MESSAGES.UNEXPECTED_NODE("StartObject", nodeKind(body)) });
      return out;
    }
    this.validateResource(type, body, "", out);
    return out;
  }

  // --- model helpers ---

  private qualify(ref: string): string {
    const dot = ref.lastIndexOf(".");
    if (dot < 0) return `${MAIN_NAMESPACE}.${ref}`;
    const ns = ref.slice(0, dot);
    if (ns === "Edm") return ref;
    return `${this.namespaces.get(ns) ?? ns}.${ref.slice(dot + 1)}`;
  }

  private readProperties(nodes: unknown): Map<string, PropertyDef> {
    const props = new Map<string, PropertyDef>();
    for (const p of asArray(nodes)) {
      const name = attr(p, "Name");
      const rawType = attr(p, "Type");
      if (!name || !rawType) continue;
      const m = /^Collection\((.+)\)$/.exec(rawType);
      props.set(name, {
        name,
        type: this.qualify(m ? m[1] : rawType),
        collection: m !== null,
        nullable: attr(p, "Nullable") !== "false",
      });
    }
    return props;
  }

  private findType(name: string): TypeDef | undefined {
    const trimmed = name.startsWith("#") ? name.slice(1) : name;
    if (!trimmed) return undefined;
    return this.types.get(this.qualify(trimmed));
  }

  private structuredType(name: string): StructuredTypeDef {
    const t = this.findType(name);
    if (!t || t.kind === "enum") throw new Error(`'${name}' is not an entity or complex type in the CSDL`);
    return t;
  }

  private chain(type: StructuredTypeDef): StructuredTypeDef[] {
    const out: StructuredTypeDef[] = [];
    for (let t: StructuredTypeDef | undefined = type; t; ) {
      out.unshift(t);
      const base: TypeDef | undefined = t.baseType ? this.types.get(t.baseType) : undefined;
      t = base && base.kind !== "enum" && !out.includes(base) ? base : undefined;
    }
    return out;
  }

  private allProperties(type: StructuredTypeDef): Map<string, PropertyDef> {
    let props = this.inherited.get(type.fullName);
    if (!props) {
      props = new Map();
      for (const t of this.chain(type)) for (const [k, v] of t.properties) props.set(k, v);
      this.inherited.set(type.fullName, props);
    }
    return props;
  }

  private allNavigation(type: StructuredTypeDef): Map<string, PropertyDef> {
    let props = this.inheritedNav.get(type.fullName);
    if (!props) {
      props = new Map();
      for (const t of this.chain(type)) for (const [k, v] of t.navigation) props.set(k, v);
      this.inheritedNav.set(type.fullName, props);
    }
    return props;
  }

  private isOpen(type: StructuredTypeDef): boolean {
    return this.chain(type).some((t) => t.open);
  }

  private derivesFrom(type: StructuredTypeDef, base: StructuredTypeDef): boolean {
    return this.chain(type).includes(base);
  }

  // --- validation ---

  /** Picks the type named by "@odata.type" when it is a valid derived type; reports it otherwise. */
  private effectiveType(
    declared: StructuredTypeDef,
    obj: Record<string, unknown>,
    path: string,
    out: CsdlViolation[],
  ): StructuredTypeDef {
    if (!("@odata.type" in obj)) return declared;
    const at = join2(path, "@odata.type");
    const raw = obj["@odata.type"];
    if (typeof raw !== "string" || raw.replace(/^#/, "") === "") {
      out.push({ path: at, code: CODE, message: MESSAGES.INVALID_TYPE_NAME(literal(raw)) });
      return declared;
    }
    const name = raw.replace(/^#/, "");
    const found = this.findType(name);
    if (!found) {
      out.push({ path: at, code: CODE, message: MESSAGES.UNRECOGNIZED_TYPE_NAME(name) });
      return declared;
    }
    if (found.kind !== declared.kind) {
      const kindName = (k: TypeDef["kind"]) =>
        k === "entity" ? "Entity" : k === "complex" ? "Complex" : "Enum";
      out.push({
        path: at,
        code: CODE,
        message: MESSAGES.INCORRECT_TYPE_KIND(found.fullName, kindName(declared.kind), kindName(found.kind)),
      });
      return declared;
    }
    if (!this.derivesFrom(found as StructuredTypeDef, declared)) {
      out.push({
        path: at,
        code: CODE,
        message: MESSAGES.TYPE_NOT_ASSIGNABLE(found.fullName, declared.fullName),
      });
      return declared;
    }
    return found as StructuredTypeDef;
  }

  private validateResource(
    declared: StructuredTypeDef,
    obj: Record<string, unknown>,
    path: string,
    out: CsdlViolation[],
  ): void {
    const type = this.effectiveType(declared, obj, path, out);
    const props = this.allProperties(type);
    const nav = this.allNavigation(type);
    const open = this.isOpen(type);
    for (const [key, value] of Object.entries(obj)) {
      const at = key.indexOf("@");
      if (at === 0) continue; // instance annotation such as @odata.type, @odata.id
      if (at > 0) {
        // Property annotation ("x@odata.bind"): fine unless it dangles on a name the type does not know.
        const owner = key.slice(0, at);
        if (!props.has(owner) && !nav.has(owner) && !open && !(owner in obj)) {
          out.push({ path: join2(path, key), code: CODE, message: MESSAGES.ANNOTATION_ONLY_PROPERTY(owner) });
        }
        continue;
      }
      const prop = props.get(key);
      if (prop) {
        this.validateProperty(prop, value, join2(path, key), out);
      } else if (nav.has(key)) {
        out.push({
          path: join2(path, key),
          code: CODE,
          message: MESSAGES.NAVIGATION_VALUE(key, type.fullName),
        });
      } else if (!open) {
        out.push({
          path: join2(path, key),
          code: CODE,
          message: MESSAGES.PROPERTY_NOT_ON_TYPE(key, type.fullName),
        });
      }
    }
  }

  private validateProperty(prop: PropertyDef, value: unknown, path: string, out: CsdlViolation[]): void {
    if (value === null) {
      if (!prop.nullable) {
        const typeName = prop.collection ? `Collection(${prop.type})` : prop.type;
        out.push({ path, code: CODE, message: MESSAGES.NULL_FOR_NON_NULLABLE(prop.name, typeName) });
      }
      return;
    }
    if (!prop.collection) {
      this.validateValue(prop.type, value, prop.name, path, out);
      return;
    }
    if (!Array.isArray(value)) {
      const element = this.types.get(prop.type);
      const structured = element !== undefined && element.kind !== "enum";
      const found = nodeKind(value);
      let message: string;
      if (structured) message = MESSAGES.NESTED_RESOURCE_COLLECTION(found, prop.name);
      else if (found === "StartObject")
        message = MESSAGES.UNEXPECTED_NODE_FOR_PROPERTY("StartArray", found, prop.name);
      else message = MESSAGES.UNEXPECTED_NODE("StartArray", found);
      out.push({ path, code: CODE, message });
      return;
    }
    value.forEach((item, i) => {
      const itemPath = `${path}[${i}]`;
      if (item === null) {
        if (!prop.nullable) out.push({ path: itemPath, code: CODE, message: MESSAGES.NULL_COLLECTION_ITEM });
        return;
      }
      this.validateValue(prop.type, item, prop.name, itemPath, out);
    });
  }

  /** Checks one non-null value (a scalar property, or one item of a collection) against its type. */
  private validateValue(
    typeName: string,
    value: unknown,
    propName: string,
    path: string,
    out: CsdlViolation[],
  ): void {
    if (typeName.startsWith("Edm.")) {
      const message = primitiveProblem(typeName, value, propName);
      if (message) out.push({ path, code: CODE, message });
      return;
    }
    const type = this.types.get(typeName);
    if (!type) return; // a type the CSDL references but does not define: nothing to check against
    if (type.kind === "enum") {
      const message = this.enumProblem(type, value, propName);
      if (message) out.push({ path, code: CODE, message });
      return;
    }
    if (Array.isArray(value)) {
      out.push({ path, code: CODE, message: MESSAGES.NESTED_RESOURCE_SINGLE("StartArray", propName) });
    } else if (!isPlainObject(value)) {
      out.push({ path, code: CODE, message: MESSAGES.NESTED_RESOURCE_PRIMITIVE(propName) });
    } else {
      this.validateResource(type, value, path, out);
    }
  }

  private enumProblem(type: EnumTypeDef, value: unknown, propName: string): string | undefined {
    const node = nodeKind(value);
    if (node === "StartObject")
      return MESSAGES.UNEXPECTED_NODE_FOR_PROPERTY("PrimitiveValue", node, propName);
    if (node === "StartArray") return MESSAGES.UNEXPECTED_NODE("PrimitiveValue", node);
    if (typeof value !== "string") return MESSAGES.CANNOT_READ_AS_STRING(literal(value));
    // Flags enums take "a,b" (spaces allowed, as in .NET Enum.Parse); others a single member name.
    const parts = type.isFlags ? value.split(",").map((s) => s.trim()) : [value];
    return parts.every((p) => type.members.has(p)) ? undefined : MESSAGES.ENUM_VALUE_NOT_FOUND(value);
  }
}

function join2(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

const INT_RANGES: Record<string, [number, number]> = {
  "Edm.Byte": [0, 255],
  "Edm.SByte": [-128, 127],
  "Edm.Int16": [-32768, 32767],
  "Edm.Int32": [-2147483648, 2147483647],
};
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// Formats follow what ODL's converters accept (ODataPayloadValueConverter, PlatformHelper, EdmValueParser).
const GUID_RE =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}|\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}|\([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\))$/i;
const DATE_TIME_OFFSET_RE =
  /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const DATE_RE = /^(\d{4})-(0?[1-9]|1[012])-(0?[1-9]|[12]\d|3[01])$/;
const TIME_OF_DAY_RE = /^(0?\d|1\d|2[0-3]):(0?\d|[1-5]\d)(:(0?\d|[1-5]\d)(\.\d{1,7})?)?$/;
// Day-time durations only: OData's Edm.Duration has no year or month parts.
const DURATION_RE = /^-?P(?=\d|T\d)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
const BASE64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function validDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function isDateTimeOffset(s: string): boolean {
  const m = DATE_TIME_OFFSET_RE.exec(s);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? "0"].map(Number);
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return false;
  return m[7] === undefined || (Number(m[8]) <= 14 && Number(m[9]) <= 59);
}

function isBase64(s: string): boolean {
  const compact = s.replace(/\s+/g, "");
  return compact.length % 4 === 0 && BASE64_RE.test(compact);
}

/** The ODL-style message for a non-null value that does not fit the Edm primitive type, or undefined if it fits. */
function primitiveProblem(type: string, value: unknown, propName: string): string | undefined {
  const node = nodeKind(value);
  if (node === "StartObject") return MESSAGES.UNEXPECTED_NODE_FOR_PROPERTY("PrimitiveValue", node, propName);
  if (node === "StartArray") return MESSAGES.UNEXPECTED_NODE("PrimitiveValue", node);
  const ok = ((): boolean => {
    const range = INT_RANGES[type];
    if (range)
      return typeof value === "number" && Number.isInteger(value) && value >= range[0] && value <= range[1];
    switch (type) {
      case "Edm.String":
        return typeof value === "string";
      case "Edm.Boolean":
        return typeof value === "boolean";
      case "Edm.Int64": {
        // A string form is what IEEE754Compatible=true clients send.
        if (typeof value === "number") return Number.isInteger(value) && Math.abs(value) <= 2 ** 63;
        if (typeof value !== "string" || !/^[+-]?\d+$/.test(value)) return false;
        const n = BigInt(value);
        return n >= INT64_MIN && n <= INT64_MAX;
      }
      case "Edm.Decimal":
        return (
          (typeof value === "number" && Number.isFinite(value)) ||
          (typeof value === "string" && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value))
        );
      case "Edm.Double":
      case "Edm.Single":
        // OData JSON spells the IEEE specials as strings.
        return typeof value === "number" || value === "NaN" || value === "INF" || value === "-INF";
      case "Edm.Guid":
        return typeof value === "string" && GUID_RE.test(value);
      case "Edm.DateTimeOffset":
        return typeof value === "string" && isDateTimeOffset(value);
      case "Edm.Date": {
        const m = typeof value === "string" ? DATE_RE.exec(value) : null;
        return m !== null && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
      }
      case "Edm.TimeOfDay":
        return typeof value === "string" && TIME_OF_DAY_RE.test(value);
      case "Edm.Duration":
        return typeof value === "string" && DURATION_RE.test(value);
      case "Edm.Binary":
        return typeof value === "string" && isBase64(value);
      case "Edm.Stream":
        // JSON can only carry stream content inline as a string (base64 or a data URL); anything else is wrong.
        return typeof value === "string";
      default:
        return true; // Edm types this CSDL does not use (spatial, Untyped): not checked
    }
  })();
  return ok ? undefined : MESSAGES.CANNOT_CONVERT_LITERAL(literal(value), type);
}
