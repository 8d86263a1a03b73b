// The `assignment_rules` table, kept in `sort_order`.
import { statement, transaction, type Db } from './client.js';
import type { assignmentRules } from './schema.js';

export type RuleRow = typeof assignmentRules.$inferSelect;
export type NewRuleRow = Omit<RuleRow, 'id' | 'sortOrder' | 'createdAt'>;

const COLUMNS = `id, sort_order AS sortOrder, owner_id AS ownerId, subject_contains AS subjectContains,
  from_domain AS fromDomain, priority, account_id AS accountId, created_at AS createdAt`;

/** Every rule, in the order they are tried. */
export function allRules(db: Db): RuleRow[] {
  return statement<[], RuleRow>(db, `SELECT ${COLUMNS} FROM assignment_rules ORDER BY sort_order, id`).all();
}

export function ruleById(db: Db, id: number): RuleRow | undefined {
  return statement<[number], RuleRow>(db, `SELECT ${COLUMNS} FROM assignment_rules WHERE id = ?`).get(id);
}

/**
 * Inserts a rule at `order` (default: after the last one); a taken position moves that rule and
 * the later ones down by one.
 */
export function insertRule(db: Db, r: NewRuleRow, order: number | null, now: number): RuleRow {
  return transaction(db, () => {
    const last = statement<[], { n: number | null }>(db, 'SELECT max(sort_order) AS n FROM assignment_rules').get()?.n ?? 0;
    const at = order ?? last + 1;
    if (statement<[number]>(db, 'SELECT id FROM assignment_rules WHERE sort_order = ?').get(at)) {
      statement<[number]>(db, 'UPDATE assignment_rules SET sort_order = sort_order + 1 WHERE sort_order >= ?').run(at);
    }
    return statement<unknown[], RuleRow>(
      db,
      `INSERT INTO assignment_rules (sort_order, owner_id, subject_contains, from_domain, priority, account_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
    ).get(at, r.ownerId, r.subjectContains, r.fromDomain, r.priority, r.accountId, now) as RuleRow;
  });
}

export function deleteRule(db: Db, id: number): void {
  statement<[number]>(db, 'DELETE FROM assignment_rules WHERE id = ?').run(id);
}
