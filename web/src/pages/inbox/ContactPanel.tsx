import { Alert, Badge, Center, Divider, Loader, Paper, Stack, TagsInput, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError } from "../../api/http";
import { useApi } from "../../auth/context";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import { inboxKeys, type Contact } from "./types";

/** The customer: name, phone, tags (editable), and their Odoo partner's orders when Odoo is set up. */
export function ContactPanel({ contactId }: { contactId: string }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const key = inboxKeys.contact(contactId);
  const contact = useQuery({ queryKey: key, queryFn: ({ signal }) => api.get("/api/contacts/{id}", { path: { id: contactId }, signal }) });
  const tags = useMutation({
    mutationFn: async ({ before, after }: { before: string[]; after: string[] }): Promise<Contact | undefined> => {
      const added = after.filter((tag) => !before.includes(tag));
      let result: Contact | undefined;
      if (added.length) result = await api.post("/api/contacts/{id}/tags", { path: { id: contactId }, body: { tags: added } });
      for (const tag of before.filter((tag) => !after.includes(tag)))
        result = await api.delete("/api/contacts/{id}/tags/{tag}", { path: { id: contactId, tag } });
      return result;
    },
    onSuccess: (updated) => {
      if (updated) queryClient.setQueryData(key, updated);
    },
  });

  if (contact.isPending)
    return (
      <Center h="100%">
        <Loader size="sm" aria-label={t("app.loading")} />
      </Center>
    );
  if (contact.isError) return <Alert color="red">{problemText(contact.error, t).text}</Alert>;
  const data = contact.data;
  return (
    <Paper withBorder p="sm" h="100%" component="aside" aria-label={t("inbox.contact.title")} style={{ overflowY: "auto" }}>
      <Stack gap="xs">
        <Title order={3} size="h5">
          {data.name ?? data.push_name ?? data.phone_number}
        </Title>
        <Field label={t("inbox.contact.phone")} value={data.phone_number} />
        <Field label={t("inbox.contact.email")} value={data.email} />
        <Field label={t("inbox.contact.company")} value={data.company} />
        <TagsInput
          label={t("inbox.contact.tags")}
          placeholder={t("inbox.contact.tagsHint")}
          value={data.tags}
          disabled={tags.isPending}
          onChange={(after) => tags.mutate({ before: data.tags, after })}
          clearable={false}
        />
        {tags.isError && (
          <Text size="xs" c="red">
            {problemText(tags.error, t).text}
          </Text>
        )}
        {data.odoo_partner_id !== null && <OdooOrders partnerId={data.odoo_partner_id} />}
      </Stack>
    </Paper>
  );
}

function Field({ label, value }: { label: string; value: string | null }) {
  if (!value) return null;
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{value}</Text>
    </div>
  );
}

/** The partner's latest orders; nothing at all when Odoo is not configured (409 ODOO_NOT_CONFIGURED). */
function OdooOrders({ partnerId }: { partnerId: number }) {
  const { t } = useI18n();
  const api = useApi();
  const orders = useQuery({
    queryKey: ["inbox", "odoo-orders", partnerId],
    queryFn: ({ signal }) => api.get("/api/odoo/orders", { query: { partner_id: partnerId, limit: 5 }, signal }),
    staleTime: 60_000,
  });
  if (orders.error instanceof ApiError && orders.error.code === "ODOO_NOT_CONFIGURED") return null;
  return (
    <>
      <Divider label={t("inbox.odoo.title", { id: partnerId })} labelPosition="left" />
      {orders.isPending ? (
        <Loader size="xs" aria-label={t("app.loading")} />
      ) : orders.isError ? (
        <Text size="xs" c="red">
          {problemText(orders.error, t).text}
        </Text>
      ) : orders.data.items.length === 0 ? (
        <Text size="xs" c="dimmed">
          {t("inbox.odoo.noOrders")}
        </Text>
      ) : (
        orders.data.items.map((order) => (
          <Stack key={order.id} gap={0}>
            <Text size="sm" fw={600}>
              {order.name} <Badge size="xs">{order.state}</Badge>
            </Text>
            <Text size="xs" c="dimmed">
              {order.amount_total.toLocaleString(undefined, { style: order.currency ? "currency" : "decimal", currency: order.currency ?? undefined })}
              {order.date_order ? ` · ${new Date(order.date_order).toLocaleDateString()}` : ""}
            </Text>
          </Stack>
        ))
      )}
    </>
  );
}
