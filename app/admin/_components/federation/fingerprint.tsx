// A node key fingerprint as two administrators compare it over the phone: 16 groups of four
// hex digits, four a line, big (server and client); `small` for a table cell.
import styles from '../../admin.module.css';

export function Fingerprint({ value, small = false, testId = 'fingerprint' }: { value: string; small?: boolean; testId?: string }) {
  const groups = value.replace(/\s+/g, '').match(/.{1,4}/g) ?? [value];
  return (
    <p className={small ? styles.fingerprintSmall : styles.fingerprint} data-testid={testId}>
      {groups.map((group, index) => (
        <span key={index}>
          {group}
          {index < groups.length - 1 ? ' ' : ''}
        </span>
      ))}
    </p>
  );
}
