// A workflow named with its version, as tasks and status documents name it: "aml_review@1".
export function splitWorkflow(ref: string): { id: string; version: number | undefined } {
  const at = ref.lastIndexOf('@');
  if (at <= 0) return { id: ref, version: undefined };
  const version = Number(ref.slice(at + 1));
  return { id: ref.slice(0, at), version: Number.isInteger(version) ? version : undefined };
}
