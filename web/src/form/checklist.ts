// A checklist task (the human plugin's `checklist`, the red-flag catalogue) answers
// {"answers": {ITEM: {"status", "evidence", "note"}}}: the task's `items` give each item's
// words, so each item becomes a fieldset named by its text rather than by its id.
import type { ChecklistItem } from '../api/types';
import type { FieldLabel } from './model';
import { escapePointer, humanize } from './model';

export function checklistLabels(
  items: ChecklistItem[] | undefined,
): ((pointer: string) => FieldLabel | undefined) | undefined {
  if (!items || items.length === 0) return undefined;
  const byPointer = new Map<string, FieldLabel>();
  byPointer.set('/answers', { label: 'Checklist' });
  for (const item of items) {
    const words = item.text ?? humanize(item.id);
    byPointer.set(`/answers/${escapePointer(item.id)}`, {
      label: item.code ? `${item.code}: ${words}` : words,
      description: item.category ? `Category: ${humanize(item.category)}` : undefined,
      variant: 'checklist-item',
    });
  }
  return (pointer) => byPointer.get(pointer);
}
