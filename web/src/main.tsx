import "@mantine/core/styles.css";
import { createTheme, MantineProvider, type CSSVariablesResolver } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "./App";
import { ApiClient } from "./api/client";
import { ApiError } from "./api/http";
import { AuthProvider } from "./auth/context";
import { Session } from "./auth/session";
import { I18nProvider } from "./i18n";

const session = new Session();
const api = new ApiClient(session);
const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refusal (4xx) will not change by asking again; a network failure or a 5xx may.
      retry: (failures, err) => failures < 2 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
      // Realtime events and resyncs keep data fresh; focusing the window need not refetch everything.
      refetchOnWindowFocus: false,
    },
  },
});
// Shade 8 of blue keeps white text on buttons above WCAG AA contrast (the default shade 6 does not).
const theme = createTheme({ primaryColor: "blue", primaryShade: 8 });
// Mantine's "dimmed" grey (secondary text, input descriptions) is under AA contrast on white; gray.7 passes.
const readableGreys: CSSVariablesResolver = () => ({ variables: {}, light: { "--mantine-color-dimmed": "var(--mantine-color-gray-7)" }, dark: {} });

session.start().catch(reportError);

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <I18nProvider>
      <MantineProvider theme={theme} cssVariablesResolver={readableGreys}>
        <QueryClientProvider client={queryClient}>
          <AuthProvider session={session} api={api}>
            <BrowserRouter>
              <App />
            </BrowserRouter>
          </AuthProvider>
        </QueryClientProvider>
      </MantineProvider>
    </I18nProvider>
  </StrictMode>,
);
