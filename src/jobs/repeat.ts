// The timers of a scheduled job: a first pass shortly after start-up (to clean up what
// a crash or a long downtime left), then one every interval. The timers never keep
// the process alive; the returned function clears both.
export function repeat(pass: () => void, firstMs: number, everyMs: number): () => void {
  const first = setTimeout(pass, firstMs);
  const timer = setInterval(pass, everyMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
