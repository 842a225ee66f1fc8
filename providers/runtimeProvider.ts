// The part of a dynamic provider that Pulumi serializes into state. It holds no logic: each call
// loads the provider's implementation from the installed code at run time, so state stays small
// and refresh, update and delete always run the current implementation, not a frozen copy.
import type * as pulumi from "@pulumi/pulumi";

/**
 * @param moduleId the compiled implementation module, relative to the project directory (the
 *   dynamic provider's working directory) or to this package when installed as a dependency.
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
