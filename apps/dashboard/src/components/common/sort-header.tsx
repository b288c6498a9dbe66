'use client';

export type SortDirection = 'asc' | 'desc';

/** A column header that sorts its table; `aria-sort` tells screen readers the order. */
export function SortHeader<K extends string>({
  column,
  label,
  sort,
  onSort,
  numeric = false,
  title,
}: {
  column: K;
  label: string;
  sort: { column: K; direction: SortDirection };
  onSort: (column: K) => void;
  numeric?: boolean;
  title?: string;
}) {
  const active = sort.column === column;
  return (
    <th
      scope="col"
      className={numeric ? 'num' : undefined}
      aria-sort={active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
      title={title}
    >
      <button type="button" className="sort-button" onClick={() => onSort(column)}>
        {label}
        <span className="sort-arrow" aria-hidden>
          {active ? (sort.direction === 'asc' ? '▲' : '▼') : ''}
        </span>
      </button>
    </th>
  );
}

/** Sorts with `null` ("no data") always last, whichever the direction. */
export function compareNullable(
  a: number | string | null,
  b: number | string | null,
  direction: SortDirection,
): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const order = typeof a === 'string' ? a.localeCompare(String(b)) : a - (b as number);
  return direction === 'asc' ? order : -order;
}
