// Contact syncs with Odoo as rows: at most one runs at a time (a unique
// index), and it reports its progress as it goes; a job whose node died stops
// holding the way once its heartbeat is old.
import type { Knex } from "knex";
import { jsonb } from "../db/tables";
import { presentSyncJob, type SyncJob, type SyncProgress } from "./sync";

// A running sync reports at least after every page; silent this long, it is taken for dead.
const STALE_JOB_SECONDS = 300;

/** Starts a job for the caller; undefined when another one is running. */
export async function startSyncJob(knex: Knex, startedBy: string): Promise<{ id: string } | undefined> {
  await knex("odoo_sync_jobs")
    .where({ status: "running" })
    .where("heartbeat_at", "<", knex.raw("now() - make_interval(secs => ?)", [STALE_JOB_SECONDS]))
    .update({ status: "failed", error: "Interrupted: the node running it stopped", finished_at: knex.fn.now() });
  const [job] = await knex("odoo_sync_jobs")
    .insert({ started_by: startedBy })
    .onConflict(knex.raw("((true)) WHERE status = 'running'"))
    .ignore()
    .returning("id");
  return job;
}

/** Writes a job's progress (and its end, once it is not running). */
export async function recordSyncProgress(knex: Knex, jobId: string, progress: SyncProgress): Promise<void> {
  const { job_id: _id, failures, ...columns } = progress;
  await knex("odoo_sync_jobs")
    .where({ id: jobId })
    .update({
      ...columns,
      failures: jsonb(knex, failures),
      heartbeat_at: knex.fn.now(),
      ...(progress.status === "running" ? {} : { finished_at: knex.fn.now() }),
    });
}

export async function findSyncJob(knex: Knex, id: string): Promise<SyncJob | undefined> {
  const job = await knex("odoo_sync_jobs").where({ id }).first();
  return job && presentSyncJob(job);
}
