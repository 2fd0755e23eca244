/**
 * Firm queries. A profile change bumps the profile version (matches record the version they
 * were scored with).
 */
import type Database from 'better-sqlite3';
import type { FirmProfile } from './profile.js';
import { PROFILE_FIELDS, profileOf, slugify, type FirmInput, type FirmPatch, type Sector } from './firm.js';

export interface Firm extends FirmProfile {
  id: string;
  name: string;
  nameKo: string | null;
  description: string | null;
  gpassDesignated: boolean;
  gpassExpiresAt: string | null;
  gpassDesignatedOn: string | null;
  sector: Sector | null;
  contactName: string | null;
  contactEmail: string | null;
  profileVersion: number;
  createdAt: string;
  updatedAt: string;
}

interface FirmRow {
  id: string;
  name: string;
  name_ko: string | null;
  description: string | null;
  gpass_designated: number;
  gpass_expires_at: string | null;
  gpass_designated_on: string | null;
  sector: string | null;
  contact_name: string | null;
  contact_email: string | null;
  profile: string;
  profile_version: number;
  created_at: string;
  updated_at: string;
}

export class FirmConflictError extends Error {
  readonly statusCode = 409;
}

function toFirm(r: FirmRow): Firm {
  return {
    id: r.id,
    name: r.name,
    nameKo: r.name_ko,
    description: r.description,
    gpassDesignated: r.gpass_designated === 1,
    gpassExpiresAt: r.gpass_expires_at,
    gpassDesignatedOn: r.gpass_designated_on,
    sector: r.sector as Sector | null,
    contactName: r.contact_name,
    contactEmail: r.contact_email,
    ...(JSON.parse(r.profile) as FirmProfile),
    profileVersion: r.profile_version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function getFirm(sqlite: Database.Database, id: string): Firm | null {
  const r = sqlite.prepare(`SELECT * FROM firms WHERE id = ?`).get(id) as FirmRow | undefined;
  return r ? toFirm(r) : null;
}

export function listFirms(sqlite: Database.Database, opts: { limit?: number; after?: string } = {}): Firm[] {
  const rows = sqlite
    .prepare(`SELECT * FROM firms WHERE id > ? ORDER BY id LIMIT ?`)
    .all(opts.after ?? '', opts.limit ?? 100) as FirmRow[];
  return rows.map(toFirm);
}

function uniqueId(sqlite: Database.Database, base: string): string {
  const exists = sqlite.prepare(`SELECT 1 FROM firms WHERE id = ?`);
  if (!exists.get(base)) return base;
  for (let i = 2; ; i++) if (!exists.get(`${base}-${i}`)) return `${base}-${i}`;
}

export function createFirm(sqlite: Database.Database, input: FirmInput, now = new Date().toISOString()): Firm {
  const id = input.id ?? uniqueId(sqlite, slugify(input.name));
  if (input.id && getFirm(sqlite, input.id)) throw new FirmConflictError(`firm "${input.id}" already exists`);
  sqlite
    .prepare(
      `INSERT INTO firms (id, name, name_ko, description, gpass_designated, gpass_expires_at, gpass_designated_on, sector, contact_name, contact_email, profile, profile_version, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
    )
    .run(
      id,
      input.name,
      input.nameKo ?? null,
      input.description ?? null,
      input.gpassDesignated ? 1 : 0,
      input.gpassExpiresAt ?? null,
      input.gpassDesignatedOn ?? null,
      input.sector ?? null,
      input.contactName ?? null,
      input.contactEmail ?? null,
      JSON.stringify(profileOf(input)),
      now,
      now,
    );
  return getFirm(sqlite, id)!;
}

/** Replace (PUT-like import) or patch; the profile version moves only when the profile changed. */
export function updateFirm(sqlite: Database.Database, id: string, patch: FirmPatch, now = new Date().toISOString()): Firm | null {
  const current = getFirm(sqlite, id);
  if (!current) return null;
  const currentProfile = Object.fromEntries(PROFILE_FIELDS.map((k) => [k, current[k]])) as FirmProfile;
  const profile = profileOf(patch, currentProfile);
  const changed = JSON.stringify(profile) !== JSON.stringify(currentProfile);
  sqlite
    .prepare(
      `UPDATE firms SET name = ?, name_ko = ?, description = ?, gpass_designated = ?, gpass_expires_at = ?, gpass_designated_on = ?, sector = ?, contact_name = ?,
         contact_email = ?, profile = ?, profile_version = profile_version + ?, updated_at = ? WHERE id = ?`,
    )
    .run(
      patch.name ?? current.name,
      patch.nameKo !== undefined ? patch.nameKo : current.nameKo,
      patch.description !== undefined ? patch.description : current.description,
      (patch.gpassDesignated ?? current.gpassDesignated) ? 1 : 0,
      patch.gpassExpiresAt !== undefined ? patch.gpassExpiresAt : current.gpassExpiresAt,
      patch.gpassDesignatedOn !== undefined ? patch.gpassDesignatedOn : current.gpassDesignatedOn,
      patch.sector !== undefined ? patch.sector : current.sector,
      patch.contactName !== undefined ? patch.contactName : current.contactName,
      patch.contactEmail !== undefined ? patch.contactEmail : current.contactEmail,
      JSON.stringify(profile),
      changed ? 1 : 0,
      now,
      id,
    );
  return getFirm(sqlite, id);
}

export function deleteFirm(sqlite: Database.Database, id: string): boolean {
  return sqlite.prepare(`DELETE FROM firms WHERE id = ?`).run(id).changes > 0;
}
