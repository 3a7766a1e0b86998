/** What each file loader hands back to `loadProject`. */
import type { SourceLocation, WeirError } from '../errors/weir-error.js';
import type { AssetSpec } from './project-model.js';

/** An input named in config (not found by parsing), with where it was written. */
export interface DeclaredInput {
  name: string;
  location: SourceLocation;
}

/** The assets of one file, the inputs they declare, and the file's problems. */
export interface FileLoadResult {
  assets: AssetSpec[];
  /** Declared inputs per asset name, checked against every asset once all files are loaded. */
  declaredInputs: Map<string, DeclaredInput[]>;
  problems: WeirError[];
  /** Tables left out because the environment variables their file requires are not set. */
  disabled?: DisabledTables[];
}

/** Tables of a sources file that declares `requires_env`, left out of the project for now. */
export interface DisabledTables {
  file: string;
  tables: string[];
  /** The required variables that are not set. */
  missing: string[];
}

/** An empty result carrying only problems. */
export function failedLoad(problems: WeirError[]): FileLoadResult {
  return { assets: [], declaredInputs: new Map(), problems };
}
