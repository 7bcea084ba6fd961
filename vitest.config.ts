import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // End-to-end files start servers and child processes; two cores do not gain from more.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
