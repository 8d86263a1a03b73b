// The `assignment_rules` table, kept in `sort_order`.
import type { Tx } from './engine.js';
import type { assignmentRules } from './schema.js';

export type RuleRow = typeof assignmentRules.$inferSelect;
export type NewRuleRow = Omit<RuleRow, 'id' | 'sortOrder' | 'createdAt'>;

const COLUMNS = `id, sort_order AS "sortOrder", owner_id AS "ownerId", subject_contains AS "subjectContains",
  from_domain AS "fromDomain", priority, account_id AS "accountId", created_at AS "createdAt"`;

/** Every rule, in the order they are tried. */
export function allRules(tx: Tx): Promise<RuleRow[]> {
  return tx.all<RuleRow>(`SELECT ${COLUMNS} FROM assignment_rules ORDER BY sort_order, id`);
}

export function ruleById(tx: Tx, id: number): Promise<RuleRow | undefined> {
  return tx.get<RuleRow>(`SELECT ${COLUMNS} FROM assignment_rules WHERE id = ?`, [id]);
}

/**
 * Inserts a rule at `order` (default: after the last one); a taken position moves that rule and
 * the later ones down by one. Run it in a write transaction: the positions are read, then written.
 */
export async function insertRule(tx: Tx, r: NewRuleRow, order: number | null, now: number): Promise<RuleRow> {
  // PostgreSQL: one insert at a time (the table's lock conflicts with itself), so two never take one position.
  if (tx.dialect === 'postgres') await tx.run('LOCK TABLE assignment_rules IN SHARE ROW EXCLUSIVE MODE');
  const last = (await tx.get<{ n: number | null }>('SELECT max(sort_order) AS n FROM assignment_rules'))?.n ?? 0;
  const at = order ?? last + 1;
  if (await tx.get('SELECT id FROM assignment_rules WHERE sort_order = ?', [at])) {
    await tx.run('UPDATE assignment_rules SET sort_order = sort_order + 1 WHERE sort_order >= ?', [at]);
  }
  return (await tx.get<RuleRow>(
    `INSERT INTO assignment_rules (sort_order, owner_id, subject_contains, from_domain, priority, account_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
    [at, r.ownerId, r.subjectContains, r.fromDomain, r.priority, r.accountId, now],
  )) as RuleRow;
}

export async function deleteRule(tx: Tx, id: number): Promise<void> {
  await tx.run('DELETE FROM assignment_rules WHERE id = ?', [id]);
}
