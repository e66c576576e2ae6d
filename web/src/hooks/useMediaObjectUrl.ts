// Files the engine serves behind the bearer token (GET /api/media/{id}): an
// <img> or <audio> cannot send the header, so the file is fetched as a blob and
// shown through an object URL, released when the component lets go of it.
import { useEffect, useState } from "react";
import { useSession } from "../auth/context";

export type MediaState = { status: "loading" } | { status: "ready"; url: string; type: string } | { status: "failed"; httpStatus: number };

/**
 * The object URL of an engine file (a same-origin `/api/…` path); `null` path: nothing to fetch.
 * `type` overrides the answer's content type when the caller knows better (a file served as octet-stream).
 */
export function useMediaObjectUrl(path: string | null, type?: string): MediaState {
  const session = useSession();
  // Kept with the path it is about, so a new path reads as loading until its file is in.
  const [state, setState] = useState<{ path: string; media: MediaState } | null>(null);
  useEffect(() => {
    if (!path) return;
    const controller = new AbortController();
    let url: string | null = null;
    const load = async () => {
      const fetchWith = (token: string | null) =>
        fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {}, signal: controller.signal, credentials: "omit" });
      const token = await session.token();
      let response = await fetchWith(token);
      // An access token that expired meanwhile: one refresh, as the API client does.
      if (response.status === 401 && token) response = await fetchWith(await session.renew(token));
      if (!response.ok) return setState({ path, media: { status: "failed", httpStatus: response.status } });
      const served = await response.blob();
      const blob = type ? new Blob([served], { type }) : served;
      url = URL.createObjectURL(blob);
      setState({ path, media: { status: "ready", url, type: blob.type } });
    };
    load().catch(() => {
      if (!controller.signal.aborted) setState({ path, media: { status: "failed", httpStatus: 0 } });
    });
    return () => {
      controller.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [path, type, session]);
  return state && state.path === path ? state.media : { status: "loading" };
}
