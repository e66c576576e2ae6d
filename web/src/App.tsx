// Which screen the tab shows: the session decides (loading, sign in, session
// ended, or the console), then the URL (react-router) within the console.
import { Center, Loader } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { Suspense, useEffect } from "react";
import { Navigate, Route, Routes } from "react-router";
import { useSessionState } from "./auth/context";
import { useI18n } from "./i18n";
import { HOME } from "./layout/navigation";
import { Shell } from "./layout/Shell";
import { useVisiblePages } from "./layout/visible-pages";
import { ComingSoon } from "./pages/ComingSoon";
import { LoginPage } from "./pages/LoginPage";
import { NotFound } from "./pages/NotFound";
import { PAGE_VIEWS } from "./pages/views";
import { SessionEndedPage } from "./pages/SessionEndedPage";
import { SocketProvider } from "./realtime/socket";

export function App() {
  const { t } = useI18n();
  const state = useSessionState();
  const queryClient = useQueryClient();
  const signedIn = state.status === "signed_in";
  // Nothing read for one user may show for the next.
  useEffect(() => {
    if (!signedIn) queryClient.clear();
  }, [signedIn, queryClient]);

  switch (state.status) {
    case "starting":
      return (
        <Center mih="100vh">
          <Loader aria-label={t("app.loading")} />
        </Center>
      );
    case "signed_out":
      return <LoginPage />;
    case "ended":
      return <SessionEndedPage />;
    case "signed_in":
      return (
        <SocketProvider>
          <ConsoleRoutes />
        </SocketProvider>
      );
  }
}

function ConsoleRoutes() {
  const { t } = useI18n();
  const pages = useVisiblePages();
  return (
    <Routes>
      <Route element={<Shell />}>
        <Route index element={<Navigate to={HOME} replace />} />
        {pages.map((page) => {
          const View = PAGE_VIEWS[page.path];
          // `/*`: pages have their own sub-paths (/inbox/123).
          return (
            <Route
              key={page.path}
              path={`${page.path}/*`}
              element={
                View ? (
                  <Suspense fallback={<Loader aria-label={t("app.loading")} />}>
                    <View />
                  </Suspense>
                ) : (
                  <ComingSoon page={page} />
                )
              }
            />
          );
        })}
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
