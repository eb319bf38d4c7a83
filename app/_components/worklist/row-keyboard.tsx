'use client';
// Keyboard navigation in the worklist: ↓/↑ (or j/k) move between rows, Home
// and End to the first and last, Enter opens the focused study. Rows carry
// their target in data-href; the links inside stay usable with Tab.
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

export function RowKeyboard({ tableId }: { tableId: string }) {
  const router = useRouter();
  useEffect(() => {
    const table = document.getElementById(tableId);
    if (!table) return;
    const rows = () => [...table.querySelectorAll<HTMLTableRowElement>('tbody tr[data-href]')];
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      const list = rows();
      if (!list.length) return;
      const current = (document.activeElement as HTMLElement | null)?.closest('tr');
      const index = current ? list.indexOf(current as HTMLTableRowElement) : -1;
      let next = -1;
      if (event.key === 'ArrowDown' || event.key === 'j') next = Math.min(index + 1, list.length - 1);
      else if (event.key === 'ArrowUp' || event.key === 'k') next = Math.max(index - 1, 0);
      else if (event.key === 'Home' && index >= 0) next = 0;
      else if (event.key === 'End' && index >= 0) next = list.length - 1;
      else if (event.key === 'Enter' && current && document.activeElement === current) {
        event.preventDefault();
        router.push(current.dataset.href ?? '/');
        return;
      } else return;
      // Arrow keys from the page (not from a form field) enter the table
      const target = event.target as HTMLElement;
      if (index < 0 && target.closest('input, select, textarea')) return;
      event.preventDefault();
      list[next]?.focus();
    };
    document.addEventListener('keydown', onKey);
    const onClick = (event: MouseEvent) => {
      const row = (event.target as HTMLElement).closest('tr[data-href]') as HTMLTableRowElement | null;
      if (row && !(event.target as HTMLElement).closest('a, button')) router.push(row.dataset.href ?? '/');
    };
    table.addEventListener('click', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      table.removeEventListener('click', onClick);
    };
  }, [router, tableId]);
  return null;
}
