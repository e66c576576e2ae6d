// The signed-in user's own presence (PUT /api/users/{id}/status). The engine
// also moves it: the first socket makes an offline user online, the last one
// leaving makes them offline; the shell re-reads it on every resync.
import { Alert, SegmentedControl, Skeleton, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId } from "react";
import type { User, UserStatus } from "../api/types";
import { useApi } from "../auth/context";
import { ME_QUERY } from "../auth/me";
import { useI18n } from "../i18n";

const STATUSES = ["online", "away", "offline"] as const satisfies readonly UserStatus[];

export function StatusSwitch({ me }: { me: User | undefined }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const labelId = useId();
  const change = useMutation({
    mutationFn: (status: UserStatus) => api.put("/api/users/{id}/status", { path: { id: me?.id ?? "" }, body: { status } }),
    onSuccess: (user) => queryClient.setQueryData(ME_QUERY, user),
  });
  return (
    <Stack gap={4}>
      <Text id={labelId} size="sm" fw={500}>
        {t("status.label")}
      </Text>
      {me ? (
        <SegmentedControl
          fullWidth
          size="xs"
          aria-labelledby={labelId}
          value={change.isPending ? change.variables : me.status}
          onChange={(value) => change.mutate(value)}
          data={STATUSES.map((status) => ({ value: status, label: t(`status.${status}`) }))}
        />
      ) : (
        <Skeleton height={28} />
      )}
      {change.isError && (
        <Alert color="red" variant="light" p="xs" role="alert">
          {t("status.saveFailed", { message: change.error.message })}
        </Alert>
      )}
    </Stack>
  );
}
