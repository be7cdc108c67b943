/**
 * Writes schema/ses-config.schema.json from the zod schema (the single source of the config's shape).
 * `npm run schema` regenerates it; a unit test fails when the committed file is out of date.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { configJsonSchemaText } from "../modules/config/json-schema";

const target = resolve(__dirname, "..", "..", "schema", "ses-config.schema.json");
writeFileSync(target, configJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
