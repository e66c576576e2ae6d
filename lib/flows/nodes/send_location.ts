import { defineNode, NEXT } from "../node-type";

export default defineNode<{ latitude: number; longitude: number; name?: string; address?: string }>({
  type: "send_location",
  category: "messages",
  description: "Sends a map pin.",
  fields: {
    latitude: { type: "number", required: true, min: -90, max: 90 },
    longitude: { type: "number", required: true, min: -180, max: 180 },
    name: { type: "string", max: 200, template: true },
    address: { type: "string", max: 500, template: true },
  },
  handles: () => NEXT,
  async run(ctx, data) {
    const name = data.name ? ctx.render(data.name) : null;
    const address = data.address ? ctx.render(data.address) : null;
    await ctx.effects.send({ type: "location", content: name, metadata: { latitude: data.latitude, longitude: data.longitude, name, address } });
    return { handle: "next" };
  },
});
