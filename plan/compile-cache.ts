/**
 * Plan workers keep V8's compiled code of the modules they load between runs, so that a worker starts
 * without compiling Pulumi, the providers and the program again.
 *
 * Why: a plan worker loads about 1,900 modules before it plans anything; compiling their source
 * (`wrapSafe` in Node's CommonJS loader) was the largest single function in its profile. Node 20 has no
 * built-in module compile cache (`module.enableCompileCache` came in Node 22.1), so this uses
 * `v8-compile-cache-lib` (the library form of `v8-compile-cache`, which ts-node and yarn use): it compiles
 * each module with `vm.Script` and V8's code cache, kept in one blob per entry file under
 * `<tmpdir>/v8-compile-cache-<uid>/<V8 version>/`. An entry is used only when the module's source hash
 * matches, so an upgrade or an edit only costs one more compile; it changes nothing a plan computes.
 * `DISABLE_V8_COMPILE_CACHE=1` turns it off (the library's own switch).
 *
 * Only for the compiled worker (`dist/plan/worker.js`): under ts-node, whose own compile hook turns
 * TypeScript into JavaScript, it stays off.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { install } = require("v8-compile-cache-lib") as { install(opts?: { prefix?: string }): unknown };

if (__filename.endsWith(".js")) install({ prefix: __filename });
