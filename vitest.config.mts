import { defineConfig } from "vitest/config";

// Five tiers, each runnable alone (npm run test:<tier>); npm test runs them all in order.
export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["__tests__/unit/**/*.test.ts"] } },
      { test: { name: "synth", include: ["__tests__/synth/**/*.test.ts"], testTimeout: 30_000 } },
      {
        test: {
          name: "terraform",
          include: ["__tests__/terraform/**/*.test.ts"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      { test: { name: "e2e", include: ["__tests__/e2e/**/*.test.ts"], testTimeout: 60_000 } },
      { test: { name: "package", include: ["__tests__/package/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 300_000 } },
    ],
  },
});
