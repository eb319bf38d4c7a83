'use client';
// Narrows the tags table as one types (tag, name or value); without
// JavaScript the whole table is simply shown.
import { useState } from 'react';

export function TagFilter({ tableId }: { tableId: string }) {
  const [text, setText] = useState('');
  const apply = (value: string) => {
    setText(value);
    const needle = value.trim().toLowerCase();
    for (const row of document.querySelectorAll<HTMLTableRowElement>(`#${tableId} tbody tr`)) {
      row.hidden = needle !== '' && !row.textContent?.toLowerCase().includes(needle);
    }
  };
  return (
    <div className="field" style={{ maxWidth: '24rem' }}>
      <label htmlFor={`${tableId}-filter`}>Filter tags</label>
      <input id={`${tableId}-filter`} type="search" value={text} onChange={(event) => apply(event.target.value)} placeholder="e.g. 0010, Window, CHEST" />
    </div>
  );
}
