import { loadFleet } from "../spec";
import { renderCluster } from "../plan/render-cluster";
(async () => {
  if (process.env.LIMIT0) Error.stackTraceLimit = 0;
  const fleet = loadFleet(["stacks"], { cwd: process.cwd() });
  const c = fleet.clusters.find((x) => x.name === "ecmwf-ai-platform")!;
  await renderCluster(c);
  const t = Date.now();
  for (let i = 0; i < 5; i++) await renderCluster(c);
  console.log("5 runs", Date.now() - t, "ms");
})();
