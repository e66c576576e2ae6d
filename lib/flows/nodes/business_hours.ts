import { ValidationFailed } from "../../errors";
import { msg } from "../../i18n/message";
import { isOpen, parseBusinessHours, parseTimezone, type Calendar } from "../../queues/business-hours";
import { defineNode } from "../node-type";

type Data = { queue_id?: string; schedule?: unknown; timezone?: string };

export default defineNode<Data>({
  type: "business_hours",
  category: "logic",
  description: "Leaves by open or closed: by a queue's hours, or by its own schedule and time zone.",
  fields: { queue_id: { type: "uuid" }, schedule: { type: "object" }, timezone: { type: "string", max: 64 } },
  handles: () => ["open", "closed"],
  validate(data, path) {
    if (!data.queue_id && !data.schedule) throw new ValidationFailed(`${path}.queue_id`, msg("nodes.scheduleSource"));
    if (data.schedule) {
      parseBusinessHours(data.schedule, `${path}.schedule`);
      parseTimezone(data.timezone, `${path}.timezone`);
    }
  },
  async run(ctx, data) {
    let calendar: Calendar | undefined;
    if (data.queue_id) calendar = await ctx.effects.queueCalendar(data.queue_id);
    else calendar = { schedule: parseBusinessHours(data.schedule), timezone: parseTimezone(data.timezone), holidays: [] };
    // A queue that no longer exists has no hours: treated as closed, so the flow takes its after-hours path.
    return { handle: calendar && isOpen(calendar, ctx.now()) ? "open" : "closed" };
  },
});
