// Which dialog a page shows, and with what. Closing keeps the content, so a
// Modal fades out showing what it showed instead of going blank.
import { useCallback, useState } from "react";

export function useDialog<T>() {
  const [state, setState] = useState<{ opened: boolean; content: T | null }>({ opened: false, content: null });
  const open = useCallback((content: T) => setState({ opened: true, content }), []);
  const close = useCallback(() => setState((current) => ({ ...current, opened: false })), []);
  return { opened: state.opened, content: state.content, open, close };
}
