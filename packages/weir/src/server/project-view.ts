/**
 * What the API reads: the project as its files are now (loaded again only when they changed),
 * its state store, and the warehouse the server holds open.
 */
import { loadProject, projectVersion, type EngineAdapter, type Project, type StateStore } from '@weir/core';
import { projectFilesStamp } from './project-files-stamp.js';

/**
 * The served project for the API's routes.
 *
 * @example
 * ```ts
 * const view = new ProjectView(root, undefined, store, engine);
 * const project = await view.project();
 * ```
 */
export class ProjectView {
  private loaded: { version: string; project: Promise<Project> } | undefined;
  private stamped: { stamp: string; version: string } | undefined;

  constructor(
    readonly root: string,
    readonly environment: string | undefined,
    readonly store: StateStore,
    readonly engine: EngineAdapter,
  ) {}

  /** The project; a broken edit fails the request with the loader's error (file:line). */
  async project(): Promise<Project> {
    const version = await this.version();
    if (this.loaded?.version !== version) {
      const project = loadProject(this.root, this.environment === undefined ? {} : { environment: this.environment });
      this.loaded = { version, project };
      project.catch(() => {
        if (this.loaded?.project === project) this.loaded = undefined;
      });
    }
    return await this.loaded.project;
  }

  // Hashing every file is the cost of a request on a big project: done again only when a stat moved.
  private async version(): Promise<string> {
    // Taken before the hash: a file changed while hashing leaves an old stamp, so the next call hashes again.
    const stamp = projectFilesStamp(this.root);
    if (this.stamped?.stamp === stamp) return this.stamped.version;
    const version = await projectVersion(this.root);
    this.stamped = { stamp, version };
    return version;
  }
}
