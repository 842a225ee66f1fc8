// The part of a dynamic provider that Pulumi keeps in state (`__provider`). It holds no logic:
// it loads the provider's implementation from the installed code at run time, so state stays
// small and refresh, update and delete always run the current implementation, not a frozen copy.
//
// Pulumi's dynamic provider host (@pulumi/pulumi cmd/dynamic-provider) turns `__provider` into a
// provider with `requireFromString(__provider).handler()` and caches it per distinct string; it
// is stored in every resource's inputs and outputs. So the string is a one-line CommonJS module
// of 160 bytes rather than a serialized closure (6 kB per resource, issue 11).
import type * as pulumi from "@pulumi/pulumi";

const MODULE_ID = /^[A-Za-z0-9_/.-]+$/;

/**
 * The `__provider` module text for an implementation module: its `handler()` returns the
 * module's exported `provider`. The module is resolved at run time from the dynamic provider's
 * working directory (the program's directory) and each directory above it, first as the project
 * itself (`<dir>/<moduleId>`: a checkout, wherever it was cloned) then as the installed package
 * (`<dir>/node_modules/entra-coexistence/<moduleId>`). No path of the machine that wrote the state
 * is kept in it, so another checkout or machine can refresh and destroy the same stack.
 *
 * @param moduleId the compiled implementation module relative to the project root, e.g.
 *   "dist/providers/reachBackUser".
 */
export function providerSource(moduleId: string): string {
  if (!MODULE_ID.test(moduleId)) throw new Error(`not a module path: ${moduleId}`);
  // `module.paths` is what the host's loader (require-from-string) gives the module: the
  // node_modules directories from the working directory up, so without their last 12 characters
  // ("node_modules") they are the directory itself and each one above it, with a trailing
  // separator (`n/..` would not do: resolve skips a path that does not exist).
  // Kept short: the text is stored twice per resource (inputs and outputs), so no error wrapping
  // (Node's own "Cannot find module './dist/providers/…'" says what is missing; the README says
  // to build), and single quotes only, as a double quote costs two bytes in the JSON state.
  return `exports.handler=()=>require(require.resolve('./${moduleId}',{paths:module.paths.flatMap(n=>[n.slice(0,-12),n+'/entra-coexistence'])})).provider`;
}

/**
 * The shim earlier versions serialized as a closure (kept so that the states they wrote can be
 * told apart and tested: their text loads `<dir>/<moduleId>` from the working directory up, then
 * the installed package, and calls the module's `provider`, so they keep working with this code).
 */
export function runtimeProvider(moduleId: string): pulumi.dynamic.ResourceProvider {
  const load = (): Required<pulumi.dynamic.ResourceProvider> => {
    const { dirname, join } = require("node:path");
    // The provider runs in the program's directory (the project root, or dist/ beside it).
    for (let dir = process.cwd(); ; dir = dirname(dir)) {
      try {
        return require(require.resolve(join(dir, moduleId))).provider;
      } catch (e) {
        if ((e as { code?: string }).code !== "MODULE_NOT_FOUND") throw e;
        if (dirname(dir) === dir) break;
      }
    }
    return require(require.resolve(`entra-coexistence/${moduleId}`, { paths: [process.cwd()] })).provider;
  };
  return {
    configure: (req) => load().configure(req),
    check: (olds, news) => load().check(olds, news),
    diff: (id, olds, news) => load().diff(id, olds, news),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read(id, props),
    update: (id, olds, news) => load().update(id, olds, news),
    delete: (id, props) => load().delete(id, props),
  };
}
