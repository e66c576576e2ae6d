// /queues: the list, /queues/new to create one (admins), /queues/:id for one queue.
import { Stack, Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { Route, Routes, useNavigate } from "react-router";
import { useMe } from "../../auth/me";
import { useI18n } from "../../i18n";
import { NotFound } from "../NotFound";
import { queueKeys, useLiveQueueFigures } from "./queries";
import { QueueDetail } from "./QueueDetail";
import { QueueForm } from "./QueueForm";
import { QueueList } from "./QueueList";

export function QueuesPage() {
  const { role } = useMe();
  useLiveQueueFigures();
  return (
    <Routes>
      <Route index element={<QueueList />} />
      {role === "admin" && <Route path="new" element={<NewQueue />} />}
      <Route path=":id" element={<QueueDetail />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}

function NewQueue() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const back = () => {
    Promise.resolve(navigate("..", { relative: "path" })).catch(reportError);
  };
  return (
    <Stack>
      <Title order={2}>{t("queues.new")}</Title>
      <QueueForm
        editable
        onCancel={back}
        onSaved={(queue) => {
          queryClient.setQueryData(queueKeys.one(queue.id), queue);
          queryClient.invalidateQueries({ queryKey: queueKeys.all }).catch(reportError);
          // Members next: a new queue has none.
          Promise.resolve(navigate(`../${queue.id}`, { relative: "path", state: { tab: "members" } })).catch(reportError);
        }}
      />
    </Stack>
  );
}
