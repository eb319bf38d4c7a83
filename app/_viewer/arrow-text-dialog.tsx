'use client';
// The text at an arrow annotation, asked in the page's own dialog (not
// window.prompt()): the viewer engine's askText() of every viewer page.
import { useState } from 'react';
import styles from './viewer.module.css';

export function ArrowTextDialog({ onDone }: { onDone: (text: string | null) => void }) {
  const [text, setText] = useState('');
  return (
    <div className={styles.dialog} role="dialog" aria-modal="true" aria-labelledby="arrow-text-title">
      <form
        method="post"
        onSubmit={(event) => {
          event.preventDefault();
          onDone(text.trim() || null);
        }}
      >
        <label id="arrow-text-title" htmlFor="arrow-text">
          Text at the arrow
        </label>
        <input id="arrow-text" autoFocus maxLength={200} value={text} onChange={(event) => setText(event.target.value)} />
        <div className={styles.buttons}>
          <button type="submit" className={styles.button}>
            Add
          </button>
          <button type="button" className={styles.button} onClick={() => onDone(null)}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
