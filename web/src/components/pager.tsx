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
