// 镇街三色图: the GeoJSON of the county's towns the office uploads from its approved source
// (core/town-map.ts checks it), with who uploaded it and when. One current map; an upload
// replaces it. Long text on MySQL (text holds only 64 KB there). And an index of units by
// 机构性质: the towns are the units of 乡镇(街道)机关.

import type { Knex } from 'knex';

export async function up(k: Knex): Promise<void> {
  await k.schema.createTable('town_maps', (t) => {
    t.increments('id');
    t.text('geojson', 'longtext').notNullable().comment('GeoJSON FeatureCollection, features named after towns');
    t.integer('features').notNullable();
    t.integer('bytes').notNullable();
    t.string('file_name', 200).nullable();
    t.string('uploaded_by', 64).notNullable();
    t.string('uploaded_at', 19).notNullable();
  });
  // The towns are found by their 机构性质 on every GET /api/towns.
  await k.schema.alterTable('units', (t) => {
    t.index(['nature'], 'units_nature_index');
  });
}

export async function down(k: Knex): Promise<void> {
  await k.schema.alterTable('units', (t) => {
    t.dropIndex(['nature'], 'units_nature_index');
  });
  await k.schema.dropTable('town_maps');
}
