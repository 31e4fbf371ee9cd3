// One polite live region in the page shell says what asynchronous work did ("Loading tasks",
// "Task claimed"); pages call announce() instead of owning regions of their own.
let listener: ((message: string) => void) | null = null;

export function setAnnouncer(fn: ((message: string) => void) | null): void {
  listener = fn;
}

export function announce(message: string): void {
  listener?.(message);
}
