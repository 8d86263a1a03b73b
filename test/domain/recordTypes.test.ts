// Record types (issue 14): fields as typed, allowed statuses/priorities/origins, values checked.
import { describe, expect, it } from 'vitest';
import {
  allowedOrigin,
  allowsPriority,
  allowsStatus,
  checkFieldValues,
  parseFieldAssignments,
  parseFieldSpec,
  parsePriorityList,
  parseStatusList,
  type FieldDef,
  type RecordTypeRules,
} from '../../src/domain/recordTypes.js';

describe('field definitions: key:type[:required], type text, number, date or picklist(a|b|c)', () => {
  it('reads each type, required or not, the key in lower case', () => {
    expect(parseFieldSpec('Model:text')).toEqual({ key: 'model', type: 'text', options: [], required: false });
    expect(parseFieldSpec('units:number:required')).toEqual({ key: 'units', type: 'number', options: [], required: true });
    expect(parseFieldSpec('since:DATE')).toEqual({ key: 'since', type: 'date', options: [], required: false });
    expect(parseFieldSpec('tier:picklist(gold| silver |bronze):required')).toEqual({ key: 'tier', type: 'picklist', options: ['gold', 'silver', 'bronze'], required: true });
  });

  it('names what is wrong with a definition', () => {
    expect(parseFieldSpec('model')).toEqual({ problem: expect.stringContaining('is not key:type[:required]') });
    expect(parseFieldSpec('model:color')).toEqual({ problem: expect.stringContaining('is not key:type[:required]') });
    expect(parseFieldSpec('9lives:text')).toEqual({ problem: expect.stringContaining('must start with a letter') });
    expect(parseFieldSpec('tier:picklist()')).toEqual({ problem: expect.stringContaining('needs values') });
    expect(parseFieldSpec('tier:picklist(a|A)')).toEqual({ problem: expect.stringContaining('names a value twice') });
  });
});

describe('allowed values: a subset of the global statuses and priorities, its own origins', () => {
  it('reads statuses and priorities in any letter case, in the global order', () => {
    expect(parseStatusList('closed,new, working')).toEqual(['New', 'Working', 'Closed']);
    expect(parsePriorityList('low,HIGH')).toEqual(['High', 'Low']);
  });

  it('keeps the statuses casegate sets itself and refuses values that are not global ones', () => {
    expect(parseStatusList('New,Closed')).toEqual({ problem: expect.stringContaining('add Working') });
    expect(parseStatusList('New,Working,Closed,Parked')).toEqual({ problem: expect.stringContaining('"Parked" is not one of') });
    expect(parsePriorityList('Urgent')).toEqual({ problem: expect.stringContaining('"Urgent" is not one of High, Medium, Low') });
    expect(parsePriorityList('')).toEqual({ problem: 'a record type needs at least one priority' });
  });

  it('checks a case\'s status, priority and origin against the record type; null lists allow all', () => {
    const rt: RecordTypeRules = { name: 'Hardware', statuses: ['New', 'Working', 'Closed'], priorities: ['High'], origins: ['Phone', 'Email'], fields: [] };
    expect(allowsStatus(rt, 'Escalated')).toBe(false);
    expect(allowsPriority(rt, 'High')).toBe(true);
    expect(allowsPriority(rt, 'Low')).toBe(false);
    expect(allowedOrigin(rt, 'phone')).toBe('Phone');
    expect(allowedOrigin(rt, 'Web')).toBeNull();
    const open: RecordTypeRules = { ...rt, statuses: null, priorities: null, origins: null };
    expect([allowsStatus(open, 'Escalated'), allowsPriority(open, 'Low'), allowedOrigin(open, 'Fax')]).toEqual([true, true, 'Fax']);
  });
});

describe('field values: checked against the record type, each problem named', () => {
  const fields: FieldDef[] = [
    { key: 'model', type: 'text', options: [], required: true },
    { key: 'units', type: 'number', options: [], required: false },
    { key: 'since', type: 'date', options: [], required: false },
    { key: 'tier', type: 'picklist', options: ['Gold', 'Silver'], required: false },
  ];

  it('keeps valid values in field order, a picklist value in its own spelling', () => {
    expect(checkFieldValues(fields, { tier: 'gold', model: 'LP 9000', units: '-2.5', since: '2024-02-29' })).toEqual({
      values: { model: 'LP 9000', units: '-2.5', since: '2024-02-29', tier: 'Gold' },
    });
  });

  it('names every problem: unknown field, missing required, wrong number, date or picklist value', () => {
    expect(checkFieldValues(fields, { colour: 'red', units: 'many', since: '2023-02-29', tier: 'Bronze' })).toEqual({
      problems: [
        'no field "colour"',
        'field "model" is required',
        'field "units" takes a number such as 12 or 3.5, not "many"',
        'field "since" takes a date YYYY-MM-DD, not "2023-02-29"',
        'field "tier" takes one of Gold, Silver, not "Bronze"',
      ],
    });
  });

  it('merges new values into the current ones; an empty value clears an optional field but not a required one', () => {
    expect(checkFieldValues(fields, { units: '' }, { model: 'X', units: '3' })).toEqual({ values: { model: 'X' } });
    expect(checkFieldValues(fields, { model: ' ' }, { model: 'X' })).toEqual({ problems: ['field "model" is required'] });
  });

  it('reads KEY=VALUE pairs, the value may hold "="', () => {
    expect(parseFieldAssignments(['Model=a=b', 'units=3'])).toEqual({ values: { model: 'a=b', units: '3' } });
    expect(parseFieldAssignments(['model'])).toEqual({ problem: '--field "model" is not KEY=VALUE' });
  });
});
