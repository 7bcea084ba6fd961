/**
 * The layer rules of src/, checked by the test command (`npm run lint:layers`).
 *
 * Each folder of src/ may import from itself and from the folders listed for it, nothing else.
 * The lists follow the layers of the design, top to bottom:
 *
 *   app, cli → triggers, queue → fix, review, ask, reindex, notice → jobs → agent, index
 *     → tools, forge, workspace, llm → git, diff → config, safety, store
 *
 * Within a layer only the edges listed here exist (cli uses app; tools use llm and workspace;
 * triggers use queue), so no two folders can ever import each other: the lists are checked for
 * cycles when this file loads.
 */
const allowed = {
  config: [],
  safety: [],
  store: [],
  git: [],
  diff: [],
  llm: ["config"],
  workspace: ["git", "config"],
  forge: ["git", "diff", "safety", "config"],
  tools: ["llm", "safety", "workspace"],
  index: ["config", "git", "llm", "store"],
  agent: ["llm", "safety", "store", "tools"],
  jobs: ["config", "forge"],
  notice: ["jobs", "forge"],
  reindex: ["jobs", "config", "forge", "git", "index", "workspace"],
  review: ["jobs", "config", "diff", "forge", "git", "index", "llm", "safety", "store", "workspace"],
  ask: ["jobs", "agent", "forge", "git", "index", "llm", "safety", "store", "tools", "workspace"],
  fix: ["jobs", "agent", "config", "forge", "git", "index", "llm", "safety", "store", "tools", "workspace"],
  queue: ["jobs", "store"],
  triggers: ["queue", "jobs", "forge"],
  app: [
    "triggers",
    "queue",
    "notice",
    "fix",
    "review",
    "ask",
    "reindex",
    "jobs",
    "index",
    "forge",
    "llm",
    "workspace",
    "config",
    "safety",
    "store",
  ],
  cli: [
    "app",
    "queue",
    "fix",
    "review",
    "ask",
    "jobs",
    "agent",
    "index",
    "tools",
    "forge",
    "llm",
    "workspace",
    "git",
    "config",
    "safety",
    "store",
  ],
};

function assertAcyclic(graph) {
  const state = new Map();
  const visit = (node, trail) => {
    if (state.get(node) === "done") return;
    if (state.get(node) === "open")
      throw new Error(`.dependency-cruiser.cjs: the allowed imports form a loop: ${[...trail, node].join(" → ")}`);
    state.set(node, "open");
    for (const next of graph[node] ?? []) {
      if (!(next in graph)) throw new Error(`.dependency-cruiser.cjs: ${node} lists ${next}, which is not a folder of src/ in this table`);
      visit(next, [...trail, node]);
    }
    state.set(node, "done");
  };
  for (const node of Object.keys(graph)) visit(node, []);
}

assertAcyclic(allowed);

const folders = Object.keys(allowed);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...folders.map((folder) => ({
      name: `layer-${folder}`,
      comment: `src/${folder}/ may import from: ${allowed[folder].length ? allowed[folder].join(", ") : "no other folder of src/"}`,
      severity: "error",
      from: { path: `^src/${folder}/` },
      to: { path: `^src/(?!(?:${[folder, ...allowed[folder]].join("|")})/)` },
    })),
    {
      name: "layer-unknown",
      comment: "every folder of src/ has a place in the layer table of .dependency-cruiser.cjs",
      severity: "error",
      from: { path: "^src/", pathNot: `^src/(?:${folders.join("|")})/` },
      to: {},
    },
    {
      name: "no-circular",
      comment: "no module reaches itself through its imports",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "no-tests-in-src",
      comment: "the product never imports test code",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(test|bench)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.build.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
      extensions: [".ts", ".js"],
    },
  },
};
