/**
 * Where the config comes from (CONFIG.md): `SES_CONFIG`, else ses.config.yaml / .yml / .json in the
 * working directory, else the example shipped in examples/ so a fresh checkout synthesizes.
 */
import { existsSync, readFileSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { ConfigError } from "../errors";
import { resolveProject, type ResolvedProject } from "./resolve";

export const CONFIG_ENV = "SES_CONFIG";
export const LOCAL_CONFIG_FILES = ["ses.config.yaml", "ses.config.yml", "ses.config.json"];
/** The embedded example: two levels up from dist/modules/config or modules/config. */
export const EXAMPLE_CONFIG = findExample();

export interface LoadedConfig extends ResolvedProject {
  /** The file read, as the user would name it. */
  readonly file: string;
}

/** Which file to read: SES_CONFIG, then the working directory's ses.config.*, then the example. */
export function configPath(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const named = env[CONFIG_ENV];
  if (named !== undefined && named !== "") return resolve(cwd, named);
  for (const name of LOCAL_CONFIG_FILES) {
    const candidate = join(cwd, name);
    if (existsSync(candidate)) return candidate;
  }
  return EXAMPLE_CONFIG;
}

/** Read, parse and validate a config file; throws ConfigError naming the file and the problem. */
export function loadConfig(file: string): LoadedConfig {
  const ext = extname(file).toLowerCase();
  if (![".yaml", ".yml", ".json"].includes(ext)) {
    throw new ConfigError([{ path: [], message: `config file must end in .yaml, .yml or .json, got "${ext || "no extension"}"` }], file);
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : String(code ?? err);
    throw new ConfigError([{ path: [], message: `cannot read config file: ${why}` }], file);
  }
  const raw = ext === ".json" ? parseJson(text, file) : parseYaml(text, file);
  return { file, ...resolveProject(raw, file) };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const pos = /position (\d+)/.exec(message);
    const where = pos ? ` at ${lineCol(text, Number(pos[1]))}` : "";
    throw new ConfigError([{ path: [], message: `invalid JSON${where}: ${message.replace(/ in JSON at position \d+.*$/, "")}` }], file);
  }
}

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

function parseYaml(text: string, file: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return { path: [], message: `invalid YAML at line ${line}, column ${col}: ${e.message.split("\n")[0]}` };
      }),
      file,
    );
  }
  return doc.toJS({ maxAliasCount: 100 }) ?? {};
}

function findExample(): string {
  for (const up of ["..", "../..", "../../.."]) {
    const candidate = resolve(__dirname, up, "examples", "ses.config.yaml");
    if (existsSync(candidate)) return candidate;
  }
  return resolve(__dirname, "..", "..", "examples", "ses.config.yaml");
}
