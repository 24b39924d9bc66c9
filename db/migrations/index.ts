// Migrations as code (no file globbing), so they run the same under tsx, vitest and a bundle.

import type { Knex } from 'knex';
import * as m001 from './001_initial.ts';
import * as m002 from './002_outbox.ts';
import * as m003 from './003_sessions.ts';
import * as m004 from './004_id_mask.ts';
import * as m005 from './005_check_run_outcome.ts';
import * as m006 from './006_job_runs.ts';
import * as m007 from './007_requests.ts';
import * as m008 from './008_unit_rechecks.ts';
import * as m009 from './009_outbox_job_run.ts';
import * as m010 from './010_weekly_lists.ts';
import * as m011 from './011_scores.ts';
import * as m012 from './012_user_locks.ts';
import * as m013 from './013_api_calls.ts';
import * as m014 from './014_unit_stats.ts';
import * as m015 from './015_report_files.ts';
import * as m016 from './016_analysis_drafts.ts';
import * as m017 from './017_dashboard_indexes.ts';
import * as m018 from './018_town_maps.ts';
import * as m019 from './019_feeds.ts';
import * as m020 from './020_feed_candidates.ts';
import * as m021 from './021_explained_differences.ts';
import * as m022 from './022_monthly_confirmations.ts';
import * as m023 from './023_city_county.ts';
import * as m024 from './024_audit_chain.ts';
import * as m025 from './025_audit_reviews.ts';
import * as m028 from './028_import_jobs.ts';
import * as m029 from './029_pii_rotation.ts';
import * as m030 from './030_audit_legacy_rows.ts';
import * as m031 from './031_fix_guides.ts';
import * as m032 from './032_record_versions_by_user.ts';
import * as m033 from './033_registration_forms.ts';
import * as m034 from './034_notices.ts';
import * as m036 from './036_budgets.ts';

const migrations: Record<string, { up(k: Knex): Promise<void>; down(k: Knex): Promise<void> }> = {
  '001_initial': m001,
  '002_outbox': m002,
  '003_sessions': m003,
  '004_id_mask': m004,
  '005_check_run_outcome': m005,
  '006_job_runs': m006,
  '007_requests': m007,
  '008_unit_rechecks': m008,
  '009_outbox_job_run': m009,
  '010_weekly_lists': m010,
  '011_scores': m011,
  '012_user_locks': m012,
  '013_api_calls': m013,
  '014_unit_stats': m014,
  '015_report_files': m015,
  '016_analysis_drafts': m016,
  '017_dashboard_indexes': m017,
  '018_town_maps': m018,
  '019_feeds': m019,
  '020_feed_candidates': m020,
  '021_explained_differences': m021,
  '022_monthly_confirmations': m022,
  '023_city_county': m023,
  '024_audit_chain': m024,
  '025_audit_reviews': m025,
  '028_import_jobs': m028,
  '029_pii_rotation': m029,
  '030_audit_legacy_rows': m030,
  '031_fix_guides': m031,
  '032_record_versions_by_user': m032,
  '033_registration_forms': m033,
  '034_notices': m034,
  '036_budgets': m036,
};

export const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    return Object.keys(migrations);
  },
  getMigrationName(name) {
    return name;
  },
  async getMigration(name) {
    return migrations[name];
  },
};
