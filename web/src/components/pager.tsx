// Server-side paging with the `next` cursor: "First page" and "Next page". The buttons stay
// focusable when there is nowhere to go (aria-disabled), so focus is never lost.
export function Pager(props: {
  page: number;
  next: string | undefined;
  onFirst: () => void;
  onNext: (cursor: string) => void;
  label: string;
}) {
  const { page, next } = props;
  const atFirst = page <= 1;
  return (
    <nav class="pager" aria-label={props.label}>
      <span class="pager-page">Page {page}</span>
      <button
        type="button"
        class="button-secondary"
        aria-disabled={atFirst ? 'true' : undefined}
        onClick={() => {
          if (!atFirst) props.onFirst();
        }}
      >
        First page
      </button>
      <button
        type="button"
        class="button-secondary"
        aria-disabled={next ? undefined : 'true'}
        onClick={() => {
          if (next) props.onNext(next);
        }}
      >
        Next page
      </button>
    </nav>
  );
}

/** The page sizes a list offers, and the one an unknown value falls back to. */
export const PAGE_SIZES = [10, 25, 50, 100];

export function pageSize(value: number): number {
  return PAGE_SIZES.includes(value) ? value : 50;
}

/** "<things> per page": a labelled select of PAGE_SIZES. */
export function PageSizeSelect(props: {
  id: string;
  things: string;
  value: number;
  onChange: (size: number) => void;
}) {
  return (
    <div class="field-inline">
      <label for={props.id}>{props.things} per page</label>
      <select
        id={props.id}
        value={String(props.value)}
        onChange={(e) => props.onChange(Number((e.currentTarget as HTMLSelectElement).value))}
      >
        {PAGE_SIZES.map((n) => (
          <option key={n} value={String(n)}>
            {n}
          </option>
        ))}
      </select>
    </div>
  );
}
